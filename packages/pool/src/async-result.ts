import { passedTimeout, StateError, TimeoutError } from '@ipc/core';
import { callSafely } from './_report.js';

/**
 * Python's `AsyncResult`: what `applyAsync`, `mapAsync` and `starmapAsync`
 * return. `get()` resolves with the value or rejects with the task's error.
 */
export class AsyncResult<T> {
  private settled: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  private readonly done: Promise<void>;

  /** @internal */
  constructor(result: Promise<T>, callback?: (value: T) => void, errorCallback?: (error: unknown) => void) {
    // A callback that throws is reported, and changes nothing of the result (it runs before get() resolves, as in Python).
    this.done = result.then(
      (value) => {
        this.settled = { ok: true, value };
        if (callback !== undefined) callSafely(callback, value, () => this.toString());
      },
      (error: unknown) => {
        this.settled = { ok: false, error };
        if (errorCallback !== undefined) callSafely(errorCallback, error, () => this.toString());
      },
    );
  }

  /** The value; rejects with the task's error, or with `TimeoutError` if `timeout` ms pass first (a negative timeout has already passed, as in Python). */
  get(timeout?: number): Promise<T> {
    // Without a timeout: one promise, no timer (the common case, and the hot path of tiny tasks).
    if (timeout === undefined) return this.done.then(() => this.unwrap());
    return this.wait(timeout).then((ready) => {
      if (!ready) throw new TimeoutError(`the result was not ready within ${timeout} ms`);
      return this.unwrap();
    });
  }

  private unwrap(): T {
    const s = this.settled!;
    if (s.ok) return s.value;
    throw s.error;
  }

  /** Waits until ready, or `timeout` ms; resolves whether it is ready. */
  async wait(timeout?: number): Promise<boolean> {
    const ms = passedTimeout(timeout);
    if (this.settled) return true;
    if (ms === Infinity) {
      await this.done;
      return true;
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.done, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
    clearTimeout(timer);
    return this.settled !== undefined;
  }

  ready(): boolean {
    return this.settled !== undefined;
  }

  /** Whether it ended without an error; `StateError` if it is not ready yet (Python's `ValueError`). */
  successful(): boolean {
    if (!this.settled) throw new StateError(`${this.toString()} not ready`);
    return this.settled.ok;
  }

  toString(): string {
    return `<AsyncResult ${this.settled === undefined ? 'pending' : this.settled.ok ? 'successful' : 'failed'}>`;
  }
}
