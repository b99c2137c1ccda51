import { TimeoutError, checkTimeout } from '@ipc/core';
import type { Future } from './future.js';

export const FIRST_COMPLETED = 'FIRST_COMPLETED';
export const FIRST_EXCEPTION = 'FIRST_EXCEPTION';
export const ALL_COMPLETED = 'ALL_COMPLETED';
export type ReturnWhen = typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED;

function failed(f: Future<unknown>): boolean {
  // A finished future that holds an error; cancelled ones do not count (as in Python).
  return f.done() && !f.cancelled() && (f as unknown as { outcome?: { ok: boolean } }).outcome?.ok === false;
}

/** Python's `concurrent.futures.wait`: resolves with `{ done, notDone }` when `returnWhen` holds or `timeout` ms pass. */
export async function wait<T>(futures: Iterable<Future<T>>, options: { timeout?: number; returnWhen?: ReturnWhen } = {}): Promise<{ done: Set<Future<T>>; notDone: Set<Future<T>> }> {
  const all = [...new Set(futures)];
  const { returnWhen = ALL_COMPLETED } = options;
  if (returnWhen !== FIRST_COMPLETED && returnWhen !== FIRST_EXCEPTION && returnWhen !== ALL_COMPLETED) throw new TypeError(`invalid returnWhen: ${String(returnWhen)}`);
  const ms = options.timeout === undefined ? Infinity : checkTimeout(options.timeout);
  const satisfied = (): boolean => {
    const done = all.filter((f) => f.done());
    if (returnWhen === FIRST_COMPLETED) return done.length > 0;
    if (returnWhen === FIRST_EXCEPTION && done.some((f) => failed(f as Future<unknown>))) return true;
    return done.length === all.length;
  };
  if (!satisfied() && all.length > 0) {
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (satisfied()) resolve();
      };
      for (const f of all) f.addDoneCallback(check);
      if (ms !== Infinity) timer = setTimeout(resolve, ms);
    });
    clearTimeout(timer);
  }
  const done = new Set(all.filter((f) => f.done()));
  return { done, notDone: new Set(all.filter((f) => !done.has(f))) };
}

/** Python's `as_completed`: the futures as they finish; `TimeoutError` if `timeout` ms pass first. */
export async function* asCompleted<T>(futures: Iterable<Future<T>>, options: { timeout?: number } = {}): AsyncGenerator<Future<T>> {
  const left = new Set(futures);
  const until = options.timeout === undefined ? Infinity : performance.now() + checkTimeout(options.timeout);
  while (left.size > 0) {
    const ms = until - performance.now();
    const { done } = await wait(left, { returnWhen: FIRST_COMPLETED, timeout: ms === Infinity ? undefined : Math.max(0, ms) });
    if (done.size === 0) throw new TimeoutError(`${left.size} (of ${left.size}) futures unfinished`);
    for (const f of done) {
      left.delete(f);
      yield f;
    }
  }
}
