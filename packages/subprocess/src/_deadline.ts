import { ArgumentError, armTimeout } from '@ipc/core';
import type { WaitOptions } from './options.js';


/**
 * A timeout must be a number of ms. As in Python, a negative one is no error:
 * it has already passed (a deadline computed as `end - now()` may be below 0).
 */
export function checkTimeout(timeout: number | null | undefined): void {
  if (timeout != null && (typeof timeout !== 'number' || Number.isNaN(timeout))) {
    throw new ArgumentError(`timeout must be a number of ms, got ${String(timeout)}`);
  }
}

/** `work`, or the error of `expired()` once `timeout` ms have passed, or the abort reason. Timers are always cleared. */
export function withDeadline<T>(work: Promise<T>, options: WaitOptions | undefined, expired: () => Error): Promise<T> {
  const timeout = options?.timeout ?? Infinity;
  const signal = options?.signal;
  checkTimeout(timeout);
  if (timeout === Infinity && signal === undefined) return work;
  if (signal?.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    let disarm = (): void => {};
    // The abort reason is passed on as given, as every AbortSignal user expects.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    const onAbort = (): void => finish(() => reject(signal?.reason));
    const finish = (settle: () => void): void => {
      disarm();
      signal?.removeEventListener('abort', onAbort);
      settle();
    };
    disarm = armTimeout(Math.max(0, timeout), () => finish(() => reject(expired())));
    signal?.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => finish(() => resolve(v)),
      (e: Error) => finish(() => reject(e)),
    );
  });
}
