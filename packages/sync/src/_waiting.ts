import { ArgumentError, checkTimeout } from '@ipc/core';
import type { AcquireOptions } from './options.js';

/** The `performance.now()` time an acquire gives up at: now for `block: false`, never for no timeout. */
export function acquireDeadline(options: AcquireOptions | undefined): number {
  const { block = true, timeout } = options ?? {};
  if (!block) {
    // As Python's acquire(False, timeout=1) raises ValueError.
    if (timeout != null) throw new ArgumentError('cannot give a timeout to a non-blocking acquire (block: false)');
    return 0;
  }
  const ms = checkTimeout(timeout);
  return ms === Infinity ? Infinity : performance.now() + ms;
}

/** The same for a wait: never, or `timeout` ms from now. */
export function waitDeadline(timeout: number | null | undefined): number {
  const ms = checkTimeout(timeout);
  return ms === Infinity ? Infinity : performance.now() + ms;
}

/** A deadline as the milliseconds left, for a remote call (which computes its own deadline at home). */
export function leftOf(until: number): number | undefined {
  return until === Infinity ? undefined : Math.max(0, until - performance.now());
}
