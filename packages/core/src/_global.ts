/**
 * State that must be one per heap even when two copies of @ipc/core are
 * loaded (the ESM and the CJS build, or two versions in one tree): kept on
 * globalThis under a `Symbol.for` key.
 */
export function perHeap<T>(key: string, make: () => T): T {
  const sym = Symbol.for(`@ipc/core.${key}`);
  const g = globalThis as unknown as Record<symbol, T | undefined>;
  let value = g[sym];
  if (value === undefined) {
    value = make();
    g[sym] = value;
  }
  return value;
}
