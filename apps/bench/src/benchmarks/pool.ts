import { Piscina } from 'piscina';
import { FixedThreadPool } from 'poolifier';
import Tinypool from 'tinypool';
import workerpool from 'workerpool';
import { Pool } from '@ipc/pool';
import { inc } from '../tasks.js';
import type { Benchmark } from '../types.js';

const peerWorker = new URL('../../fixtures/pool-peer-worker.mjs', import.meta.url);
const wpWorker = new URL('../../fixtures/pool-workerpool-worker.mjs', import.meta.url);
const poolifierWorker = new URL('../../fixtures/pool-poolifier-worker.mjs', import.meta.url);
const WORKERS = 2;
/** Sequential calls before a latency is measured (the same for every subject, and for Python's). */
const LATENCY_WARM = 5_000;

/** Starts a pool, warms it (workers up), then times `n` operations of `body`. */
async function timed<P>(make: () => P, warm: (p: P) => Promise<unknown>, body: (p: P) => Promise<unknown>, close: (p: P) => Promise<unknown>): Promise<number> {
  const pool = make();
  try {
    await warm(pool);
    const t0 = performance.now();
    await body(pool);
    return performance.now() - t0;
  } finally {
    await close(pool);
  }
}

/** 0 … n − 1, built the quick way (the input is timed with the map, as Python's `range` is). */
function range(n: number): number[] {
  // Sized at once: growing by push copies the array as it goes (3× slower for 200k).
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

export const poolBenchmarks: Benchmark[] = [
  {
    group: 'pool',
    name: 'tiny tasks, 2 workers, no chunking (applyAsync / run)',
    unit: 'ops/s',
    size: 50_000,
    smokeSize: 20,
    subjects: {
      '@ipc': async (n) =>
        (n * 1000) /
        (await timed(
          () => new Pool({ processes: WORKERS }),
          (p) => Promise.all(range(WORKERS * 2).map((i) => p.apply(inc, [i]))),
          (p) => Promise.all(range(n).map((i) => p.applyAsync(inc, [i]).get())),
          (p) => Promise.resolve(p.terminate()),
        )),
      piscina: async (n) =>
        (n * 1000) /
        (await timed(
          () => new Piscina({ filename: peerWorker.href, minThreads: WORKERS, maxThreads: WORKERS }),
          (p) => Promise.all(range(WORKERS * 2).map((i) => p.run(i))),
          (p) => Promise.all(range(n).map((i) => p.run(i))),
          (p) => p.destroy(),
        )),
      tinypool: async (n) =>
        (n * 1000) /
        (await timed(
          () => new Tinypool({ filename: peerWorker.href, minThreads: WORKERS, maxThreads: WORKERS }),
          (p) => Promise.all(range(WORKERS * 2).map((i) => p.run(i))),
          (p) => Promise.all(range(n).map((i) => p.run(i))),
          (p) => p.destroy(),
        )),
      workerpool: async (n) =>
        (n * 1000) /
        (await timed(
          () => workerpool.pool(wpWorker.pathname, { minWorkers: WORKERS, maxWorkers: WORKERS, workerType: 'thread' }),
          (p) => Promise.all(range(WORKERS * 2).map((i) => p.exec('inc', [i]))),
          (p) => Promise.all(range(n).map((i) => p.exec('inc', [i]))),
          (p) => Promise.resolve(p.terminate()),
        )),
      poolifier: async (n) =>
        (n * 1000) /
        (await timed(
          () => new FixedThreadPool<number, number>(WORKERS, poolifierWorker.pathname),
          async (p) => {
            // poolifier drops work given before its workers are up: wait for it to say it is ready.
            for (let i = 0; i < 500 && !p.info.ready; i++) await new Promise((r) => setTimeout(r, 10));
            await Promise.all(range(WORKERS * 2).map((i) => p.execute(i)));
          },
          (p) => Promise.all(range(n).map((i) => p.execute(i))),
          // Not awaited: poolifier's destroy() can wait on nothing that keeps the loop alive; the subject's process exits anyway.
          (p) => {
            void p.destroy().catch(() => undefined);
            return Promise.resolve();
          },
        )),
    },
    targets: [
      { peer: 'piscina', atLeast: 5 },
      { peer: 'poolifier', atLeast: 1.5 },
      { peer: 'python', atLeast: 3 },
    ],
    python: 'pool_apply_async_ops',
  },
  {
    group: 'pool',
    name: 'map with automatic chunking, 2 workers',
    unit: 'ops/s',
    size: 200_000,
    smokeSize: 20,
    subjects: {
      '@ipc': async (n) =>
        (n * 1000) /
        (await timed(
          () => new Pool({ processes: WORKERS }),
          // Warmed with one map of the same size (JIT warm, as for Python's, which is warmed the same way).
          (p) => p.map(inc, range(n)),
          (p) => p.map(inc, range(n)),
          (p) => Promise.resolve(p.terminate()),
        )),
    },
    targets: [{ peer: 'python', atLeast: 1 }],
    python: 'pool_map_ops',
  },
  {
    group: 'pool',
    name: 'single-task latency',
    unit: 'ms',
    size: 2_000,
    smokeSize: 5,
    subjects: {
      '@ipc': async (n) =>
        (await timed(
          () => new Pool({ processes: WORKERS }),
          // Warmed the way it is measured (one at a time, JIT warm): latency is a steady-state figure, for every subject.
          async (p) => {
            for (let i = 0; i < LATENCY_WARM; i++) await p.apply(inc, [i]);
          },
          async (p) => {
            for (let i = 0; i < n; i++) await p.apply(inc, [i]);
          },
          (p) => Promise.resolve(p.terminate()),
        )) / n,
      piscina: async (n) =>
        (await timed(
          () => new Piscina({ filename: peerWorker.href, minThreads: WORKERS, maxThreads: WORKERS }),
          async (p) => {
            for (let i = 0; i < LATENCY_WARM; i++) await p.run(i);
          },
          async (p) => {
            for (let i = 0; i < n; i++) await p.run(i);
          },
          (p) => p.destroy(),
        )) / n,
    },
    targets: [{ peer: 'piscina', atLeast: 3 }],
    python: 'pool_latency_ms',
  },
];
