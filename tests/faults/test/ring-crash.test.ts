import { afterAll, describe, expect, it } from 'vitest';
import './_leaks.js';
import { SOAK } from './_soak.js';
import { activeChildren, SharedRing, Thread } from '@ipc/core';
// @ts-expect-error -- plain JS fixture, loaded in the workers too
import * as fx from './fixtures/ring-traffic.mjs';

type Task = (...args: unknown[]) => unknown;
const { producer, consumer } = fx as Record<'producer' | 'consumer', Task>;

afterAll(() => {
  expect(activeChildren()).toEqual([]);
});

function start(target: Task, ...args: unknown[]): Thread {
  const t = new Thread({ target, args });
  t.start();
  return t;
}

describe('the thread channel under crashes', () => {
  it('4 producers, 4 consumers, 100,000 checksummed items, one producer terminated mid-flow: every accepted item arrives exactly once', async () => {
    const ring = SharedRing.create(1 << 14);
    const acked = new Int32Array(new SharedArrayBuffer(16));
    const perProducer = 25_000 * SOAK;
    // Producer 2 would write for ever: it is the one terminated, somewhere in the middle of its traffic.
    const producers = [0, 1, 2, 3].map((id) => start(producer, ring.buffer, acked.buffer, id, id === 2 ? 1e9 : perProducer));
    const consumers = [0, 1, 2, 3].map(() => start(consumer, ring.buffer));
    while (Atomics.load(acked, 2) < perProducer / 3) await new Promise((r) => setTimeout(r, 5));
    producers[2]!.terminate();
    await Promise.all(producers.map((p) => p.join()));
    expect(producers.map((p) => p.exitCode)).toEqual([0, 0, -15, 0]);
    ring.close();
    const got = ((await Promise.all(consumers.map((c) => c.join()))) as string[][]).flat();

    const seen = new Map<string, number>();
    for (const item of got) {
      const [id, i, sum] = item.split(':').map(Number) as [number, number, number];
      expect(sum).toBe((id * 1_000_003 + i * 7919) % 65_521);
      const key = `${id}:${i}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    for (const id of [0, 1, 2, 3]) {
      // Everything a producer saw accepted arrived; the killed one may have had one more write land before its count.
      const accepted = Atomics.load(acked, id);
      for (let i = 0; i < accepted; i++) expect(seen.has(`${id}:${i}`)).toBe(true);
      const arrived = [...seen.keys()].filter((k) => k.startsWith(`${id}:`)).length;
      expect(arrived - accepted).toBeLessThanOrEqual(id === 2 ? 1 : 0);
    }
  }, 60_000 * SOAK);
});
