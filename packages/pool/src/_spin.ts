/**
 * Watches `ready()` for up to `micros` microseconds. Why: waking a thread
 * that sleeps in `Atomics.waitAsync` costs tens of µs (a futex wake and a
 * trip through its event loop); when the answer is expected sooner than that,
 * watching for it is faster. Only called where the wait is expected to be short.
 */
export function spinFor(micros: number, ready: () => boolean): boolean {
  const end = performance.now() + micros / 1000;
  do {
    if (ready()) return true;
  } while (performance.now() < end);
  return false;
}
