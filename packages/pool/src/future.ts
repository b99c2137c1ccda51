import { passedTimeout, untilOr, StateError, TimeoutError } from '@ipc/core';
import { CancelledError, InvalidStateError } from './errors.js';
import { callSafely } from './_report.js';

type State = 'pending' | 'running' | 'cancelled' | 'finished';

let futures = 0;

/** Python's `concurrent.futures.Future`: the eventual result of `executor.submit()`. */
export class Future<T> {
  private state: State = 'pending';
  private readonly serial = ++futures;
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

  /** The value; rejects with the task's error, `CancelledError`, or `TimeoutError` after `timeout` ms (a negative timeout has already passed, as in Python). */
  async result(timeout?: number | null): Promise<T> {
    await this.settledWithin(timeout);
    if (this.state === 'cancelled') throw new CancelledError();
    const o = this.outcome!;
    if (o.ok) return o.value;
    throw o.error;
  }

  /** The task's error, or `null` if it succeeded (Python's `None`); `CancelledError` / `TimeoutError` as `result()`. */
  async exception(timeout?: number | null): Promise<unknown> {
    await this.settledWithin(timeout);
    if (this.state === 'cancelled') throw new CancelledError();
    const o = this.outcome!;
    return o.ok ? null : o.error;
  }

  /**
   * Calls `fn(future)` once it is done — at once if it is. A callback that
   * throws is reported on stderr and ignored, as Python logs it: the others
   * still run, and nothing is thrown here.
   */
  addDoneCallback(fn: (f: Future<T>) => void): void {
    if (this.done()) callSafely(fn, this, () => this.toString());
    else this.callbacks.push(fn);
  }

  /** @internal Forgets a callback not yet called (a `wait()` that has returned). */
  removeDoneCallback(fn: (f: Future<T>) => void): void {
    const at = this.callbacks.indexOf(fn);
    if (at >= 0) this.callbacks.splice(at, 1);
  }

  /** @internal */
  setRunning(): void {
    if (this.state === 'pending') this.state = 'running';
  }

  /**
   * Python's `set_running_or_notify_cancel`, for whoever runs the work (an
   * executor of your own, a test): `false` if the future was cancelled (do
   * not run it), else it is now running (`true`, and `cancel()` can no longer
   * stop it). Called twice, or on a finished future: `StateError` (Python's
   * `RuntimeError`).
   */
  setRunningOrNotifyCancel(): boolean {
    if (this.state === 'cancelled') return false;
    if (this.state !== 'pending') throw new StateError(`Future in unexpected state: ${this.toString()}`);
    this.state = 'running';
    return true;
  }

  /** Python's `set_result`, for whoever runs the work; on a done future `InvalidStateError` ("FINISHED: <Future …>", as Python's). */
  setResult(value: T): void {
    this.checkNotDone();
    this.state = 'finished';
    this.outcome = { ok: true, value };
    this.finish();
  }

  /** Python's `set_exception`, for whoever runs the work; on a done future `InvalidStateError`. */
  setException(error: unknown): void {
    this.checkNotDone();
    this.state = 'finished';
    this.outcome = { ok: false, error };
    this.finish();
  }

  private checkNotDone(): void {
    if (this.done()) throw new InvalidStateError(`${this.state.toUpperCase()}: ${this.toString()}`);
  }

  /** @internal Resolves once done. */
  whenDone(): Promise<void> {
    return this.done() ? Promise.resolve() : new Promise((r) => this.waiters.push(r));
  }

  /**
   * As Python's repr: `<Future at 0x1f state=pending>`, `… state=finished
   * returned number>`, `… state=finished raised RangeError>`. The "address"
   * is a number unique to this future in this heap.
   */
  toString(): string {
    const o = this.outcome;
    const at = `<Future at 0x${this.serial.toString(16)} state=${this.state}`;
    if (this.state !== 'finished' || o === undefined) return `${at}>`;
    return o.ok ? `${at} returned ${typeName(o.value)}>` : `${at} raised ${typeName(o.error)}>`;
  }

  private async settledWithin(timeout: number | null | undefined): Promise<void> {
    const ms = passedTimeout(timeout);
    if (this.done()) return;
    if (ms === Infinity) return this.whenDone();
    await untilOr(this.whenDone(), ms);
    if (!this.done()) throw new TimeoutError(`the future was not done within ${timeout} ms`);
  }

  private finish(): void {
    for (const w of this.waiters.splice(0)) w();
    // Python logs and ignores a failing done-callback.
    for (const cb of this.callbacks.splice(0)) callSafely(cb, this, () => this.toString());
  }
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object' && typeof v !== 'function') return typeof v;
  const ctor = (v as { constructor?: { name?: unknown } }).constructor;
  return typeof ctor?.name === 'string' && ctor.name !== '' ? ctor.name : 'Object';
}
