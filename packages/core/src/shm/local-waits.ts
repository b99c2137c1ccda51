/**
 * This thread's pending async waits, by word, so that a wake-up from this same thread reaches them
 * at once. Why: V8 resolves a pending `Atomics.waitAsync` through a task it posts to the event loop —
 * a turn of the loop and two syscalls later (~10–25 µs measured where a pipe is served to another
 * process: the broker's write and the reader that waits on it are one thread). A local wake-up
 * resolves the wait in a microtask instead; `Atomics.notify` still follows for the other threads and
 * for the V8 waiter the local one leaves behind.
 */
import { perHeap } from '../_global.js';

/** Wakes one local wait (an `Atomics.notify` of every waiter of the word follows: see `wakeWord`). */
export type LocalWake = () => void;

/** The waits of one word. Kept when empty: a word waited on once is usually waited on again. */
export type LocalWaits = Set<LocalWake>;

const waits = perHeap('localWaits', () => new WeakMap<ArrayBufferLike, Map<number, LocalWaits>>());

/** The set a wait on `i32[index]` adds its wake-up to (and deletes it from once it ends). */
export function localWaitsOf(i32: Int32Array, index: number): LocalWaits {
  let words = waits.get(i32.buffer);
  if (words === undefined) waits.set(i32.buffer, (words = new Map<number, LocalWaits>()));
  const at = i32.byteOffset + 4 * index;
  let set = words.get(at);
  if (set === undefined) words.set(at, (set = new Set()));
  return set;
}

/** Wakes up to `count` of this thread's waits on `i32[index]`, oldest first; how many it woke. */
export function wakeLocal(i32: Int32Array, index: number, count: number): number {
  const set = waits.get(i32.buffer)?.get(i32.byteOffset + 4 * index);
  if (set === undefined || set.size === 0) return 0;
  let woken = 0;
  // A wake takes itself out of the set: deleting the current entry does not disturb a Set's iteration.
  for (const wake of set) {
    if (woken >= count) break;
    wake();
    woken++;
  }
  return woken;
}
