import { defineConfig, type Options } from 'tsup';

/**
 * Escapes every non-ASCII character of a built file (esbuild escapes them in strings, but keeps
 * comments as written). Why: V8 scans a source with one non-ASCII character as two-byte text —
 * measured, a new worker thread imports @ipc/core's bundle ~1.6 ms faster (of ~6.5) when it is
 * pure ASCII, and every thread a Process or a pool starts pays that import. `\uXXXX` means the
 * same in a comment, a string, a template's value or a regular expression: the code is unchanged.
 */
const asciiOutput = {
  name: 'ascii-output',
  renderChunk(code: string) {
    if (!/[\u0080-\uffff]/.test(code)) return undefined;
    return { code: code.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) };
  },
};

/**
 * The one build every package shares: ESM + CJS + types. Kept minimal so a
 * move to another bundler stays mechanical (tsup is in maintenance mode).
 */
export function packageBuild(entry: Record<string, string> = { index: 'src/index.ts' }, extra: Options = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    shims: true,
    splitting: false,
    plugins: [asciiOutput],
    ...extra,
  });
}

/**
 * Entries that other threads or processes load by path (a worker bootstrap):
 * ESM only, no types, and no `clean` (they build beside a `packageBuild`).
 */
export function runtimeBuild(entry: Record<string, string>, extra: Options = {}) {
  return defineConfig({
    entry,
    format: ['esm'],
    dts: false,
    clean: false,
    sourcemap: true,
    target: 'node20',
    splitting: false,
    plugins: [asciiOutput],
    ...extra,
  });
}
