import { RLock, type Lock } from '@ipc/sync';

/** Python's `lock=` argument of `Value` and `Array`: `true` or `null` (Python's `None`: a fresh RLock), `false` (raw), or a lock of the user's own. */
export type LockOption = boolean | null | Lock;

export interface SharedOptions {
  /** Default `true`: every access takes a fresh `RLock` (as Python's; `null` too, as `lock=None`). `false` gives the raw object; a `Lock`/`RLock` of @ipc/sync is used as is. */
  lock?: LockOption;
}

/** The lock a synchronized object uses, or undefined for a raw one; a wrong `lock` is a `TypeError`. */
export function lockFor(option: LockOption | undefined): Lock | undefined {
  if (option === undefined || option === null || option === true) return new RLock();
  if (option === false) return undefined;
  if (option === null || typeof option !== 'object' || typeof (option as Partial<Lock>).acquireSync !== 'function' || typeof (option as Partial<Lock>).release !== 'function') {
    throw new TypeError(`lock must be true, false, or a Lock/RLock of @ipc/sync, not ${String(option)}`);
  }
  return option;
}

/**
 * Whether `lock` is an RLock this thread holds already (`v.value += 1` inside
 * `getLock()`): then an access's recursive acquire and release would change
 * nothing anyone can see, and it skips them.
 */
function heldRecursively(lock: Lock): boolean {
  return lock instanceof RLock && lock.isOwned();
}

/** Runs `fn` holding `lock` (each access of a synchronized object, as Python's `SynchronizedBase`). */
export function withLockSync<T>(lock: Lock, fn: () => T): T {
  if (heldRecursively(lock)) return fn();
  lock.acquireSync();
  try {
    return fn();
  } finally {
    lock.release();
  }
}
