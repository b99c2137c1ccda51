import { Process, task, type ContextKind } from '@ipc/core';
import { Event, Lock } from '@ipc/sync';
import type { Benchmark } from '../types.js';

/**
 * A worker of the counter benchmark: waits for `go`, then adds 1 to the shared
 * counter `n` times, each under the lock, and returns how long it took (ms, its
 * own clock). A child process has no shared memory: it counts in its own heap,
 * so there it measures the lock alone.
 */
export const lockedIncrements = task(import.meta.url, async (lock: Lock, go: Event, counter: SharedArrayBuffer | undefined, n: number, sync: boolean) => {
  const c = counter === undefined ? new Int32Array(1) : new Int32Array(counter);
  if (sync) go.waitSync();
  else await go.wait();
  const t0 = performance.now();
  if (sync) {
    for (let i = 0; i < n; i++) {
      lock.acquireSync();
      c[0]! += 1; // a plain read-modify-write: only the lock keeps it right
      lock.release();
    }
  } else {
    for (let i = 0; i < n; i++) {
      await lock.acquire();
      c[0]! += 1;
      lock.release();
    }
  }
  return performance.now() - t0;
});

/** Uncontended acquire/release from a child process (through the lock's home broker), measured there. */
export const remoteUncontended = task(import.meta.url, async (lock: Lock, n: number, sync: boolean) => {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    if (sync) lock.acquireSync();
    else await lock.acquire();
    lock.release();
  }
  return (n * 1000) / (performance.now() - t0);
});

/** Two workers in `context` add 1 to one counter `n` times each under one lock: increments per second. */
const counterUnderLock = (context: ContextKind, sync: boolean) => async (n: number) => {
  const lock = new Lock();
  const go = new Event();
  const counter = context === 'thread' ? new SharedArrayBuffer(4) : undefined;
  const workers = [0, 1].map(() => new Process({ target: lockedIncrements, args: [lock, go, counter, n, sync], context }));
  for (const w of workers) w.start();
  go.set();
  const took = await Promise.all(workers.map((w) => w.join()));
  if (took.some((ms) => ms === undefined)) throw new Error('a counter worker failed');
  if (counter !== undefined && new Int32Array(counter)[0] !== 2 * n) throw new Error(`the counter is ${new Int32Array(counter)[0]}, not ${2 * n}: the lock let two in`);
  // The workers ran side by side: the slower one's time is the run's.
  return (2 * n * 1000) / Math.max(...(took as number[]));
};

const uncontended = (sync: boolean) => async (n: number) => {
  const lock = new Lock();
  const t0 = performance.now();
  if (sync) {
    for (let i = 0; i < n; i++) {
      lock.acquireSync();
      lock.release();
    }
  } else {
    for (let i = 0; i < n; i++) {
      await lock.acquire();
      lock.release();
    }
  }
  return (n * 1000) / (performance.now() - t0);
};

const uncontendedRemote = (sync: boolean) => async (n: number) => {
  const p = new Process({ target: remoteUncontended, args: [new Lock(), n, sync], context: 'process' });
  p.start();
  const ops = await p.join();
  if (ops === undefined) throw new Error('the child failed');
  return ops;
};

export const syncBenchmarks: Benchmark[] = [
  {
    group: 'sync',
    name: 'Lock uncontended acquire/release',
    unit: 'ops/s',
    size: 2_000_000,
    smokeSize: 10,
    subjects: {
      '@ipc': uncontended(true),
      '@ipc async': uncontended(false),
      // Fewer: each operation is a round trip to the lock's home.
      '@ipc from a child process': (n) => uncontendedRemote(false)(Math.max(1, Math.floor(n / 200))),
    },
    targets: [{ peer: 'python', atLeast: 1 }],
    python: 'lock_uncontended_ops',
  },
  {
    group: 'sync',
    name: 'two workers incrementing a shared counter under a Lock',
    unit: 'ops/s',
    size: 1_000_000,
    smokeSize: 10,
    subjects: {
      '@ipc': counterUnderLock('thread', true),
      '@ipc async': counterUnderLock('thread', false),
      '@ipc processes': (n) => counterUnderLock('process', false)(Math.max(1, Math.floor(n / 200))),
    },
    targets: [{ peer: 'python', atLeast: 10 }],
    python: 'locked_increments_ops',
  },
];
