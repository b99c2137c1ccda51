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

/**
 * How long a waiter watches a busy lock before it counts itself and sleeps.
 * Short on purpose: measured with two threads in a loop, 10 µs of watching
 * cost a third of the throughput (each look moves the word's cache line away
 * from the holder), 2 µs nothing.
 */
const WATCH_US = 2;
/** The longest pause between two looks at a busy word, in clock reads (`performance.now()` costs ~40 ns). */
const MAX_PAUSE = 16;

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
  lockSync(timeout?: number | null, owner = heapId()): Acquired | false {
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
    // Watched before counting itself a waiter: while one is counted, every unlock makes a
    // wake-up call (a futex syscall, more for an async waiter), and most holds end in a moment.
    if (this.watch(owner, until)) return 'acquired';
    if (performance.now() >= until) return false;
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
   * Watches a busy lock for up to WATCH_US (never past `until`; a deadline
   * already passed looks once), uncounted, taking it if it frees: `true` once
   * taken. Between looks it pauses longer each time (up to MAX_PAUSE clock
   * reads): a waiter that reads the word without pause takes a lock its holder
   * re-takes in a loop at almost every release, and each such hand-over moves
   * the lock's memory between cores (hundreds of ns).
   */
  watch(owner: number, until: number): boolean {
    const stop = Math.min(until, performance.now() + WATCH_US / 1000);
    for (let pause = 1; ; pause = Math.min(2 * pause, MAX_PAUSE)) {
      if (Atomics.load(this.i32, this.index) === 0 && Atomics.compareExchange(this.i32, this.index, 0, owner) === 0) return true;
      let now = 0;
      for (let k = 0; k < pause; k++) now = performance.now();
      if (now >= stop) return false;
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
