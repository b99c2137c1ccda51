import { Process, task, type ContextKind } from '@ipc/core';
import { Manager, Value, type ListProxy, type SynchronizedValue } from '@ipc/shared';
import { Event } from '@ipc/sync';
import type { Benchmark } from '../types.js';

/** Waits for `go`, then adds 1 to the locked Value `n` times (Python's `with v.get_lock(): v.value += 1`); returns its time in ms. */
export const valueIncrements = task(import.meta.url, async (value: SynchronizedValue<'i'>, go: Event, n: number) => {
  await go.wait();
  const lock = value.getLock();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    lock.acquireSync();
    value.value += 1;
    lock.release();
  }
  return performance.now() - t0;
});

/** Waits for `go`, then appends `n` items to the manager list, one call each (Python's `lst.append(i)`); returns its time in ms. */
export const listAppends = task(import.meta.url, async (list: ListProxy<number>, go: Event, n: number) => {
  await go.wait();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await list.append(i);
  return performance.now() - t0;
});

/** Two workers in `context` add 1 to one locked Value `n` times each: increments per second. */
const valueUnderLock = (context: ContextKind) => async (n: number) => {
  const value = Value('i', 0);
  const go = new Event();
  const workers = [0, 1].map(() => new Process({ target: valueIncrements, args: [value, go, n], context }));
  for (const w of workers) w.start();
  go.set();
  const took = await Promise.all(workers.map((w) => w.join()));
  if (took.some((ms) => ms === undefined)) throw new Error('a worker failed');
  if (value.value !== 2 * n) throw new Error(`the value is ${value.value}, not ${2 * n}: the lock let two in`);
  return (2 * n * 1000) / Math.max(...(took as number[]));
};

/** Two workers in `context` append `n` items each to one Manager list: appends per second. */
const managerAppends = (context: ContextKind) => async (n: number) => {
  await using manager = await Manager.start();
  const list = await manager.list<number>();
  const go = new Event();
  const workers = [0, 1].map(() => new Process({ target: listAppends, args: [list, go, n], context }));
  for (const w of workers) w.start();
  go.set();
  const took = await Promise.all(workers.map((w) => w.join()));
  if (took.some((ms) => ms === undefined)) throw new Error('a worker failed');
  const length = await list.length();
  if (length !== 2 * n) throw new Error(`the list has ${length} items, not ${2 * n}`);
  return (2 * n * 1000) / Math.max(...(took as number[]));
};

export const sharedBenchmarks: Benchmark[] = [
  {
    group: 'shared',
    name: 'two workers incrementing a locked Value',
    unit: 'ops/s',
    size: 500_000,
    smokeSize: 10,
    subjects: {
      '@ipc': valueUnderLock('thread'),
      // Fewer: in a child process each access is a round trip to the memory's home.
      '@ipc processes': (n) => valueUnderLock('process')(Math.max(1, Math.floor(n / 500))),
    },
    targets: [{ peer: 'python', atLeast: 10 }],
    python: 'shared_value_increments_ops',
  },
  {
    group: 'shared',
    name: 'two workers appending to a Manager list',
    unit: 'ops/s',
    size: 20_000,
    smokeSize: 10,
    subjects: {
      '@ipc': managerAppends('thread'),
      '@ipc processes': managerAppends('process'),
    },
    targets: [{ peer: 'python', atLeast: 1 }],
    python: 'manager_list_appends_ops',
  },
];
