import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
/** A full garbage collection (V8's `gc()`, exposed for this test process). */
export const gc = runInNewContext('gc') as () => void;

/** Collects garbage until `ref` is gone (a few rounds, across turns of the loop), as Python's gc.collect(). */
export async function collected(ref: WeakRef<object>): Promise<boolean> {
  for (let i = 0; i < 10 && ref.deref() !== undefined; i++) {
    await new Promise((r) => setImmediate(r));
    gc();
  }
  return ref.deref() === undefined;
}
