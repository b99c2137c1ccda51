import { RobustMutex, StateError, heapId, runAsyncSteps, type Acquired, wakeWord } from '@ipc/core';
import { heldUntilReleased, type Held } from './_held.js';
import { lockBlocking } from './_lock-blocking.js';
import { Primitive } from './_primitive.js';
import { acquireDeadline, leftOf } from './_waiting.js';
import type { AcquireOptions, AcquireSyncOptions } from './options.js';

const MUTEX = 0;
const WAITERS = 1; // the mutex's count of sleeping waiters
const COUNT = 2; // RLock's recursion count
const WORDS = 4;
/** Looks at a busy lock's word before sleeping (see `spinFor`). */
const SPIN = 100;

/** Something with `acquire` / `release`: what `Condition` and the guards work with. */
export interface Lockable {
  acquire(options?: AcquireOptions): Promise<boolean>;
  acquireSync(options?: AcquireSyncOptions): boolean;
  release(): void;
}


/**
 * Python's `multiprocessing.Lock`: one holder at a time, across threads and
 * processes; any holder of the object may release it (as in Python).
 *
 * A holder that dies holding it (a terminated worker, a SIGKILLed process)
 * does not block the rest: the next acquirer takes it over, and its
 * `abandoned` is `true` — the state the lock protected may be half-changed.
 */
export class Lock extends Primitive implements Lockable {
  /** Whether this heap's last successful acquire took the lock over from a holder that died. */
  abandoned = false;

  constructor() {
    super(WORDS);
  }

  protected get handleType(): string {
    return '@ipc/sync.Lock';
  }

  /** Resolves `true` once acquired, `false` if `timeout` passed (or at once with `block: false`). */
  async acquire(options?: AcquireOptions): Promise<boolean> {
    const until = options === undefined ? Infinity : acquireDeadline(options);
    if (this.remote !== undefined) return this.took((await this.remote.call('acquire', [leftOf(until)], { signal: options?.signal })) as Acquired | false);
    options?.signal?.throwIfAborted();
    const me = heapId();
    if (this.tryFast(me) || (until !== 0 && this.spinFor(me))) return this.took('acquired');
    return this.took(await this.acquireAs(me, until, options?.signal));
  }

  acquireSync(options?: AcquireSyncOptions): boolean {
    const until = options === undefined ? Infinity : acquireDeadline(options);
    if (this.remote !== undefined) return this.took(this.remote.callSync('acquire', [leftOf(until)]) as Acquired | false);
    const me = heapId();
    if (this.tryFast(me)) {
      // Written out, not `took()`: a worker's loop runs interpreted for its first
      // thousands of rounds, and there each call of the hot path costs.
      this.abandoned = false;
      return true;
    }
    return this.took(this.acquireAsSync(me, until));
  }

  release(): void {
    if (this.remote !== undefined) this.remote.callSync('release');
    else this.releaseAs(heapId());
  }

  /** Whether someone holds it. */
  locked(): boolean {
    return this.remote ? (this.remote.callSync('locked') as boolean) : this.mutex().owner() !== 0;
  }

  /** Runs `fn` holding the lock, releasing it however `fn` ends (Python's `with lock:`). */
  async withLock<T>(fn: () => T | Promise<T>, options?: AcquireOptions): Promise<T> {
    if (!(await this.acquire(options))) throw new StateError('the lock was not acquired in time');
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  /** `await using held = await lock.guard()`: acquired now, released at the end of the scope. */
  async guard(options?: AcquireOptions): Promise<Held> {
    if (!(await this.acquire(options))) throw new StateError('the lock was not acquired in time');
    return heldUntilReleased(this);
  }

  /** `using held = lock.guardSync()`. */
  guardSync(options?: AcquireSyncOptions): Held {
    if (!this.acquireSync(options)) throw new StateError('the lock was not acquired in time');
    return heldUntilReleased(this);
  }

  /** Python's multiprocessing repr: `<Lock(owner=None)>`, or the holder's heap id. */
  override toString(): string {
    if (this.remote !== undefined) return this.remoteRepr();
    return `<Lock(owner=${this.mutex().owner() || 'None'})>`;
  }

  private took(got: Acquired | false): boolean {
    if (got === false) return false;
    this.abandoned = got === 'abandoned';
    return true;
  }

  private cachedMutex: RobustMutex | undefined;

  protected mutex(): RobustMutex {
    return (this.cachedMutex ??= new RobustMutex(this.state, MUTEX));
  }

  /** @internal The uncontended path: one compare-and-swap, no allocation. */
  protected tryFast(owner: number): boolean {
    return Atomics.compareExchange(this.state, MUTEX, 0, owner) === 0;
  }

  /**
   * A holder keeps a lock for a moment: spin on the word before registering
   * as a sleeping waiter, so the holder's release need not wake anyone (a
   * futex wake-up costs microseconds; the spin, a few hundred nanoseconds).
   */
  private spinFor(owner: number): boolean {
    for (let i = 0; i < SPIN; i++) if (Atomics.load(this.state, MUTEX) === 0 && this.tryFast(owner)) return true;
    return false;
  }

  /** @internal */
  acquireAs(owner: number, until: number, signal: AbortSignal | undefined): Promise<Acquired | false> {
    return runAsyncSteps(this.mutex().lockSteps(owner, until), signal);
  }

  /** @internal */
  acquireAsSync(owner: number, until: number): Acquired | false {
    return lockBlocking(this.mutex(), this.state, MUTEX, owner, until);
  }

  /** @internal */
  releaseAs(_owner: number): void {
    // The mutex's `unlockAny`, in one exchange instead of a read and a compare-and-swap
    // (any holder may release a Lock): an atomic operation costs ~10 ns, the lock ~35.
    if (Atomics.exchange(this.state, MUTEX, 0) === 0) throw new StateError('release of an unlocked lock');
    if (Atomics.load(this.state, WAITERS) > 0) wakeWord(this.state, MUTEX, 1);
  }

  /** @internal Whether `owner` holds it (what Condition checks). */
  isOwnedBy(owner: number): boolean {
    return this.mutex().owner() === owner;
  }

  /** @internal Releases fully for `Condition.wait`, returning what `restore` needs. */
  releaseSave(owner: number): number {
    this.releaseAs(owner);
    return 1;
  }

  /** @internal */
  restoreSteps(owner: number, _saved: number): ReturnType<RobustMutex['lockSteps']> {
    return this.mutex().lockSteps(owner, Infinity);
  }

  protected perform(op: string, args: readonly unknown[], owner: number, signal: AbortSignal): unknown {
    switch (op) {
      case 'acquire':
        return this.acquireAs(owner, args[0] === undefined ? Infinity : performance.now() + (args[0] as number), signal);
      case 'release':
        return this.releaseAs(owner);
      case 'locked':
        return this.mutex().owner() !== 0;
      default:
        return this.performMore(op, args, owner, signal);
    }
  }

  protected override ownerGone(owner: number): void {
    if (this.mutex().owner() === owner) wakeWord(this.state, MUTEX);
  }

  protected performMore(op: string, _args: readonly unknown[], _owner: number, _signal: AbortSignal): unknown {
    throw new StateError(`no operation ${op} on ${this.constructor.name}`);
  }

  static {
    Primitive.registerType('@ipc/sync.Lock', this.prototype);
  }
}

/**
 * Python's `RLock`: the holder may acquire again (a recursion count), and
 * only the holder may release — another thread or process gets `StateError`.
 */
export class RLock extends Lock {
  protected override get handleType(): string {
    return '@ipc/sync.RLock';
  }

  override async acquireAs(owner: number, until: number, signal: AbortSignal | undefined): Promise<Acquired | false> {
    if (this.mutex().owner() === owner) return this.again();
    const got = await super.acquireAs(owner, until, signal);
    if (got !== false) Atomics.store(this.state, COUNT, 1);
    return got;
  }

  override acquireAsSync(owner: number, until: number): Acquired | false {
    if (this.mutex().owner() === owner) return this.again();
    const got = super.acquireAsSync(owner, until);
    if (got !== false) Atomics.store(this.state, COUNT, 1);
    return got;
  }

  // The count is touched only by the holder, between its acquire and release of the
  // owner word (seq-cst operations that order it for the next holder): plain reads
  // and writes suffice, and cost a fraction of an atomic one on this hot path.
  protected override tryFast(owner: number): boolean {
    const cur = Atomics.compareExchange(this.state, MUTEX, 0, owner);
    if (cur === 0) this.state[COUNT] = 1;
    else if (cur === owner) this.state[COUNT]!++;
    return cur === 0 || cur === owner;
  }

  private again(): 'acquired' {
    this.state[COUNT]!++;
    return 'acquired';
  }

  override releaseAs(owner: number): void {
    // A plain read: only `owner`'s own acquire, done by this thread (a remote caller's
    // too: its home's), writes `owner` into the word, so this thread reads it right.
    const holder = this.state[MUTEX];
    if (holder === 0) throw new StateError('cannot release un-acquired lock');
    if (holder !== owner) throw new StateError('cannot release a lock held by another thread or process');
    const left = this.state[COUNT]! - 1;
    this.state[COUNT] = left;
    if (left > 0) return;
    // The mutex's `unlock`, written out. A compare-and-swap, not a store: a holder that
    // died this instant (a remote caller) may have been taken over since the check.
    if (Atomics.compareExchange(this.state, MUTEX, owner, 0) !== owner) throw new StateError('cannot release a lock held by another thread or process');
    if (Atomics.load(this.state, WAITERS) > 0) wakeWord(this.state, MUTEX, 1);
  }

  /** Python's multiprocessing repr: `<RLock(None, 0)>`, or the holder's heap id and recursion count. */
  override toString(): string {
    if (this.remote !== undefined) return this.remoteRepr();
    const owner = this.mutex().owner();
    return owner === 0 ? '<RLock(None, 0)>' : `<RLock(${owner}, ${Atomics.load(this.state, COUNT)})>`;
  }

  /** Whether this thread (this heap) holds it (Python's `RLock._is_owned()`). */
  isOwned(): boolean {
    // A plain read, as in `releaseAs`: this thread's own id is there only if this thread put it there.
    return this.remote === undefined ? this.state[MUTEX] === heapId() : (this.remote.callSync('isOwned') as boolean);
  }

  /** How many times this thread (this heap) holds it: 0 when free or held by another (Python's `RLock._recursion_count()`). */
  get count(): number {
    return this.remote ? (this.remote.callSync('count') as number) : this.countFor(heapId());
  }

  private countFor(owner: number): number {
    return this.mutex().owner() === owner ? Atomics.load(this.state, COUNT) : 0;
  }

  override releaseSave(owner: number): number {
    if (this.mutex().owner() !== owner) throw new StateError('cannot release un-acquired lock');
    const count = Atomics.load(this.state, COUNT);
    Atomics.store(this.state, COUNT, 0);
    this.mutex().unlock(owner);
    return count;
  }

  override *restoreSteps(owner: number, saved: number): ReturnType<RobustMutex['lockSteps']> {
    const got = yield* this.mutex().lockSteps(owner, Infinity);
    Atomics.store(this.state, COUNT, saved);
    return got;
  }

  protected override performMore(op: string, args: readonly unknown[], owner: number, signal: AbortSignal): unknown {
    if (op === 'count') return this.countFor(owner);
    if (op === 'isOwned') return this.mutex().owner() === owner;
    return super.performMore(op, args, owner, signal);
  }

  static {
    Primitive.registerType('@ipc/sync.RLock', this.prototype);
  }
}
