/**
 * Calls to another process that the caller does not wait for, within a
 * window: what a pipe end's sends and a queue's puts use so as not to pay a
 * round trip each. While any is in flight, this heap's end waits for them
 * (`flushBeforeExit`); the first that fails is reported by the next call
 * (`throwFailure`), as a write to a closed OS pipe fails on a later write.
 */
import { flushBeforeExit } from './exit-flush.js';

export class WriteWindow {
  private count = 0;
  private bytes = 0;
  private failure: unknown;
  private unregister: (() => void) | undefined;
  private readonly roomWaiters: (() => void)[] = [];
  private readonly drainWaiters: (() => void)[] = [];

  constructor(
    private readonly maxCalls: number,
    private readonly maxBytes: number,
  ) {}

  /** Counts `call` (of `size` bytes) until it settles. */
  track(call: Promise<unknown>, size: number): void {
    if (this.count++ === 0) this.unregister = flushBeforeExit(() => this.drained());
    this.bytes += size;
    call.then(
      () => this.settled(size),
      (err: unknown) => {
        this.failure ??= err;
        this.settled(size);
      },
    );
  }

  /** Waits while the window is full; an abort of `signal` rejects (the calls in flight go on). */
  async room(signal?: AbortSignal): Promise<void> {
    while (this.count > this.maxCalls || this.bytes > this.maxBytes) await this.nextSettled(signal);
  }

  /** Throws (once) the first failure of a call nobody awaited. */
  throwFailure(): void {
    if (this.failure === undefined) return;
    const err = this.failure as Error;
    this.failure = undefined;
    throw err;
  }

  /** Resolves once every call in flight has settled. */
  drained(): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private settled(size: number): void {
    this.bytes -= size;
    this.roomWaiters.shift()?.();
    if (--this.count === 0) {
      this.unregister?.();
      this.unregister = undefined;
      for (const w of this.drainWaiters.splice(0)) w();
    }
  }

  private nextSettled(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const at = this.roomWaiters.indexOf(done);
        if (at >= 0) this.roomWaiters.splice(at, 1);
        reject(signal!.reason as Error);
      };
      const done = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      this.roomWaiters.push(done);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
