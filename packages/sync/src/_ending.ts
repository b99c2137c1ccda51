/**
 * What a heap does as it ends normally (its `process` emits 'exit'): a
 * worker that returns, a child that exits. A heap that is killed — SIGKILL,
 * `worker.terminate()` — runs none of it, which is how the primitives tell an
 * ending from a death: what an ended heap held stays held, as in Python;
 * what a dead heap held comes back.
 */
export interface Ending {
  /** This heap ends: give up ownership of what it holds (without releasing it). */
  disownAtEnd(): void;
}

const live = new Set<WeakRef<Ending>>();
const forget = new FinalizationRegistry<WeakRef<Ending>>((ref) => live.delete(ref));
let hooked = false;

/** Calls `p.disownAtEnd()` if this heap ends normally while `p` is still alive. Once per object. */
export function atEnd(p: Ending): void {
  const ref = new WeakRef(p);
  live.add(ref);
  forget.register(p, ref);
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const r of live) {
      try {
        r.deref()?.disownAtEnd();
      } catch {
        // Ending anyway: what could not be disowned is recovered as a dead holder's.
      }
    }
  });
}
