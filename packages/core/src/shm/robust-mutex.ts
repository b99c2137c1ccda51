/**
 * A mutex in two words of shared memory, owned by a heap id (see
 * heap-registry.ts). Unlike a plain futex lock it survives its owner's death:
 * a waiter that finds the owner's heap gone takes the lock over and is told
 * so ('abandoned'), as a robust pthread mutex reports EOWNERDEAD.
 *
 * Words: [index] the owner's heap id (0 when free), [index + 1] the number of
 * blocked waiters, so an uncontended unlock makes no wake-up call.
 */
import { StateError } from '../errors.js';
import { heapId, isHeapAlive } from '../heap-registry.js';
import type { WaitOptions } from './atomic-wait.js';
import { deadline, runAsync, runSync, type Steps } from './steps.js';

/** How a lock was obtained: normally, or taken over from an owner that died holding it. */
export type Acquired = 'acquired' | 'abandoned';

/** How often a blocked waiter looks whether the owner is still alive. */
export const LIVENESS_CHECK_MS = 100;

export class RobustMutex {
  /** The number of Int32 words a mutex takes. */
  static readonly WORDS = 2;

  constructor(
    private readonly i32: Int32Array,
    private readonly index: number,
  ) {}

  /** The owner's heap id, 0 when free. */
  owner(): number {
    return Atomics.load(this.i32, this.index);
  }

  /** Takes the lock if it is free (or its owner is dead); `false` otherwise. Never waits. */
  tryLock(owner = heapId()): Acquired | false {
    const cur = Atomics.compareExchange(this.i32, this.index, 0, owner);
    if (cur === 0) return 'acquired';
    if (cur !== owner && !isHeapAlive(cur) && Atomics.compareExchange(this.i32, this.index, cur, owner) === cur) return 'abandoned';
    return false;
  }

  /** Blocks until the lock is taken (`'acquired'` / `'abandoned'`) or `timeout` ms pass (`false`). */
  lockSync(timeout?: number, owner = heapId()): Acquired | false {
    return this.tryLock(owner) || runSync(this.lockSteps(owner, deadline(timeout)));
  }

  /** As `lockSync`, without blocking the thread. */
  lock(options: WaitOptions = {}, owner = heapId()): Promise<Acquired | false> {
    const until = deadline(options.timeout);
    const got = this.tryLock(owner);
    return got !== false ? Promise.resolve(got) : runAsync(this.lockSteps(owner, until), options.signal);
  }

  /** The waiting part of a lock, for `runSync` / `runAsync` (and for structures that take the lock inside their own steps). */
  *lockSteps(owner: number, until: number): Steps<Acquired | false> {
    const got = this.tryLock(owner);
    if (got !== false) return got;
    Atomics.add(this.i32, this.index + 1, 1);
    try {
      for (;;) {
        const cur = Atomics.load(this.i32, this.index);
        if (cur !== 0) {
          const now = performance.now();
          if (now >= until) return false;
          yield { i32: this.i32, index: this.index, expected: cur, until: Math.min(until, now + LIVENESS_CHECK_MS) };
        }
        const again = this.tryLock(owner);
        if (again !== false) return again;
      }
    } finally {
      Atomics.sub(this.i32, this.index + 1, 1);
    }
  }

  /**
   * Releases the lock whoever holds it (Python's `Lock` may be released by any
   * thread); `StateError` when it is not locked.
   */
  unlockAny(): void {
    const cur = Atomics.load(this.i32, this.index);
    if (cur === 0 || Atomics.compareExchange(this.i32, this.index, cur, 0) !== cur) throw new StateError('release of an unlocked lock');
    if (Atomics.load(this.i32, this.index + 1) > 0) Atomics.notify(this.i32, this.index, 1);
  }

  /** Releases the lock; only its owner may. */
  unlock(owner = heapId()): void {
    if (Atomics.compareExchange(this.i32, this.index, owner, 0) !== owner) {
      throw new StateError(Atomics.load(this.i32, this.index) === 0 ? 'release of an unlocked lock' : 'release of a lock held by another thread or process');
    }
    if (Atomics.load(this.i32, this.index + 1) > 0) Atomics.notify(this.i32, this.index, 1);
  }
}
