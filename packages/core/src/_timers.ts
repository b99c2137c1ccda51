/** The longest a Node timer can be: a longer delay (Infinity too) fires after 1 ms. */
export const MAX_TIMER = 2 ** 31 - 1;

/**
 * Waits for `done` or `ms` milliseconds (0 or less: none), whichever comes first. A referenced timer
 * stands beside the wait (an idle program would end otherwise), re-armed past a timer's range.
 */
export async function untilOr(done: Promise<void>, ms: number): Promise<void> {
  const end = performance.now() + ms;
  let ended = false;
  void done.then(() => (ended = true));
  let timer: NodeJS.Timeout | undefined;
  try {
    for (let left = ms; !ended && left > 0; left = end - performance.now()) {
      await Promise.race([done, new Promise<void>((r) => (timer = setTimeout(r, Math.min(left, MAX_TIMER))))]);
      clearTimeout(timer);
    }
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A referenced one-shot timer for a caller's timeout of `ms` milliseconds: none at all for
 * Infinity, and re-armed past a Node timer's range (which would otherwise fire after 1 ms —
 * `setTimeout(fn, 2 ** 31)` is a timeout of 1 ms). Returns what cancels it.
 */
export function armTimeout(ms: number, fire: () => void): () => void {
  if (ms === Infinity) return noop;
  const end = performance.now() + ms;
  let timer: NodeJS.Timeout;
  const arm = (left: number): void => {
    timer = left > MAX_TIMER ? setTimeout(() => arm(end - performance.now()), MAX_TIMER) : setTimeout(fire, Math.max(0, left));
  };
  arm(ms);
  return () => clearTimeout(timer);
}

function noop(): void {}
