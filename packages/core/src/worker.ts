import { parentPort, workerData } from 'node:worker_threads';
import { _runChild as runChild, type _StartSpec as StartSpec } from './index.js';

// The entry of a thread-context child: a separate build entry, found next to the built index. It
// imports the built index itself (kept external), so a new thread loads two files, not a chunk graph.
// (No top-level await: the entries are built as CommonJS too.)
async function main(): Promise<never> {
  const { spec } = workerData as { spec: StartSpec };
  const code = await runChild(spec, 'thread', (msg) => parentPort!.postMessage(msg));
  // Python ends the process when run() returns; pending timers of the target do not keep it alive.
  process.exit(code);
}

void main();
