import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { SharedRing } from '@ipc/core';
import type { Benchmark } from '../types.js';
import { postMessageBlocks, postMessageOneWay, warmTwice, withPort } from './_peers.js';

const ringWorker = new URL('../../fixtures/ring-worker.mjs', import.meta.url);
const SMALL = new Uint8Array(16).fill(7);
const END = new Uint8Array(1);
const MIB64 = 64 << 20;

/** A worker at the other end of two rings (in, out), started before the clock starts, measured warm (see _peers.ts). */
async function withRings<T>(mode: 'echo' | 'count' | 'bytes', body: (out: SharedRing, back: SharedRing) => Promise<T> | T): Promise<T> {
  const out = SharedRing.create(1 << 20);
  const back = SharedRing.create(1 << 12);
  const worker = new Worker(ringWorker, { workerData: { mode, a: out.buffer, b: back.buffer } });
  await once(worker, 'online');
  try {
    return await warmTwice(() => body(out, back));
  } finally {
    out.writeSync(new Uint8Array(0));
    await once(worker, 'exit');
  }
}

export const channelBenchmarks: Benchmark[] = [
  {
    group: 'channel',
    name: 'thread channel round trip, 16 B',
    unit: 'ms',
    size: 20_000,
    smokeSize: 10,
    subjects: {
      '@ipc': (n) =>
        withRings('echo', (out, back) => {
          const t0 = performance.now();
          for (let i = 0; i < n; i++) {
            out.writeSync(SMALL);
            back.readSync();
          }
          return (performance.now() - t0) / n;
        }),
      '@ipc async': (n) =>
        withRings('echo', async (out, back) => {
          const t0 = performance.now();
          for (let i = 0; i < n; i++) {
            await out.write(SMALL);
            await back.read();
          }
          return (performance.now() - t0) / n;
        }),
      'raw postMessage': (n) =>
        withPort(async (w) => {
          const msg = { mode: 'echo', data: SMALL };
          const t0 = performance.now();
          for (let i = 0; i < n; i++) {
            w.postMessage(msg);
            await once(w, 'message');
          }
          return (performance.now() - t0) / n;
        }),
    },
    targets: [
      { peer: 'raw postMessage', atLeast: 5 },
      { peer: 'python', atLeast: 5 },
    ],
    python: 'pipe_roundtrip_ms',
  },
  {
    group: 'channel',
    name: 'thread channel one-way, 16 B messages',
    unit: 'ops/s',
    size: 200_000,
    smokeSize: 10,
    subjects: {
      '@ipc': (n) =>
        withRings('count', (out, back) => {
          const t0 = performance.now();
          for (let i = 0; i < n; i++) out.writeSync(SMALL);
          out.writeSync(END);
          back.readSync();
          return (n * 1000) / (performance.now() - t0);
        }),
      'raw postMessage': postMessageOneWay(SMALL),
    },
    targets: [{ peer: 'python', atLeast: 10 }],
    python: 'pipe_oneway_ops',
  },
  {
    group: 'channel',
    name: 'thread channel 64 MiB of bytes',
    unit: 'MB/s',
    size: 3,
    smokeSize: 1,
    subjects: {
      '@ipc': (n) =>
        withRings('bytes', (out, back) => {
          const block = new Uint8Array(MIB64).fill(7);
          const t0 = performance.now();
          for (let i = 0; i < n; i++) {
            out.writeSync(block);
            back.readSync();
          }
          return (64 * n * 1000) / (performance.now() - t0);
        }),
      'raw postMessage': postMessageBlocks(MIB64),
    },
    targets: [{ peer: 'python', atLeast: 4 }],
    python: 'pipe_64mib_mbs',
  },
];
