import { rmSync } from 'node:fs';
import { packageBuild, runtimeBuild } from '../../tsup.base.ts';

// The two builds below run side by side, so neither may clean `dist` (one would delete the
// other's files): it is cleaned once, here, before they start.
rmSync(new URL('./dist', import.meta.url), { recursive: true, force: true });

export default [
  packageBuild({ index: 'src/index.ts' }, { clean: false }),
  // The worker, child and broker-sync-worker entries are loaded by path from the built index
  // (new URL('./worker.js', import.meta.url)), and import that index in turn (kept external): one
  // bundle holds all of core, so a new thread or process loads two files rather than a graph of
  // chunks (~0.5 ms a module). ESM only: they import the ESM index, whichever build loaded them.
  runtimeBuild(
    {
      worker: 'src/worker.ts',
      child: 'src/child.ts',
      'broker-sync-worker': 'src/broker-sync-worker.ts',
    },
    { external: ['./index.js'] },
  ),
];
