/** A held lock or permit that `await using` / `using` releases (from `guard()` / `guardSync()`). */
export interface Held extends AsyncDisposable, Disposable {
  /** Releases now (once); the disposal then does nothing. */
  release(): void;
}

export function heldUntilReleased(what: { release(): void }): Held {
  let held = true;
  const release = (): void => {
    if (!held) return;
    held = false;
    what.release();
  };
  return { release, [Symbol.dispose]: release, [Symbol.asyncDispose]: () => Promise.resolve(release()) };
}
