/**
 * The one way the manager's objects wait: a waiter gives a `take` that
 * either does what it waits for and returns true, or returns false; every
 * change of state offers the waiters, in arrival order, another go.
 */
import { armTimeout, checkTimeout } from '@ipc/core';

export interface WaitOptions {
  /** Default true; false tries once (and any timeout is ignored, as Python's queues do). */
  block?: boolean;
  /** Milliseconds; default (or `null`, Python's `None`) for ever; negative → `ArgumentError`. */
  timeout?: number | null;
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
    // Checked before anything is taken, as Python's `acquire(timeout=-1)` raises on a free lock.
    let timeout: number;
    try {
      timeout = options?.block === false ? 0 : checkTimeout(options?.timeout);
    } catch (err: unknown) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    if (take()) return Promise.resolve(true);
    if (timeout === 0) return Promise.resolve(false);
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    return new Promise<boolean>((resolve, reject) => {
      let disarm = (): void => {};
      const finish = (): void => {
        this.list.delete(waiter);
        disarm();
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
      // Past a Node timer's range (2^31 ms) armTimeout re-arms: a timeout of months is as valid as in Python.
      disarm = armTimeout(timeout, () => waiter.done(false));
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The state changed: let each waiter try, first come first served. */
  wake(): void {
    for (const w of [...this.list]) if (this.list.has(w) && w.take()) w.done(true);
  }
}
