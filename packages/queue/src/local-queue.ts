import { StateError, armTimeout, checkTimeout, notSendable } from '@ipc/core';
import { Empty, Full, ShutDown } from './errors.js';
import { maxsizeOf, type JoinOptions, type QueueOptions, type QueueWaitOptions, type ShutdownOptions } from './options.js';

interface Waiter {
  wake(): void;
}

/**
 * Python's `queue.Queue`: a queue for one thread's own tasks (async functions
 * of one event loop). It never leaves its thread — passing it to a Process
 * fails at `start()` with an error that says so — and costs no copy at all:
 * items are kept as they are.
 */
export class LocalQueue<T = unknown> {
  readonly [notSendable] = 'a LocalQueue lives in one thread (Python’s queue.Queue); to talk to other threads or processes use Queue from @ipc/queue';
  private limit: number;
  private readonly items: T[] = [];
  private readonly getters = new Set<Waiter>();
  private readonly putters = new Set<Waiter>();
  private readonly joiners = new Set<Waiter>();
  private unfinished = 0;
  private shut = false;

  /** `new LocalQueue({ maxsize })`, or `new LocalQueue(maxsize)` as Python's `queue.Queue(maxsize)`. */
  constructor(options: QueueOptions | number = {}) {
    this.limit = Math.max(0, maxsizeOf(options, 'LocalQueue'));
  }

  /** The most items the queue holds (0: no limit). Settable, as Python's: shrunk, puts wait until gets make room; grown, waiting puts go on. */
  get maxsize(): number {
    return this.limit;
  }

  set maxsize(maxsize: number) {
    this.limit = Math.max(0, maxsizeOf({ maxsize }, 'LocalQueue'));
    wakeAll(this.putters);
  }

  /** Items put and not yet marked done with `taskDone()` (Python's `unfinished_tasks`). */
  get unfinishedTasks(): number {
    return this.unfinished;
  }

  /** Whether `shutdown()` was called (Python's `is_shutdown`). */
  get isShutdown(): boolean {
    return this.shut;
  }

  qsize(): number {
    return this.items.length;
  }

  empty(): boolean {
    return this.items.length === 0;
  }

  full(): boolean {
    return this.limit > 0 && this.items.length >= this.limit;
  }

  /** Puts an item, waiting for room; `Full` when it cannot, `ShutDown` once the queue is shut down. */
  put(item: T, options: QueueWaitOptions = {}): Promise<void> {
    return waitFor(() => this.canPut(), () => this.putNow(item), this.putters, options, () => new Full());
  }

  putNowait(item: T): void {
    if (!this.canPut()) throw new Full();
    this.putNow(item);
  }

  /** Takes the next item, waiting for one; `Empty` when there is none in time, `ShutDown` once the queue is shut down and empty. */
  get(options: QueueWaitOptions = {}): Promise<T> {
    return waitFor(() => this.canGet(), () => this.getNow(), this.getters, options, () => new Empty());
  }

  getNowait(): T {
    if (!this.canGet()) throw new Empty();
    return this.getNow();
  }

  taskDone(): void {
    if (this.unfinished <= 0) throw new StateError('taskDone() called more times than there were items');
    if (--this.unfinished === 0) wakeAll(this.joiners);
  }

  async join(options: JoinOptions = {}): Promise<boolean> {
    try {
      return await waitFor(() => this.unfinished === 0, () => true, this.joiners, options, () => new Empty());
    } catch (err) {
      if (err instanceof Empty) return false;
      throw err;
    }
  }

  /**
   * Python 3.13's `shutdown(immediate=False)`: puts fail with `ShutDown` from
   * now on, and gets once the queue is empty; waiting puts and gets are woken
   * to see it. `immediate` (`shutdown(true)` or `{ immediate: true }`) drops
   * what is left, each item counted done, so `join()` returns.
   */
  shutdown(options: ShutdownOptions | boolean = {}): void {
    const immediate = typeof options === 'boolean' ? options : options.immediate === true;
    this.shut = true;
    if (immediate) {
      this.unfinished = Math.max(0, this.unfinished - this.items.length);
      this.items.length = 0;
      wakeAll(this.joiners);
    }
    wakeAll(this.getters);
    wakeAll(this.putters);
  }

  private canPut(): boolean {
    if (this.shut) throw new ShutDown();
    return !this.full();
  }

  private canGet(): boolean {
    if (this.items.length > 0) return true;
    if (this.shut) throw new ShutDown();
    return false;
  }

  private putNow(item: T): void {
    this.items.push(item);
    this.unfinished++;
    wakeOne(this.getters);
  }

  private getNow(): T {
    const item = this.items.shift() as T;
    wakeOne(this.putters);
    return item;
  }
}

/**
 * Waits (in this thread's event loop) until `ready()`, woken through
 * `waiters`, then does `act()` in the same step: another task may not take
 * the item (or the room) between the look and the act, as it could across an
 * `await` (a get that found an item would return `undefined`). `ready()` may
 * throw instead (`ShutDown`): the wait ends with that.
 */
async function waitFor<R>(ready: () => boolean, act: () => R, waiters: Set<Waiter>, options: QueueWaitOptions, onTimeout: () => Error): Promise<R> {
  const { block = true, timeout, signal } = options;
  const ms = checkTimeout(timeout);
  if (signal?.aborted) throw signal.reason;
  if (ready()) return act();
  if (!block) throw onTimeout();
  const until = performance.now() + ms;
  for (;;) {
    const left = until - performance.now();
    if (left <= 0) throw onTimeout();
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { wake: () => done(resolve) };
      const cancel = armTimeout(until - performance.now(), () => done(resolve));
      const onAbort = (): void => done(() => reject(signal?.reason as Error));
      const done = (then: () => void): void => {
        waiters.delete(waiter);
        cancel();
        signal?.removeEventListener('abort', onAbort);
        then();
      };
      waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    if (ready()) return act();
  }
}

function wakeOne(waiters: Set<Waiter>): void {
  const first = waiters.values().next();
  if (!first.done) first.value.wake();
}

function wakeAll(waiters: Set<Waiter>): void {
  for (const w of [...waiters]) w.wake();
}
