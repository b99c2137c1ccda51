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

/** `postMessage` one way: `n` small messages, then an acknowledged end (messages/s). */
export const postMessageOneWay =
  (message: Uint8Array) =>
  (n: number): Promise<number> =>
    withPort(async (w) => {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) w.postMessage(message);
      w.postMessage('end');
      await once(w, 'message');
      return (n * 1000) / (performance.now() - t0);
    });

/** `postMessage` of a big block (a fresh copy each time, as a send that leaves the sender its bytes), acknowledged each (MB/s). */
export const postMessageBlocks =
  (bytes: number) =>
  (n: number): Promise<number> =>
    withPort(async (w) => {
      const block = new Uint8Array(bytes).fill(7);
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        w.postMessage(block.buffer.slice(0));
        await once(w, 'message');
      }
      return ((bytes / 2 ** 20) * n * 1000) / (performance.now() - t0);
    });
