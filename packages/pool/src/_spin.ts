import type { SharedRing } from '@ipc/core';

/**
 * Watches `ring` for a message for up to `micros` microseconds. Why: waking a thread
 * that sleeps in `Atomics.waitAsync` costs tens of µs (a futex wake and a
 * trip through its event loop); when the answer is expected sooner than that,
 * watching for it is faster. Only called where the wait is expected to be short.
 * It takes the ring, not a callback: it runs once per tiny task, and a closure
 * each time (with the clock's boxed numbers before the loop is optimized) was a
 * tenth of what a task allocated — and allocation is what brings the collector.
 */
export function spinForMessage(ring: SharedRing, micros: number): boolean {
  if (ring.hasMessage()) return true;
  const end = performance.now() + micros / 1000;
  for (;;) {
    // The clock is read every 256 looks (~2 µs): each read is a heap number, and these are garbage per task.
    for (let i = 0; i < 256; i++) if (ring.hasMessage()) return true;
    if (performance.now() >= end) return false;
  }
}
