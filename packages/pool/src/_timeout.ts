import { ArgumentError } from '@ipc/core';

/**
 * A wait's timeout in ms: `Infinity` when not given. As in Python's
 * `concurrent.futures` and `multiprocessing.pool`, a negative timeout has
 * already passed (it is 0, not an error): a deadline computed as
 * `end - now()` may well be below zero. NaN or a non-number is an error.
 */
export function timeoutMs(timeout: number | undefined, what = 'timeout'): number {
  if (timeout === undefined) return Infinity;
  if (typeof timeout !== 'number' || Number.isNaN(timeout)) throw new ArgumentError(`${what} must be a number of milliseconds, not ${String(timeout)}`);
  return Math.max(0, timeout);
}
