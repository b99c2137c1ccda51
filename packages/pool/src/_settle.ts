/** The key of the method through which a job's outcome reaches whoever waits for it (not public: users cannot settle a result). */
export const SETTLE: unique symbol = Symbol('@ipc/pool settle');

/**
 * Whoever waits for a job: an `AsyncResult` itself (no promise and no closures between the
 * worker's answer and the result — a tiny task's cost is mostly what it allocates), or a promise's
 * resolve and reject (`settleWith`).
 */
export interface Settle {
  [SETTLE](ok: boolean, value: unknown): void;
}

/** A promise's resolve and reject as a `Settle`. */
export function settleWith(resolve: (value: unknown) => void, reject: (error: unknown) => void): Settle {
  return {
    [SETTLE](ok, value) {
      if (ok) resolve(value);
      else reject(value);
    },
  };
}
