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
