// The entry of a process-context pool worker: tasks come in batches over the IPC channel, results go back batched per tick.
import type { FromWorker, ToWorker, WorkerInit } from './_protocol.js';
import { WorkerLoop } from './_worker-loop.js';

const outbox: FromWorker[] = [];
function send(msg: FromWorker): void {
  if (outbox.push(msg) === 1) setImmediate(flush);
}
function flush(): void {
  if (outbox.length > 0) process.send?.(outbox.splice(0));
}

// Results are batched, so a task that ends the process (process.exit) would take the
// unsent ones with it: they go now, with the id of the task that is ending it. The
// channel writes at once when it can; if not (or on SIGKILL) the pool finds out itself.
process.once('exit', () => {
  outbox.push({ t: 'exiting', running: loop?.current ?? null });
  try {
    flush();
  } catch {
    // the channel is gone already
  }
});

// A pool worker never outlives its pool: the IPC channel closing tells us the parent is gone.
process.once('disconnect', () => process.exit(1));
let loop: WorkerLoop | undefined;
const early: ToWorker[] = [];
// One listener from the start: batches that follow the init in the same read must not be missed.
process.on('message', (m: { init: WorkerInit } | ToWorker[]) => {
  if (!Array.isArray(m)) {
    loop = new WorkerLoop('process', m.init, send, () => {
      flush();
      process.send?.([], undefined, {}, () => process.exit(0));
    });
    for (const msg of early.splice(0)) loop.receive(msg);
    void loop.start();
  } else if (loop === undefined) early.push(...m);
  else for (const msg of m) loop.receive(msg);
});
