/** How `put` and `get` wait, as in Python: `block: false` never waits (and ignores `timeout`). */
export interface QueueWaitOptions {
  /** Wait for room (put) or an item (get); default true. */
  block?: boolean;
  /** Milliseconds to wait before `Full` / `Empty`; default for ever. Negative → `ArgumentError`. */
  timeout?: number;
  /** Aborting rejects with the signal's reason; nothing is put or taken. */
  signal?: AbortSignal;
}

/** The sync twins cannot be aborted: they block the thread. */
export type QueueWaitSyncOptions = Omit<QueueWaitOptions, 'signal'>;

export interface QueueOptions {
  /** The most items the queue holds; `put` waits for room beyond it. 0 (the default) or less: no limit. */
  maxsize?: number;
}

/** Waiting options that `join()` takes. */
export interface JoinOptions {
  timeout?: number;
  signal?: AbortSignal;
}
