import { armTimeout, passedTimeout, ArgumentError, TimeoutError } from '@ipc/core';
import type { Future } from './future.js';

export const FIRST_COMPLETED = 'FIRST_COMPLETED';
export const FIRST_EXCEPTION = 'FIRST_EXCEPTION';
export const ALL_COMPLETED = 'ALL_COMPLETED';
export type ReturnWhen = typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED;

function failed(f: Future<unknown>): boolean {
  // A finished future that holds an error; cancelled ones do not count (as in Python).
  return f.done() && !f.cancelled() && (f as unknown as { outcome?: { ok: boolean } }).outcome?.ok === false;
}

/**
 * Python's `concurrent.futures.wait`: resolves with `{ done, notDone }` when
 * `returnWhen` holds or `timeout` ms pass (a negative timeout has already
 * passed, as in Python). An unknown `returnWhen` is an `ArgumentError`
 * (Python's `ValueError`).
 */
export async function wait<T>(futures: Iterable<Future<T>>, options: { timeout?: number | null; returnWhen?: ReturnWhen } = {}): Promise<{ done: Set<Future<T>>; notDone: Set<Future<T>> }> {
  const all = [...new Set(futures)];
  const { returnWhen = ALL_COMPLETED } = options;
  if (returnWhen !== FIRST_COMPLETED && returnWhen !== FIRST_EXCEPTION && returnWhen !== ALL_COMPLETED) throw new ArgumentError(`Invalid return condition: ${JSON.stringify(returnWhen)}`);
  const ms = passedTimeout(options.timeout);
  const satisfied = (): boolean => {
    const done = all.filter((f) => f.done());
    if (returnWhen === FIRST_COMPLETED) return done.length > 0;
    if (returnWhen === FIRST_EXCEPTION && done.some((f) => failed(f as Future<unknown>))) return true;
    return done.length === all.length;
  };
  if (!satisfied() && all.length > 0 && ms > 0) {
    let disarm = (): void => {};
    let check = (): void => {};
    await new Promise<void>((resolve) => {
      check = (): void => {
        if (satisfied()) resolve();
      };
      for (const f of all) f.addDoneCallback(check);
      disarm = armTimeout(ms, resolve);
    });
    disarm();
    // Python removes its waiters: a wait() that has returned leaves nothing on the futures.
    for (const f of all) f.removeDoneCallback(check);
  }
  const done = new Set(all.filter((f) => f.done()));
  return { done, notDone: new Set(all.filter((f) => !done.has(f))) };
}

/**
 * Python's `as_completed`: the futures as they finish (each once, duplicates
 * dropped; those already done first); when `timeout` ms pass first,
 * `TimeoutError` with Python's message, `"2 (of 4) futures unfinished"`.
 * The timeout counts from the call, as Python's.
 */
export function asCompleted<T>(futures: Iterable<Future<T>>, options: { timeout?: number | null } = {}): AsyncGenerator<Future<T>> {
  const left = new Set(futures);
  const total = left.size;
  const ms = passedTimeout(options.timeout);
  const until = ms === Infinity ? Infinity : performance.now() + ms;
  // One callback per future, set now: the finished ones queue up in the order they finished.
  const finished: Future<T>[] = [];
  let wake: (() => void) | undefined;
  for (const f of left) {
    f.addDoneCallback(() => {
      finished.push(f);
      wake?.();
    });
  }
  return (async function* iterate(): AsyncGenerator<Future<T>> {
    while (left.size > 0) {
      if (finished.length === 0) {
        const rest = until - performance.now();
        if (rest > 0) {
          let disarm = (): void => {};
          await new Promise<void>((resolve) => {
            wake = resolve;
            disarm = armTimeout(rest, resolve);
          });
          wake = undefined;
          disarm();
        }
        if (finished.length === 0) throw new TimeoutError(`${left.size} (of ${total}) futures unfinished`);
      }
      const f = finished.shift()!;
      left.delete(f);
      yield f;
    }
  })();
}
