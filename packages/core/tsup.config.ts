import { packageBuild } from '../../tsup.base.ts';

// The worker, child and broker-sync-worker entries are loaded by path from the
// built index (new URL('./worker.js', import.meta.url)).
export default packageBuild(
  {
    index: 'src/index.ts',
    worker: 'src/runtime/worker.ts',
    child: 'src/runtime/child.ts',
    'broker-sync-worker': 'src/broker/_sync-worker.ts',
  },
  { splitting: true },
);
