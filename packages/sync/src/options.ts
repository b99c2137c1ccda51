/** How an acquiring call waits, as Python's `acquire(blocking, timeout)`. */
export interface AcquireOptions {
  /** Wait for the lock or permit; default true. `false` tries once (a `timeout` with it is an `ArgumentError`, as in Python). */
  block?: boolean;
  /** Milliseconds; not given or `null` (Python's `None`): for ever. On timeout the call resolves `false`. */
  timeout?: number | null;
  /** Aborting rejects with the signal's reason; nothing is acquired. */
  signal?: AbortSignal;
}

export type AcquireSyncOptions = Omit<AcquireOptions, 'signal'>;

/** How a waiting call (`wait`, `waitFor`) waits. */
export interface WaitOptions {
  /** Milliseconds; not given or `null` (Python's `None`): for ever (a Barrier's: its own default timeout). */
  timeout?: number | null;
  signal?: AbortSignal;
}

export type WaitSyncOptions = Omit<WaitOptions, 'signal'>;
