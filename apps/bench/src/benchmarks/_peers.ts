/**
 * The raw Node peers the channel and pipe benchmarks measure against — a
 * `postMessage` worker and a `process.send` child — and the rule every subject
 * of those benchmarks follows: a channel is long-lived, so the timed body runs
 * twice on one peer and the second run is the figure (both ends JIT-warm).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

const portWorker = new URL('../../fixtures/port-worker.mjs', import.meta.url);

/** Runs `body` twice and returns the second figure. */
export async function warmTwice<T>(body: () => Promise<T> | T): Promise<T> {
  await body();
  return body();
}

/** A `postMessage` worker: echoes `{ mode: 'echo' }`, acknowledges `'end'` and ArrayBuffers. */
export async function withPort<T>(body: (w: Worker) => Promise<T>): Promise<T> {
  const worker = new Worker(portWorker);
  await once(worker, 'online');
  try {
    return await warmTwice(() => body(worker));
  } finally {
    await worker.terminate();
  }
}

// The raw process.send peer: echoes `{ mode: 'echo' }`, swallows `{ mode: 'count' }`, acknowledges the rest.
const CHILD = `process.on('message', (m) => {
  if (m === 'end') return void process.disconnect();
  if (m.mode === 'echo') process.send(m);
  else if (m.mode !== 'count') process.send(1);
});`;

/** A `process.send` child (advanced serialization), warmed the same way. */
export async function withChild<T>(body: (c: ChildProcess) => Promise<T>): Promise<T> {
  const child = spawn(process.execPath, ['-e', CHILD], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
  await once(child, 'spawn');
  try {
    return await warmTwice(() => body(child));
  } finally {
    child.send('end');
    await once(child, 'exit');
  }
}
