/**
 * The one way the manager's objects wait: a waiter gives a `take` that
 * either does what it waits for and returns true, or returns false; every
 * change of state offers the waiters, in arrival order, another go.
 */
export interface WaitOptions {
  /** Default true; false tries once. */
  block?: boolean;
  /** Milliseconds; default for ever. */
  timeout?: number;
}

interface Waiter {
  readonly take: () => boolean;
  readonly done: (got: boolean) => void;
}

export class Waits {
  private readonly list = new Set<Waiter>();

  get size(): number {
    return this.list.size;
  }

  /** Resolves true once `take` succeeded, false after `timeout` (or at once with `block: false`); rejects when `signal` aborts. */
  wait(take: () => boolean, options: WaitOptions | undefined, signal: AbortSignal): Promise<boolean> {
    if (take()) return Promise.resolve(true);
    const timeout = options?.block === false ? 0 : options?.timeout;
    if (timeout !== undefined && (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0)) {
      return Promise.reject(new RangeError(`timeout must be a number of milliseconds ≥ 0, not ${String(timeout)}`));
    }
    if (timeout === 0) return Promise.resolve(false);
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    return new Promise<boolean>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (): void => {
        this.list.delete(waiter);
        if (timer !== undefined) clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        finish();
        reject(signal.reason as Error);
      };
      const waiter: Waiter = {
        take,
        done: (got) => {
          finish();
          resolve(got);
        },
      };
      this.list.add(waiter);
      if (timeout !== undefined) timer = setTimeout(() => waiter.done(false), timeout);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The state changed: let each waiter try, first come first served. */
  wake(): void {
    for (const w of [...this.list]) if (this.list.has(w) && w.take()) w.done(true);
  }
}
