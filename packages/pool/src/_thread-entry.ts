// The entry of a thread-context pool worker: tasks come through a shared ring (or the port, for transfers).
import { deserialize, serialize } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { SharedRing } from '@ipc/core';
import type { FromWorker, ToWorker, WorkerInit } from './_protocol.js';
import { WorkerLoop } from './_worker-loop.js';

const data = workerData as { init: WorkerInit; inRing: SharedArrayBuffer; outRing: SharedArrayBuffer };
const inRing = SharedRing.attach(data.inRing);
const outRing = SharedRing.attach(data.outRing);
const port = parentPort!;

function send(msg: FromWorker): void {
  // Before its first task the pool is not reading the ring yet: the readiness goes through the port.
  if (msg.t === 'ready' || msg.t === 'initFailed') {
    port.postMessage(msg);
    return;
  }
  let bytes: Buffer;
  try {
    bytes = serialize(msg);
  } catch {
    // A result holding shared memory cannot go through the ring's bytes.
    port.postMessage(msg);
    return;
  }
  outRing.writeSync(bytes);
}

let stopped = false;
const loop = new WorkerLoop('thread', data.init, send, () => {
  stopped = true;
  process.exit(0);
});
port.on('message', (msg: ToWorker) => loop.receive(msg));
await loop.start();
while (!stopped) {
  const frame = await inRing.read();
  if (!(frame instanceof Uint8Array)) break;
  loop.receive(deserialize(frame) as ToWorker);
}
