/**
 * A user callback that threw (a done-callback, an AsyncResult callback):
 * reported on stderr and otherwise ignored, as Python's `concurrent.futures`
 * logs "exception calling callback for …" — the result is not changed by it
 * and no other callback is skipped.
 */
export function reportCallbackError(owner: string, err: unknown): void {
  console.error(`exception calling callback for ${owner}`, err);
}

/** Calls `fn(arg)`, reporting (never throwing) what it throws. */
export function callSafely<A>(fn: (arg: A) => void, arg: A, owner: () => string): void {
  try {
    fn(arg);
  } catch (err) {
    reportCallbackError(owner(), err);
  }
}
