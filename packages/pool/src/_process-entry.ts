// The entry of a process-context pool worker: tasks come in batches over the IPC channel, results go back in batches.
import type { FromWorker, ToWorker, WorkerInit } from './_protocol.js';
import { WorkerLoop } from './_worker-loop.js';

let loop: WorkerLoop | undefined;
const early: ToWorker[] = [];
const post = (batch: FromWorker[]): void => void process.send?.(batch);

// A task that ends the process (process.exit) would take unsent results with it: they go
// now, with the id of the task that is ending it. The channel writes at once when it can;
// if not (or on SIGKILL) the pool finds out for itself.
process.once('exit', () => {
  if (loop === undefined) return;
  try {
    post(loop.lastWords());
  } catch {
    // the channel is gone already
  }
});

// A pool worker never outlives its pool: the IPC channel closing tells us the parent is gone.
process.once('disconnect', () => process.exit(1));
// So does a send that finds the channel gone (EPIPE: a program ended while this worker was
// starting): the worker ends, quietly, instead of printing an unhandled 'error' on the
// program's stderr. Sends are the only source of a process 'error' event.
process.on('error', () => process.exit(1));
// One listener from the start: batches that follow the init in the same read must not be missed.
process.on('message', (m: { init: WorkerInit } | ToWorker[]) => {
  if (!Array.isArray(m)) {
    loop = new WorkerLoop('process', m.init, post, () => {
      process.send?.([], undefined, {}, () => process.exit(0));
    });
    loop.receive(early.splice(0));
    void loop.start();
  } else if (loop === undefined) early.push(...m);
  else loop.receive(m);
});
