import { packageBuild } from '../../tsup.base.ts';

// The worker and child entries are loaded by path from the built index (new URL('./worker.js', import.meta.url)).
export default packageBuild(
  { index: 'src/index.ts', worker: 'src/runtime/worker.ts', child: 'src/runtime/child.ts' },
  { splitting: true },
);
