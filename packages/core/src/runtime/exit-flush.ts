/**
 * Work a child must finish before it reports its end: writes that were
 * handed to another process without waiting for their answer (a pipe end's
 * windowed sends). A child's target returning does not end that work; the
 * child awaits these before it sends its result and exits, so what it sent
 * is there when its parent's `join()` returns — as with Python, whose
 * writes are in the OS pipe by then.
 */
import { perHeap } from '../_global.js';

const flushers = perHeap('exitFlushers', () => new Set<() => Promise<unknown>>());

/** Registers `flush` to be awaited before this child ends; returns the function that unregisters it. */
export function flushBeforeExit(flush: () => Promise<unknown>): () => void {
  flushers.add(flush);
  return () => void flushers.delete(flush);
}

/** Awaits every registered flush (their failures are theirs to report). */
export async function runExitFlushers(): Promise<void> {
  while (flushers.size > 0) {
    const now = [...flushers];
    await Promise.allSettled(now.map((f) => f()));
    // A flush unregisters itself once its work is done; one still there has nothing more to wait for.
    for (const f of now) flushers.delete(f);
  }
}

/** Whether writes are still on their way (a pool worker awaits them before it reports a task done). */
export function hasPendingWrites(): boolean {
  return flushers.size > 0;
}
