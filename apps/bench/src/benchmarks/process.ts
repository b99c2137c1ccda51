import { fork } from 'node:child_process';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { Process } from '@ipc/core';
import { msPerOp } from '../harness.js';
import { noop } from '../tasks.js';
import type { Benchmark } from '../types.js';

const workerFile = new URL('../../fixtures/noop-worker.mjs', import.meta.url);
const childFile = new URL('../../fixtures/noop-child.mjs', import.meta.url);

export const processBenchmarks: Benchmark[] = [
  {
    group: 'process',
    name: 'start→join, thread context',
    unit: 'ms',
    size: 20,
    smokeSize: 1,
    subjects: {
      '@ipc': (n) =>
        msPerOp(n, async () => {
          const p = new Process({ target: noop, context: 'thread' });
          p.start();
          await p.join();
        }),
      'raw Worker': (n) =>
        msPerOp(n, async () => {
          const w = new Worker(workerFile);
          await once(w, 'exit');
        }),
    },
    targets: [{ peer: 'raw Worker', atLeast: 1 / 1.3 }],
  },
  {
    group: 'process',
    name: 'start→join, process context',
    unit: 'ms',
    size: 10,
    smokeSize: 1,
    subjects: {
      '@ipc': (n) =>
        msPerOp(n, async () => {
          const p = new Process({ target: noop, context: 'process' });
          p.start();
          await p.join();
        }),
      'raw fork': (n) =>
        msPerOp(n, async () => {
          const c = fork(childFile, [], { serialization: 'advanced' });
          await once(c, 'exit');
        }),
    },
    targets: [{ peer: 'raw fork', atLeast: 1 / 1.3 }],
    python: 'process_start_join',
  },
];
