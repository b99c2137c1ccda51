import { ArgumentError } from '@ipc/core';

/** How `put` and `get` wait, as in Python: `block: false` never waits (and ignores `timeout`). */
export interface QueueWaitOptions {
  /** Wait for room (put) or an item (get); default true. */
  block?: boolean;
  /** Milliseconds to wait before `Full` / `Empty`; not given or `null` (Python's `None`): for ever. Negative → `ArgumentError`. */
  timeout?: number | null;
  /** Aborting rejects with the signal's reason; nothing is put or taken. */
  signal?: AbortSignal;
}

/** The sync twins cannot be aborted: they block the thread. */
export type QueueWaitSyncOptions = Omit<QueueWaitOptions, 'signal'>;

export interface QueueOptions {
  /** The most items the queue holds; `put` waits for room beyond it. 0 (the default) or less: no limit. */
  maxsize?: number;
}

/** The `maxsize` a queue is made with: from its options, or given alone as Python's `Queue(maxsize)` is. Checked. */
export function maxsizeOf(options: QueueOptions | number | undefined, kind: string): number {
  if (typeof options === 'number') options = { maxsize: options };
  if (options === null || typeof options !== 'object') throw new ArgumentError(`${kind} takes a maxsize or an options object: new ${kind}(3), new ${kind}({ maxsize: 3 })`);
  const { maxsize = 0 } = options;
  if (typeof maxsize !== 'number' || !Number.isInteger(maxsize)) throw new ArgumentError(`maxsize must be an integer, not ${String(maxsize)}`);
  return maxsize;
}

/** Waiting options that `join()` takes. */
export interface JoinOptions {
  /** Milliseconds; not given or `null`: for ever. */
  timeout?: number | null;
  signal?: AbortSignal;
}

/** How `LocalQueue.shutdown()` ends the queue (Python 3.13's `shutdown(immediate=False)`). */
export interface ShutdownOptions {
  /** Drop what is left at once (each item counted done for `join()`), so gets fail at once too; default false. */
  immediate?: boolean;
}
