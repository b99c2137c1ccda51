import { StateError, checkTimeout, notSendable } from '@ipc/core';
import { Empty, Full } from './errors.js';
import { maxsizeOf, type JoinOptions, type QueueOptions, type QueueWaitOptions } from './options.js';

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
  readonly maxsize: number;
  private readonly items: T[] = [];
  private readonly getters = new Set<Waiter>();
  private readonly putters = new Set<Waiter>();
  private readonly joiners = new Set<Waiter>();
  private unfinished = 0;

  /** `new LocalQueue({ maxsize })`, or `new LocalQueue(maxsize)` as Python's `queue.Queue(maxsize)`. */
  constructor(options: QueueOptions | number = {}) {
    this.maxsize = Math.max(0, maxsizeOf(options, 'LocalQueue'));
  }

  qsize(): number {
    return this.items.length;
  }

  empty(): boolean {
    return this.items.length === 0;
  }

  full(): boolean {
    return this.maxsize > 0 && this.items.length >= this.maxsize;
  }

  put(item: T, options: QueueWaitOptions = {}): Promise<void> {
    return waitFor(() => !this.full(), () => this.putNow(item), this.putters, options, () => new Full());
  }

  putNowait(item: T): void {
    if (this.full()) throw new Full();
    this.putNow(item);
  }

  get(options: QueueWaitOptions = {}): Promise<T> {
    return waitFor(() => !this.empty(), () => this.getNow(), this.getters, options, () => new Empty());
  }

  getNowait(): T {
    if (this.empty()) throw new Empty();
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
 * `await` (a get that found an item would return `undefined`).
 */
async function waitFor<R>(ready: () => boolean, act: () => R, waiters: Set<Waiter>, options: QueueWaitOptions, onTimeout: () => Error): Promise<R> {
  const { block = true, timeout, signal } = options;
  const ms = timeout === undefined ? Infinity : checkTimeout(timeout);
  if (signal?.aborted) throw signal.reason;
  if (ready()) return act();
  if (!block) throw onTimeout();
  const until = performance.now() + ms;
  for (;;) {
    const left = until - performance.now();
    if (left <= 0) throw onTimeout();
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { wake: () => done(resolve) };
      const timer = left === Infinity ? undefined : setTimeout(() => done(resolve), left);
      const onAbort = (): void => done(() => reject(signal?.reason as Error));
      const done = (then: () => void): void => {
        waiters.delete(waiter);
        clearTimeout(timer);
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
