import { packageBuild } from '../../tsup.base.ts';

// The worker entries are loaded by path from the built index (new URL('./pool-thread.js', import.meta.url)).
export default packageBuild(
  {
    index: 'src/index.ts',
    'pool-thread': 'src/_thread-entry.ts',
    'pool-process': 'src/_process-entry.ts',
  },
  { splitting: true },
);
