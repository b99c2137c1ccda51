import { Process, task, type ContextKind } from '@ipc/core';
import { Queue } from '@ipc/queue';
import { Event } from '@ipc/sync';
import type { Benchmark } from '../types.js';

/** A producer: says it is ready, waits for `go`, then puts the numbers 0..count-1 (sync puts if asked). */
export const queueProducer = task(import.meta.url, async (q: Queue<number>, count: number, sync: boolean, ready: Queue<number>, go: Event) => {
  await ready.put(1);
  await go.wait();
  if (sync) for (let i = 0; i < count; i++) q.putSync(i);
  else for (let i = 0; i < count; i++) await q.put(i);
  q.close();
  await q.joinThread(); // every item reached the queue
});

/** A consumer: says it is ready, gets `count` items (sync gets if asked), then says it is done. */
export const queueConsumer = task(import.meta.url, async (q: Queue<number>, count: number, sync: boolean, ready: Queue<number>, done: Queue<number>) => {
  await ready.put(1);
  if (sync) for (let i = 0; i < count; i++) q.getSync();
  else for (let i = 0; i < count; i++) await q.get();
  await done.put(1);
});

/**
 * `producers` → `consumers`, all in `context`, `n` small items in all, on one
 * Queue: items per second from the moment every worker is running and the
 * producers are let go, to the last get. As Python's figure is measured.
 */
const flow = (context: ContextKind, producers: number, consumers: number, sync: boolean) => async (n: number) => {
  const q = new Queue<number>();
  const ready = new Queue<number>();
  const done = new Queue<number>();
  const go = new Event();
  const eachIn = Math.floor(n / producers);
  const eachOut = (eachIn * producers) / consumers;
  const workers = [
    ...Array.from({ length: consumers }, () => new Process({ target: queueConsumer, args: [q, eachOut, sync, ready, done], context })),
    ...Array.from({ length: producers }, () => new Process({ target: queueProducer, args: [q, eachIn, sync, ready, go], context })),
  ];
  for (const w of workers) w.start();
  for (const _ of workers) await ready.get();
  const t0 = performance.now();
  go.set();
  for (let i = 0; i < consumers; i++) await done.get();
  const ops = (eachIn * producers * 1000) / (performance.now() - t0);
  await Promise.all(workers.map((w) => w.join()));
  if (workers.some((w) => w.exitCode !== 0)) throw new Error('a queue worker failed');
  return ops;
};

const bench = (context: ContextKind, producers: number, consumers: number, size: number): Benchmark => ({
  group: 'queue',
  name: `Queue ${producers} → ${consumers}, ${context} context, small items`,
  unit: 'ops/s',
  size,
  smokeSize: 40,
  subjects:
    context === 'thread'
      ? { '@ipc': flow(context, producers, consumers, false), '@ipc sync': flow(context, producers, consumers, true) }
      : { '@ipc': flow(context, producers, consumers, false) },
  targets: [{ peer: 'python', atLeast: context === 'thread' ? 10 : 1 }],
  python: `queue_${producers}to${consumers}_ops`,
});

export const queueBenchmarks: Benchmark[] = [bench('thread', 1, 1, 1_000_000), bench('thread', 4, 4, 1_000_000), bench('process', 1, 1, 200_000), bench('process', 4, 4, 200_000)];
