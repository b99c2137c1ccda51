import { defineConfig, type Options } from 'tsup';

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
    ...extra,
  });
}
