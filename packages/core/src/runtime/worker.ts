import { parentPort, workerData } from 'node:worker_threads';
import type { StartSpec } from './runner.js';
import { runChild } from './_run-child.js';

// The entry of a thread-context child: a separate build entry, found next to the built index.
const { spec } = workerData as { spec: StartSpec };
const code = await runChild(spec, 'thread', (msg) => parentPort!.postMessage(msg));
// Python ends the process when run() returns; pending timers of the target do not keep it alive.
process.exit(code);
