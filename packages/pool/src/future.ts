import { TimeoutError, checkTimeout } from '@ipc/core';
import { CancelledError, InvalidStateError } from './errors.js';

type State = 'pending' | 'running' | 'cancelled' | 'finished';

/** Python's `concurrent.futures.Future`: the eventual result of `executor.submit()`. */
export class Future<T> {
  private state: State = 'pending';
  private outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  private readonly callbacks: ((f: Future<T>) => void)[] = [];
  private readonly waiters: (() => void)[] = [];
  /** @internal Set by the executor: cancels the job if it has not started. */
  cancelJob: (() => boolean) | undefined;

  /** Cancels it if it has not started running; `true` if it is (now) cancelled. */
  cancel(): boolean {
    if (this.state === 'cancelled') return true;
    if (this.state !== 'pending') return false;
    if (this.cancelJob !== undefined && !this.cancelJob()) return false;
    this.state = 'cancelled';
    this.finish();
    return true;
  }

  cancelled(): boolean {
    return this.state === 'cancelled';
  }

  running(): boolean {
    return this.state === 'running';
  }

  done(): boolean {
    return this.state === 'cancelled' || this.state === 'finished';
  }

  /** The value; rejects with the task's error, `CancelledError`, or `TimeoutError` after `timeout` ms. */
  async result(timeout?: number): Promise<T> {
    await this.settledWithin(timeout);
    if (this.state === 'cancelled') throw new CancelledError();
    const o = this.outcome!;
    if (o.ok) return o.value;
    throw o.error;
  }

  /** The task's error, or undefined if it succeeded; `CancelledError` / `TimeoutError` as `result()`. */
  async exception(timeout?: number): Promise<unknown> {
    await this.settledWithin(timeout);
    if (this.state === 'cancelled') throw new CancelledError();
    const o = this.outcome!;
    return o.ok ? undefined : o.error;
  }

  /** Calls `fn(future)` once it is done (at once if it is). */
  addDoneCallback(fn: (f: Future<T>) => void): void {
    if (this.done()) fn(this);
    else this.callbacks.push(fn);
  }

  /** @internal */
  setRunning(): void {
    if (this.state === 'pending') this.state = 'running';
  }

  /** @internal Python's `set_result`. */
  setResult(value: T): void {
    if (this.done()) throw new InvalidStateError(`the future is already ${this.state}`);
    this.state = 'finished';
    this.outcome = { ok: true, value };
    this.finish();
  }

  /** @internal Python's `set_exception`. */
  setException(error: unknown): void {
    if (this.done()) throw new InvalidStateError(`the future is already ${this.state}`);
    this.state = 'finished';
    this.outcome = { ok: false, error };
    this.finish();
  }

  /** @internal Resolves once done. */
  whenDone(): Promise<void> {
    return this.done() ? Promise.resolve() : new Promise((r) => this.waiters.push(r));
  }

  toString(): string {
    return `<Future state=${this.state}>`;
  }

  private async settledWithin(timeout: number | undefined): Promise<void> {
    if (this.done()) return;
    if (timeout === undefined) return this.whenDone();
    const ms = checkTimeout(timeout);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.whenDone(), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
    clearTimeout(timer);
    if (!this.done()) throw new TimeoutError(`the future was not done within ${timeout} ms`);
  }

  private finish(): void {
    for (const w of this.waiters.splice(0)) w();
    for (const cb of this.callbacks.splice(0)) {
      try {
        cb(this);
      } catch {
        // Python logs and ignores a failing done-callback.
      }
    }
  }
}
