import { armTimeout, checkTimeout, type SharedRing } from '@ipc/core';
import { Full } from './errors.js';

/** Waits for `before` (the put or get ahead in line), at most until `until`; `late()` after (`Full`), the signal's reason on abort. */
export function waitInLine(before: Promise<void>, until: number, signal: AbortSignal | undefined, late: () => Error = () => new Full()): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    // A deadline of months is as valid as in Python: armTimeout re-arms past a Node timer's range.
    const cancel = armTimeout(until - performance.now(), () => finish(() => reject(late())));
    const onAbort = (): void => finish(() => reject(signal?.reason as Error));
    const finish = (then: () => void): void => {
      cancel();
      signal?.removeEventListener('abort', onAbort);
      then();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    void before.then(() => finish(resolve));
  });
}

/**
 * Between threads, a fast path mostly fails because another thread holds the
 * ring's lock for a moment. A few tries more cost less than the general path.
 */
const FAST_TRIES = 8;

/** Writes a message if it fits now, never waiting (the ring's `writeNow`, tried a few times, then the general path once). */
export function tryWrite(ring: SharedRing, bytes: Uint8Array): boolean {
  for (let i = 0; i < FAST_TRIES; i++) if (ring.writeNow(bytes)) return true;
  return ring.writeSync(bytes, { timeout: 0 }) === 'ok';
}

/** Reads a message if one is there now, never waiting; undefined when there is none. As `tryWrite`, through the ring's `readNow` first. */
export function tryRead(ring: SharedRing): Uint8Array | undefined {
  for (let i = 0; i < FAST_TRIES; i++) {
    const got = ring.readNow();
    if (got !== undefined) return got;
    if (!ring.hasMessage()) return undefined;
  }
  // The general path also takes over a lock a dead reader left, and reads what is too big for the fast path.
  const got = ring.readSync({ timeout: 0 });
  return got instanceof Uint8Array ? got : undefined;
}

export function deadline(block: boolean, timeout: number | null | undefined): number {
  if (!block) return 0;
  const ms = checkTimeout(timeout);
  return ms === Infinity ? Infinity : performance.now() + ms;
}

/** What a function that is not async caught, as the rejection an async function would have made of it (the value unchanged). */
export function rejected(err: unknown): Promise<never> {
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- whatever was thrown, as `async` would pass it on
  return Promise.reject(err);
}
