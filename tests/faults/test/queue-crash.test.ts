import { afterAll, describe, expect, it } from 'vitest';
import './_leaks.js';
import { SOAK } from './_soak.js';
import { activeChildren, Process, type ContextKind } from '@ipc/core';
import { Queue } from '@ipc/queue';
import { Event } from '@ipc/sync';
// @ts-expect-error -- plain JS fixture, loaded in the children too
import * as fx from './fixtures/crash-tasks.mjs';

type Task = (...args: unknown[]) => unknown;
const { produce, consume } = fx as Record<'produce' | 'consume', Task>;

afterAll(() => {
  expect(activeChildren()).toEqual([]);
});

function start(context: ContextKind, target: Task, ...args: unknown[]): Process {
  const p = new Process({ target, args, context });
  p.start();
  return p;
}

describe('a queue under crashes', () => {
  it('4 producers and 4 consumers (threads and processes) move 100,000 checksummed items; one producer is SIGKILLed mid-flow: every item arrives once, each producer’s items a gapless prefix', async () => {
    const q = new Queue<string | null>({ maxsize: 1000 });
    const per = 25_000 * SOAK;
    const flowing = new Event();
    const producers = [start('thread', produce, q, 0, per), start('process', produce, q, 1, per), start('thread', produce, q, 2, per), start('process', produce, q, 3, 1e9, flowing)];
    const consumers = [start('thread', consume, q, 1), start('process', consume, q, 1), start('thread', consume, q, 1), start('process', consume, q, 1)];
    // Once producer 3 is in full flow, kill it while everything flows.
    expect(await flowing.wait({ timeout: 60_000 })).toBe(true);
    producers[3]!.kill();
    await Promise.all(producers.map((p) => p.join()));
    expect(producers[3]!.exitCode).toBe(-9);
    await q.put(null); // the sentinel the dead producer never sent
    const got = ((await Promise.all(consumers.map((c) => c.join()))) as string[][]).flat();
    expect(consumers.every((c) => c.exitCode === 0)).toBe(true);
    const byProducer = new Map<number, Set<number>>();
    for (const item of got) {
      const [id, i, sum] = item.split(':').map(Number) as [number, number, number];
      expect(sum).toBe((i * 7919 + id) % 65_521);
      const seen = byProducer.get(id) ?? new Set<number>();
      expect(seen.has(i)).toBe(false);
      seen.add(i);
      byProducer.set(id, seen);
    }
    for (const id of [0, 1, 2]) expect(byProducer.get(id)!.size).toBe(per);
    const killed = byProducer.get(3)!;
    expect(killed.size).toBeGreaterThan(0);
    expect(Math.max(...killed)).toBe(killed.size - 1); // no gap: nothing accepted was lost
    expect(q.qsize()).toBe(0);
  }, 120_000 * SOAK);
});
