import { packageBuild } from '../../tsup.base.ts';

// The worker, child and broker-sync-worker entries are loaded by path from the
// built index (new URL('./worker.js', import.meta.url)), and import that index
// in turn (kept external): one bundle holds all of core, so a new thread or
// process loads two files rather than a graph of chunks (~0.5 ms a module).
export default packageBuild(
  {
    index: 'src/index.ts',
    worker: 'src/worker.ts',
    child: 'src/child.ts',
    'broker-sync-worker': 'src/broker-sync-worker.ts',
  },
  { external: ['./index.js'] },
);
