// The entry of a thread-context pool worker: tasks come in batches through a shared ring (or the port, for transfers and shared memory).
import { deserialize, serialize } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { SharedRing } from '@ipc/core';
import type { FromWorker, ToWorker, WorkerInit } from './_protocol.js';
import { spinForMessage } from './_spin.js';
import { WorkerLoop } from './_worker-loop.js';

const data = workerData as { init: WorkerInit; inRing: SharedArrayBuffer; outRing: SharedArrayBuffer };
const inRing = SharedRing.attach(data.inRing);
const outRing = SharedRing.attach(data.outRing);
const port = parentPort!;

function post(batch: FromWorker[]): void {
  // Before its first task the pool is not reading the ring yet: the readiness goes through the port.
  const first = batch[0];
  if (first !== undefined && !Array.isArray(first) && (first.t === 'ready' || first.t === 'initFailed')) {
    port.postMessage(batch);
    return;
  }
  let bytes: Buffer;
  try {
    bytes = serialize(batch);
  } catch {
    // A result holding shared memory cannot go through the ring's bytes.
    port.postMessage(batch);
    return;
  }
  outRing.writeSync(bytes);
}

let stopped = false;
const loop = new WorkerLoop('thread', data.init, post, () => {
  stopped = true;
  process.exit(0);
});
// process.exit() in a task ends this thread: what the pool has not heard yet goes first, synchronously.
process.once('exit', () => post(loop.lastWords()));
// Always a batch (a task is itself an array).
port.on('message', (batch: ToWorker[]) => {
  for (const m of batch) loop.receive(m);
});
await loop.start();
/** How long an idle worker watches for the next task before it sleeps. */
const IDLE_SPIN_US = 100;
while (!stopped) {
  if (!inRing.hasMessage()) {
    // Let the tasks just received run to their end first (a tiny one does, within this turn);
    // then, only if nothing is in progress (a spin would hold back a running task's I/O), watch.
    await new Promise(setImmediate);
    if (loop.idle) spinForMessage(inRing, IDLE_SPIN_US);
  }
  const frame = await inRing.read();
  if (!(frame instanceof Uint8Array)) break;
  for (const m of deserialize(frame) as ToWorker[]) loop.receive(m);
}
