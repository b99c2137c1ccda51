// The entry of a thread-context pool worker: tasks come in batches through a shared ring (or the port, for transfers and shared memory).
import { serialize } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { SharedRing } from '@ipc/core';
import type { FromWorker, ToWorker, WorkerInit } from './_protocol.js';
import { IdleWatch } from './_idle-watch.js';
import { spinForMessage } from './_spin.js';
import { decodeTasks, encodeOutcomes } from './_number-frames.js';
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
  const numbers = encodeOutcomes(batch);
  if (numbers !== undefined) {
    outRing.writeSync(numbers);
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
port.on('message', (batch: ToWorker[]) => loop.receive(batch));
await loop.start();
/** How long an idle worker watches for the next task before it sleeps: 100 µs, longer while tasks come at short gaps. */
const watch = new IdleWatch(100, 1000);
/** The event loop gets a turn at least this often (ms), however the tasks come. */
const YIELD_MS = 1;
let yielded = performance.now();
while (!stopped) {
  const waiting = !inRing.hasMessage();
  // A task in progress (awaiting I/O or timers) gets the loop before a wait or a watch; and
  // every so often the loop gets a turn anyway (port messages, timers of tasks). A tiny task
  // has ended within this turn, so the watch needs no turn first (an immediate per task was a
  // measurable cost).
  if ((waiting && !loop.idle) || performance.now() - yielded >= YIELD_MS) {
    await new Promise(setImmediate);
    yielded = performance.now();
  }
  const idleSince = waiting && loop.idle ? performance.now() : -1;
  if (idleSince >= 0) spinForMessage(inRing, watch.windowUs);
  // A frame there already is taken without a promise turn (the loop still turns every YIELD_MS).
  const frame = inRing.readNow() ?? (await inRing.read());
  if (idleSince >= 0) watch.observe((performance.now() - idleSince) * 1000);
  if (!(frame instanceof Uint8Array)) break;
  loop.receive(decodeTasks(frame));
}
