/**
 * Shared-memory logic is written once, as a generator that yields the waits
 * it needs, and run by one of two drivers: blocking (`runSync`, for the sync
 * twins) or not (`runAsync`). So a lock, a ring or a semaphore has one
 * algorithm for both, and an abort unwinds its `finally` blocks.
 */
import { checkTimeout, waitWord, waitWordSync, type WaitResult } from './atomic-wait.js';

/** A wait: until `i32[index]` is no longer `expected` (or is woken), at most until `until` (a `performance.now()` time). */
export interface WaitStep {
  readonly i32: Int32Array;
  readonly index: number;
  readonly expected: number;
  readonly until: number;
}

export type Steps<T> = Generator<WaitStep, T, WaitResult>;

/** The `performance.now()` time a timeout ends at (checked: non-negative, or Infinity). */
export function deadline(timeout: number | null | undefined): number {
  const ms = checkTimeout(timeout);
  return ms === Infinity ? Infinity : performance.now() + ms;
}

export function runSync<T>(steps: Steps<T>): T {
  let next = steps.next();
  while (!next.done) {
    const { i32, index, expected, until } = next.value;
    next = steps.next(waitWordSync(i32, index, expected, Math.max(0, until - performance.now())));
  }
  return next.value;
}

/** Runs `steps` on the event loop; `spin: false` looks at each word once before waiting (see `WaitOptions.spin`). */
export async function runAsync<T>(steps: Steps<T>, signal: AbortSignal | undefined, spin = true): Promise<T> {
  let next = steps.next();
  while (!next.done) {
    const { i32, index, expected, until } = next.value;
    let result: WaitResult;
    try {
      result = await waitWord(i32, index, expected, { timeout: Math.max(0, until - performance.now()), signal, spin });
    } catch (err) {
      // Let the steps' `finally` blocks run (unlock, waiter counts) before the abort propagates.
      next = steps.throw(err);
      continue;
    }
    next = steps.next(result);
  }
  return next.value;
}
