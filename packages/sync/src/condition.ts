import { ArgumentError, StateError, isHeapAlive, rebuildHandleSync, reduceHandle, runAsyncSteps, runSyncSteps, LIVENESS_CHECK_MS, type ContextKind, type HandleDescriptor, type ReduceContext, type Steps, wakeWord } from '@ipc/core';
import type { Held } from './_held.js';
import { Primitive } from './_primitive.js';
import { leftOf, waitDeadline } from './_waiting.js';
import { Lock, RLock } from './lock.js';
import type { AcquireOptions, AcquireSyncOptions, WaitOptions, WaitSyncOptions } from './options.js';

const TICKETS = 0; // the order waiters arrived in
const SLOTS_AT = 2;
const SLOT_WORDS = 4; // [state, ticket, owner heap id, -]
const SLOTS = 128;
const WORDS = SLOTS_AT + SLOTS * SLOT_WORDS;

/** How an abort reaches a waiting `waitSteps`: the flag, and a wake-up of its slot. */
interface Cancel {
  aborted: boolean;
  slot: number;
}

const FREE = 0;
const WAITING = 1;
const NOTIFIED = 2;
const CLAIMING = 3;

/**
 * Python's `Condition`: `wait` releases the lock, sleeps until notified, and
 * takes the lock back. `notify(n)` wakes exactly the `n` longest waiting (a
 * waiter that timed out or died is skipped, never counted).
 */
export class Condition extends Primitive {
  private lock!: Lock;

  constructor(lock?: Lock) {
    super(WORDS);
    if (lock !== undefined && !(lock instanceof Lock)) throw new ArgumentError('Condition takes a Lock or an RLock from @ipc/sync');
    this.lock = lock ?? new RLock();
  }

  protected get handleType(): string {
    return '@ipc/sync.Condition';
  }

  protected override describe(ctx: ReduceContext): unknown {
    return this.lock[reduceHandle](ctx);
  }

  protected override adopt(extra: unknown, kind: ContextKind): void {
    this.lock = rebuildHandleSync(extra as HandleDescriptor, kind) as Lock;
  }

  acquire(options?: AcquireOptions): Promise<boolean> {
    return this.lock.acquire(options);
  }

  acquireSync(options?: AcquireSyncOptions): boolean {
    return this.lock.acquireSync(options);
  }

  release(): void {
    this.lock.release();
  }

  withLock<T>(fn: () => T | Promise<T>, options?: AcquireOptions): Promise<T> {
    return this.lock.withLock(fn, options);
  }

  guard(options?: AcquireOptions): Promise<Held> {
    return this.lock.guard(options);
  }

  guardSync(options?: AcquireSyncOptions): Held {
    return this.lock.guardSync(options);
  }

  /** Holding the lock: releases it, waits to be notified, takes it back. `false` if `timeout` passed first. */
  wait(options: WaitOptions = {}): Promise<boolean> {
    const until = waitDeadline(options.timeout);
    if (this.remote) return this.remote.call('wait', [leftOf(until)], { signal: options.signal }) as Promise<boolean>;
    return this.waitAs(this.me(), until, options.signal);
  }

  waitSync(options: WaitSyncOptions = {}): boolean {
    const until = waitDeadline(options.timeout);
    if (this.remote) return this.remote.callSync('wait', [leftOf(until)]) as boolean;
    return runSyncSteps(this.waitSteps(this.me(), until, undefined));
  }

  /** Waits until `predicate()` is true; returns its last value (false-ish when `timeout` passed). */
  async waitFor<T>(predicate: () => T, options: WaitOptions = {}): Promise<T> {
    const until = waitDeadline(options.timeout);
    let result = predicate();
    while (!result) {
      const left = until - performance.now();
      if (left <= 0) break;
      await this.wait({ timeout: left === Infinity ? undefined : left, signal: options.signal });
      result = predicate();
    }
    return result;
  }

  waitForSync<T>(predicate: () => T, options: WaitSyncOptions = {}): T {
    const until = waitDeadline(options.timeout);
    let result = predicate();
    while (!result) {
      const left = until - performance.now();
      if (left <= 0) break;
      this.waitSync({ timeout: left === Infinity ? undefined : left });
      result = predicate();
    }
    return result;
  }

  /** Holding the lock: wakes up to `n` waiters, longest waiting first. */
  notify(n = 1): void {
    if (!Number.isInteger(n) || n < 0) throw new ArgumentError(`notify(n) takes an integer >= 0, not ${String(n)}`);
    if (this.remote) this.remote.callSync('notify', [n]);
    else this.notifyAs(this.me(), n);
  }

  notifyAll(): void {
    this.notify(SLOTS);
  }

  /** Python's multiprocessing repr: the lock's, and how many wait: `<Condition(<RLock(None, 0)>, 0)>`. */
  override toString(): string {
    if (this.remote !== undefined) return this.remoteRepr();
    let waiting = 0;
    for (let i = 0; i < SLOTS; i++) if (Atomics.load(this.state, SLOTS_AT + i * SLOT_WORDS) === WAITING) waiting++;
    return `<Condition(${String(this.lock)}, ${waiting})>`;
  }

  /**
   * An abort ends the wait like a timeout — the lock is still taken back
   * before the abort's reason is thrown, as Python's `wait` always retakes it —
   * so the signal is not handed to the driver, which would abort the retaking too.
   */
  private async waitAs(owner: number, until: number, signal: AbortSignal | undefined): Promise<boolean> {
    if (signal === undefined) return runAsyncSteps(this.waitSteps(owner, until, undefined), undefined);
    signal.throwIfAborted();
    const cancel: Cancel = { aborted: false, slot: -1 };
    const onAbort = (): void => {
      cancel.aborted = true;
      if (cancel.slot >= 0) wakeWord(this.state, cancel.slot);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const notified = await runAsyncSteps(this.waitSteps(owner, until, cancel), undefined);
      if (cancel.aborted && !notified) throw signal.reason;
      return notified;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  private *waitSteps(owner: number, until: number, cancel: Cancel | undefined): Steps<boolean> {
    if (!this.lock.isOwnedBy(owner)) throw new StateError('cannot wait on un-acquired lock');
    const slot = this.claimSlot(owner);
    if (cancel !== undefined) cancel.slot = slot;
    const saved = this.lock.releaseSave(owner);
    let notified = false;
    try {
      for (;;) {
        const state = Atomics.load(this.state, slot);
        if (state === NOTIFIED) {
          notified = true;
          break;
        }
        const now = performance.now();
        if (now >= until || cancel?.aborted === true) {
          // Timed out — unless a notify got here first, in which case it counts as notified.
          notified = Atomics.compareExchange(this.state, slot, WAITING, FREE) !== WAITING;
          break;
        }
        yield { i32: this.state, index: slot, expected: WAITING, until: Math.min(until, now + LIVENESS_CHECK_MS * 10) };
      }
    } finally {
      if (Atomics.compareExchange(this.state, slot, WAITING, FREE) !== WAITING) Atomics.store(this.state, slot, FREE);
      // Take the lock back as Python's wait always does — unless the waiter is gone (a remote caller that died).
      if (isHeapAlive(owner)) yield* this.lock.restoreSteps(owner, saved);
    }
    return notified;
  }

  private claimSlot(owner: number): number {
    for (let i = 0; i < SLOTS; i++) {
      const at = SLOTS_AT + i * SLOT_WORDS;
      if (Atomics.compareExchange(this.state, at, FREE, CLAIMING) !== FREE) continue;
      Atomics.store(this.state, at + 1, Atomics.add(this.state, TICKETS, 1));
      Atomics.store(this.state, at + 2, owner);
      Atomics.store(this.state, at, WAITING);
      return at;
    }
    throw new StateError(`more than ${SLOTS} waiters on one Condition`);
  }

  private notifyAs(owner: number, n: number): void {
    if (!this.lock.isOwnedBy(owner)) throw new StateError('cannot notify on un-acquired lock');
    const waiting: { at: number; ticket: number }[] = [];
    for (let i = 0; i < SLOTS; i++) {
      const at = SLOTS_AT + i * SLOT_WORDS;
      if (Atomics.load(this.state, at) !== WAITING) continue;
      // A waiter that died waiting is not a waiter: free its slot, do not count it.
      if (!isHeapAlive(Atomics.load(this.state, at + 2))) {
        Atomics.compareExchange(this.state, at, WAITING, FREE);
        continue;
      }
      waiting.push({ at, ticket: Atomics.load(this.state, at + 1) });
    }
    waiting.sort((a, b) => ((a.ticket - b.ticket) | 0));
    let woken = 0;
    for (const { at } of waiting) {
      if (woken === n) break;
      if (Atomics.compareExchange(this.state, at, WAITING, NOTIFIED) === WAITING) {
        wakeWord(this.state, at);
        woken++;
      }
    }
  }

  protected perform(op: string, args: readonly unknown[], owner: number, signal: AbortSignal): unknown {
    switch (op) {
      case 'wait':
        return this.waitAs(owner, args[0] === undefined ? Infinity : performance.now() + (args[0] as number), signal);
      case 'notify':
        return this.notifyAs(owner, args[0] as number);
      default:
        throw new StateError(`no operation ${op} on Condition`);
    }
  }

  static {
    Primitive.registerType('@ipc/sync.Condition', this.prototype);
  }
}
