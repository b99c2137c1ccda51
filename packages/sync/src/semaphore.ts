import { StateError, heapId, isHeapAlive, runAsyncSteps, runSyncSteps, LIVENESS_CHECK_MS, ArgumentError, type Acquired, type Steps, wakeWord } from '@ipc/core';
import { Primitive } from './_primitive.js';
import { acquireDeadline, leftOf } from './_waiting.js';
import type { AcquireOptions, AcquireSyncOptions } from './options.js';
import { heldUntilReleased, type Held } from './_held.js';
import type { Lockable } from './lock.js';
import { atEnd, type Ending } from './_ending.js';

const VALUE = 0; // permits free
const WAITERS = 1;
const BOUND = 2; // the most permits there may be free: BoundedSemaphore's value, else MAX_VALUE
/** A value is one word of shared memory (Python's multiprocessing semaphores stop at the C int's limit too). */
const MAX_VALUE = 0x7fffffff;
const HOLDERS = 4; // [heap id, permits] pairs: who holds what, so a dead holder's permits come back
const SLOTS = 64;
const WORDS = HOLDERS + SLOTS * 2;

/**
 * Python's `multiprocessing.Semaphore`: `value` permits, across threads and
 * processes. Permits held by a holder that dies come back to the others (the
 * acquirer that gets one is told: `abandoned` is `true`), where Python would
 * lose them for ever.
 */
export class Semaphore extends Primitive implements Lockable, Ending {
  /** Whether this heap's last successful acquire got a permit back from a holder that died. */
  abandoned = false;
  private endHooked: true | undefined;
  /** The holder slot this heap used last (see `record`). */
  private slotHint: number | undefined;

  constructor(value = 1) {
    super(WORDS);
    if (!Number.isInteger(value)) throw new ArgumentError(`semaphore initial value must be an integer, not ${String(value)}`);
    // Python's words for a negative value; one word holds the count.
    if (value < 0) throw new ArgumentError(`semaphore initial value must be >= 0, not ${value}`);
    if (value > MAX_VALUE) throw new ArgumentError(`semaphore initial value must be <= ${MAX_VALUE} (one word of shared memory), not ${value}`);
    this.state[VALUE] = value;
    this.state[BOUND] = MAX_VALUE;
  }

  protected get handleType(): string {
    return '@ipc/sync.Semaphore';
  }

  /** Takes a permit: `true`, or `false` when `timeout` passes (at once with `block: false`). */
  async acquire(options?: AcquireOptions): Promise<boolean> {
    const until = options === undefined ? Infinity : acquireDeadline(options);
    if (this.remote !== undefined) return this.took((await this.remote.call('acquire', [leftOf(until)], { signal: options?.signal })) as Acquired | false);
    options?.signal?.throwIfAborted();
    const me = heapId();
    if (this.tryTake(me)) return this.took('acquired');
    return this.took(await runAsyncSteps(this.acquireSteps(me, until), options?.signal));
  }

  acquireSync(options?: AcquireSyncOptions): boolean {
    const until = options === undefined ? Infinity : acquireDeadline(options);
    if (this.remote !== undefined) return this.took(this.remote.callSync('acquire', [leftOf(until)]) as Acquired | false);
    const me = heapId();
    if (this.tryTake(me)) return this.took('acquired');
    return this.took(runSyncSteps(this.acquireSteps(me, until)));
  }

  /** Gives back `n` permits (anyone may, as in Python); beyond 2³¹ − 1 free permits (a BoundedSemaphore: its value) → `StateError`, nothing given back. */
  release(n = 1): void {
    if (!Number.isInteger(n) || n < 1) throw new ArgumentError(`release(n) takes a positive integer, not ${String(n)}`);
    if (this.remote) this.remote.callSync('release', [n]);
    else this.releaseAs(this.me(), n);
  }

  /** Free permits now (Python's `get_value()`). */
  getValue(): number {
    return this.remote ? (this.remote.callSync('value') as number) : Atomics.load(this.state, VALUE);
  }

  async withPermit<T>(fn: () => T | Promise<T>, options?: AcquireOptions): Promise<T> {
    if (!(await this.acquire(options))) throw new StateError('no permit was acquired in time');
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  /** `await using held = await sem.guard()`. */
  async guard(options?: AcquireOptions): Promise<Held> {
    if (!(await this.acquire(options))) throw new StateError('no permit was acquired in time');
    return heldUntilReleased(this);
  }

  guardSync(options?: AcquireSyncOptions): Held {
    if (!this.acquireSync(options)) throw new StateError('no permit was acquired in time');
    return heldUntilReleased(this);
  }

  /** Python's multiprocessing repr: `<Semaphore(value=3)>`, `<BoundedSemaphore(value=2, maxvalue=3)>`. */
  override toString(): string {
    if (this.remote !== undefined) return this.remoteRepr();
    const value = Atomics.load(this.state, VALUE);
    const bound = Atomics.load(this.state, BOUND);
    return this instanceof BoundedSemaphore ? `<BoundedSemaphore(value=${value}, maxvalue=${bound})>` : `<Semaphore(value=${value})>`;
  }

  private took(got: Acquired | false): boolean {
    if (got === false) return false;
    this.abandoned = got === 'abandoned';
    if (this.endHooked === undefined) {
      this.endHooked = true;
      atEnd(this);
    }
    return true;
  }

  /**
   * @internal This heap ends normally: the permits it holds stay taken (as in
   * Python, where a permit may be released by another thread), but are no
   * longer its own, so they do not come back as a dead holder's.
   */
  disownAtEnd(): void {
    if (this.remote !== undefined) this.remote.callSync('disown', [], { timeout: 2000 });
    else this.disownAs(heapId());
  }

  private disownAs(owner: number): void {
    for (let i = 0; i < SLOTS; i++) {
      const at = HOLDERS + i * 2;
      if (Atomics.load(this.state, at) !== owner) continue;
      Atomics.store(this.state, at + 1, 0);
      Atomics.compareExchange(this.state, at, owner, 0);
    }
  }

  /** The uncontended path: a compare-and-swap while permits are free, no allocation. */
  private tryTake(owner: number): boolean {
    for (let value = Atomics.load(this.state, VALUE); value > 0; value = Atomics.load(this.state, VALUE)) {
      if (Atomics.compareExchange(this.state, VALUE, value, value - 1) === value) {
        this.record(owner, 1);
        return true;
      }
    }
    return false;
  }

  private *acquireSteps(owner: number, until: number): Steps<Acquired | false> {
    let recovered = false;
    for (;;) {
      if (this.tryTake(owner)) return recovered ? 'abandoned' : 'acquired';
      if (this.reclaimDead()) {
        recovered = true;
        continue;
      }
      const now = performance.now();
      if (now >= until) return false;
      Atomics.add(this.state, WAITERS, 1);
      try {
        yield { i32: this.state, index: VALUE, expected: 0, until: Math.min(until, now + LIVENESS_CHECK_MS) };
      } finally {
        Atomics.sub(this.state, WAITERS, 1);
      }
    }
  }

  private releaseAs(owner: number, n: number): void {
    const bound = Atomics.load(this.state, BOUND);
    for (;;) {
      const value = Atomics.load(this.state, VALUE);
      if (value + n > bound) throw new StateError('semaphore released too many times');
      if (Atomics.compareExchange(this.state, VALUE, value, value + n) === value) break;
    }
    this.record(owner, -n);
    if (Atomics.load(this.state, WAITERS) > 0) wakeWord(this.state, VALUE, n);
  }

  /** Counts permits per holder heap (a release by a non-holder — allowed — changes no one's count). */
  private record(owner: number, delta: number): void {
    // This heap's last slot first: usually still its own, or free again (a second slot of one owner is harmless: counts add up).
    const hint = HOLDERS + (this.slotHint ?? 0) * 2;
    if (delta > 0 && (Atomics.load(this.state, hint) === owner || Atomics.compareExchange(this.state, hint, 0, owner) === 0)) {
      Atomics.add(this.state, hint + 1, delta);
      return;
    }
    for (let i = 0; i < SLOTS; i++) {
      const at = HOLDERS + i * 2;
      if (Atomics.load(this.state, at) !== owner) continue;
      if (delta > 0) {
        Atomics.add(this.state, at + 1, delta);
        this.slotHint = i;
      } else {
        const held = Atomics.load(this.state, at + 1);
        Atomics.store(this.state, at + 1, Math.max(0, held + delta));
        if (held + delta <= 0) Atomics.compareExchange(this.state, at, owner, 0);
      }
      return;
    }
    if (delta <= 0) return;
    for (let i = 0; i < SLOTS; i++) {
      const at = HOLDERS + i * 2;
      if (Atomics.compareExchange(this.state, at, 0, owner) === 0) {
        Atomics.store(this.state, at + 1, delta);
        this.slotHint = i;
        return;
      }
    }
    // More than SLOTS holders at once: this one's permits are not tracked (they cannot come back if it dies).
  }

  /** Gives back the permits of holders that died; true if any came back. */
  private reclaimDead(): boolean {
    let any = false;
    for (let i = 0; i < SLOTS; i++) {
      const at = HOLDERS + i * 2;
      const owner = Atomics.load(this.state, at);
      if (owner === 0 || isHeapAlive(owner)) continue;
      const held = Atomics.exchange(this.state, at + 1, 0);
      if (Atomics.compareExchange(this.state, at, owner, 0) !== owner) continue;
      if (held > 0) {
        Atomics.add(this.state, VALUE, held);
        any = true;
      }
    }
    return any;
  }

  protected override ownerGone(): void {
    if (Atomics.load(this.state, WAITERS) > 0) wakeWord(this.state, VALUE);
  }

  protected perform(op: string, args: readonly unknown[], owner: number, signal: AbortSignal): unknown {
    switch (op) {
      case 'acquire':
        return runAsyncSteps(this.acquireSteps(owner, args[0] === undefined ? Infinity : performance.now() + (args[0] as number)), signal);
      case 'release':
        return this.releaseAs(owner, args[0] as number);
      case 'value':
        return Atomics.load(this.state, VALUE);
      case 'disown':
        return this.disownAs(owner);
      default:
        throw new StateError(`no operation ${op} on ${this.constructor.name}`);
    }
  }

  static {
    Primitive.registerType('@ipc/sync.Semaphore', this.prototype);
  }
}

/** Python's `BoundedSemaphore`: releasing beyond the initial value is a `StateError`. */
export class BoundedSemaphore extends Semaphore {
  constructor(value = 1) {
    super(value);
    this.state[BOUND] = value;
  }

  protected override get handleType(): string {
    return '@ipc/sync.BoundedSemaphore';
  }

  static {
    Primitive.registerType('@ipc/sync.BoundedSemaphore', this.prototype);
  }
}
