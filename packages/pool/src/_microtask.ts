const RESOLVED = Promise.resolve();

/**
 * Runs `fn` in a microtask, as `queueMicrotask` does, for less: Node's
 * `queueMicrotask` makes an async resource and a bound function per call
 * (~200 bytes), where a reaction on a settled promise is one small job. Used
 * once per burst of tasks; `fn` must not throw (it would be an unhandled rejection).
 */
export function inMicrotask(fn: () => void): void {
  void RESOLVED.then(fn);
}
