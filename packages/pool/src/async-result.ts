import { passedTimeout, untilOr, StateError, TimeoutError } from '@ipc/core';
import { callSafely } from './_report.js';
import { SETTLE, type Settle } from './_settle.js';

/**
 * Python's `AsyncResult`: what `applyAsync`, `mapAsync` and `starmapAsync`
 * return. `get()` resolves with the value or rejects with the task's error.
 */
export class AsyncResult<T> implements Settle {
  private settled: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  /** The first get() before the end: its promise's own functions, kept as they are (tiny tasks are many; a closure each would be held with them). */
  private resolveFirst: ((value: T) => void) | undefined;
  private rejectFirst: ((error: unknown) => void) | undefined;
  /** Whoever else waits for the end (more get()s, wait()). */
  private waiting: (() => void)[] | undefined;

  /** @internal */
  constructor(
    private readonly callback?: (value: T) => void,
    private readonly errorCallback?: (error: unknown) => void,
  ) {}

  /** @internal The outcome of a promise (a map's, whose chunks are joined first). */
  static of<T>(result: Promise<T>, callback?: (value: T) => void, errorCallback?: (error: unknown) => void): AsyncResult<T> {
    // `this`, not the class's name: a class naming itself inside its body is built as `class _AsyncResult`, and `.name` shows it.
    const out: AsyncResult<T> = new this(callback, errorCallback);
    result.then(
      (value) => out[SETTLE](true, value),
      (error: unknown) => out[SETTLE](false, error),
    );
    return out;
  }

  /** @internal The job's outcome, straight from the pool: no promise in between. */
  [SETTLE](ok: boolean, value: unknown): void {
    if (this.settled !== undefined) return;
    // A callback that throws is reported, and changes nothing of the result (it runs before get() resolves, as in Python).
    if (ok) {
      this.settled = { ok, value: value as T };
      if (this.callback !== undefined) callSafely(this.callback, value as T, () => this.toString());
    } else {
      this.settled = { ok, error: value };
      if (this.errorCallback !== undefined) callSafely(this.errorCallback, value, () => this.toString());
    }
    const resolve = this.resolveFirst;
    const reject = this.rejectFirst;
    const waiting = this.waiting;
    this.resolveFirst = this.rejectFirst = this.waiting = undefined;
    if (resolve !== undefined) {
      if (ok) resolve(value as T);
      else reject!(value);
    }
    if (waiting !== undefined) for (const wake of waiting) wake();
  }

  /** The value; rejects with the task's error, or with `TimeoutError` if `timeout` ms pass first (a negative timeout has already passed, as in Python). */
  get(timeout?: number | null): Promise<T> {
    // Without a timeout: one promise, no timer (the common case, and the hot path of tiny tasks).
    if (timeout == null) {
      // The task's error is passed on as it was thrown, whatever it is.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      if (this.settled !== undefined) return this.settled.ok ? Promise.resolve(this.settled.value) : Promise.reject(this.settled.error);
      if (this.resolveFirst !== undefined) return this.ended().then(() => this.unwrap());
      return new Promise<T>((resolve, reject) => {
        this.resolveFirst = resolve;
        this.rejectFirst = reject;
      });
    }
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

  /** Resolves once it has ended. */
  private ended(): Promise<void> {
    if (this.settled !== undefined) return Promise.resolve();
    return new Promise<void>((resolve) => (this.waiting ??= []).push(resolve));
  }

  /** Waits until ready, or `timeout` ms; resolves whether it is ready. */
  async wait(timeout?: number | null): Promise<boolean> {
    const ms = passedTimeout(timeout);
    if (this.settled) return true;
    if (ms === Infinity) {
      await this.ended();
      return true;
    }
    await untilOr(this.ended(), ms);
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
