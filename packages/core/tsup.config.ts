import { existsSync } from 'node:fs';
import { packageBuild } from '../../tsup.base.ts';

// The worker and child entries are loaded by path from the built index (new URL('./worker.js', import.meta.url)).
const entries: Record<string, string> = {
  index: 'src/index.ts',
  worker: 'src/runtime/worker.ts',
  child: 'src/runtime/child.ts',
};
// TODO(lead): unconditional once the broker lands.
if (existsSync('src/broker/_sync-worker.ts')) entries['broker-sync-worker'] = 'src/broker/_sync-worker.ts';

export default packageBuild(entries, { splitting: true });
