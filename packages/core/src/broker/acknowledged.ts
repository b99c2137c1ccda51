import { ArgumentError } from '../errors.js';

/**
 * A reply that carries an item out of its home (a queue's `get`, a pipe's
 * `recv`): the broker sends `value` and calls `undelivered()` if the caller
 * never acknowledges receiving it — its process died first, or it had
 * already given up on the call (a timeout, an abort). So an item taken out of
 * a queue for a caller that is gone can be put back, not lost.
 */
export interface Acknowledged<T = unknown> {
  readonly value: T;
  readonly undelivered: () => void;
  /** Runs once the caller has acknowledged receiving the value (never if `undelivered` runs). */
  readonly delivered?: () => void;
}

const BRAND = Symbol.for('@ipc/core.broker.acknowledged');

/**
 * Wraps the result of `Served.call` so that it is delivered with an
 * acknowledgement: `undelivered` runs (once, at most) if the caller does not
 * receive it; else `delivered`, if given, runs once the caller's
 * acknowledgement arrives (a queue's lease of one item ends there).
 *
 * ```ts
 * call(op) { const item = this.items.shift(); return acknowledged(item, () => this.items.unshift(item)); }
 * ```
 */
export function acknowledged<T>(value: T, undelivered: () => void, delivered?: () => void): Acknowledged<T> {
  if (typeof undelivered !== 'function') throw new ArgumentError('acknowledged() needs an undelivered callback function');
  if (delivered !== undefined && typeof delivered !== 'function') throw new ArgumentError('acknowledged(): delivered must be a function');
  const out: Acknowledged<T> = delivered === undefined ? { value, undelivered } : { value, undelivered, delivered };
  Object.defineProperty(out, BRAND, { value: true });
  return out;
}

export function isAcknowledged(value: unknown): value is Acknowledged {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
