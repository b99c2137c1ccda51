/**
 * The blocking acquire of a busy lock (`acquireSync`): watch, nap, sleep.
 *
 * Why not the core's `lockSteps` + `runSyncSteps`: after a short watch they
 * count the waiter and sleep, and every release that sees a waiter counted
 * calls `Atomics.notify` (~40 ns even when nobody sleeps, a futex wake-up
 * when someone does). Under two threads taking the lock in a loop, each
 * release of the running thread paid for the other's wait.
 * Here a waiter
 * 1. watches the word for a few microseconds (`RobustMutex.watch`: a short hold ends in that time);
 * 2. then naps, uncounted and off the lock's memory, looking again between
 *    naps, for up to NAPPING_MS: the holder runs at full speed meanwhile,
 *    and its releases wake nobody;
 * 3. then counts itself and sleeps on the word until a release wakes it (or
 *    the liveness check: a holder that died is taken over), and naps again.
 * A release that comes between the count and the sleep is not lost:
 * `Atomics.wait` sleeps only while the word still holds the owner it saw.
 * The cost: a lock released while a waiter naps is seen up to one nap later.
 */
import { LIVENESS_CHECK_MS, type Acquired, type RobustMutex } from '@ipc/core';

/** One nap (a timed sleep: ~20 µs asked, ~60–70 µs taken on Linux with its timer slack). */
const NAP_MS = 0.02;
/** How long to nap before sleeping counted (until a release wakes it). */
const NAPPING_MS = 2;
/** A word nobody wakes: a nap is a plain timed sleep, so it never takes a wake-up meant for a counted sleeper. */
const napWord = new Int32Array(new SharedArrayBuffer(4));

/** Blocks until `owner` holds `mutex` ('acquired', or 'abandoned' if taken from a dead holder), or `until` (a `performance.now()` time) passes: `false`. */
export function lockBlocking(mutex: RobustMutex, i32: Int32Array, index: number, owner: number, until: number): Acquired | false {
  if (mutex.watch(owner, until)) return 'acquired';
  let napsEnd = Math.min(until, performance.now() + NAPPING_MS);
  for (;;) {
    const got = mutex.tryLock(owner);
    if (got !== false) return got;
    const cur = Atomics.load(i32, index);
    if (cur === 0) continue;
    const now = performance.now();
    if (now >= until) return false;
    if (now < napsEnd) {
      Atomics.wait(napWord, 0, 0, Math.min(NAP_MS, until - now));
      continue;
    }
    Atomics.add(i32, index + 1, 1);
    try {
      Atomics.wait(i32, index, cur, Math.min(until - now, LIVENESS_CHECK_MS));
    } finally {
      Atomics.sub(i32, index + 1, 1);
    }
    napsEnd = Math.min(until, performance.now() + NAPPING_MS);
  }
}
