// acquireSync on a busy lock: it watches, naps, then sleeps until a release wakes it (see src/_lock-blocking.ts).
// Between threads only: a child process's acquireSync is a round trip to the lock's home, which waits there.
import { afterAll, describe, expect, it } from 'vitest';
import { activeChildren, Process } from '@ipc/core';
import { Event, Lock, RLock } from '@ipc/sync';
// @ts-expect-error -- plain JS fixture, loaded in the workers too
import * as fx from './fixtures/tasks.mjs';

type Task = (...args: unknown[]) => unknown;
const f = fx as Record<'holdFor' | 'holdForever' | 'acquireBlocking' | 'incrementUnderLock', Task>;

afterAll(() => {
  expect(activeChildren()).toEqual([]);
});

function start(target: Task, ...args: unknown[]): Process {
  const p = new Process({ target, args, context: 'thread' });
  p.start();
  return p;
}

const now = (): number => performance.timeOrigin + performance.now();

describe.each([
  ['Lock', () => new Lock()],
  ['RLock', () => new RLock()],
] as const)('%s: acquireSync of a lock another thread holds', (_name, make) => {
  it('blocks past its watching and napping, and wakes soon after the release', async () => {
    const lock = make();
    const held = new Event();
    const holder = start(f.holdFor, lock, held, 50); // longer than the watch (2 µs) and the naps (2 ms)
    expect(held.waitSync({ timeout: 20_000 })).toBe(true);
    expect(lock.acquireSync({ timeout: 20_000 })).toBe(true);
    const acquiredAt = now();
    expect(lock.abandoned).toBe(false);
    lock.release();
    const releasedAt = (await holder.join()) as number;
    expect(acquiredAt).toBeGreaterThanOrEqual(releasedAt);
    expect(acquiredAt - releasedAt).toBeLessThan(1_000); // a release wakes a sleeper: no waiting for a liveness check
  });

  it('gives up at its timeout, in the napping phase and in the sleeping one', async () => {
    const lock = make();
    const ready = new Event();
    const holder = start(f.holdForever, lock, ready);
    expect(await ready.wait({ timeout: 20_000 })).toBe(true);
    for (const timeout of [1, 50]) {
      const t0 = performance.now();
      expect(lock.acquireSync({ timeout })).toBe(false);
      const took = performance.now() - t0;
      expect(took).toBeGreaterThanOrEqual(0.6 * timeout);
      expect(took).toBeLessThan(10 * timeout + 50);
    }
    expect(lock.acquireSync({ block: false })).toBe(false);
    holder.terminate();
    await holder.join();
  });

  it('a holder terminated while the acquirer is blocked: taken over, and told', async () => {
    const lock = make();
    const ready = new Event();
    const holder = start(f.holdForever, lock, ready);
    expect(await ready.wait({ timeout: 20_000 })).toBe(true);
    const blocking = new Event();
    const waiter = start(f.acquireBlocking, lock, blocking, 20_000);
    expect(await blocking.wait({ timeout: 20_000 })).toBe(true);
    const t0 = performance.now();
    holder.terminate();
    await holder.join();
    const [got, abandoned, count] = (await waiter.join()) as [boolean, boolean, number | null];
    expect(got).toBe(true);
    expect(abandoned).toBe(true);
    if (lock instanceof RLock) expect(count).toBe(1);
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(lock.locked()).toBe(false);
  });

  it('two threads incrementing under it in a loop: no increment lost', async () => {
    const lock = make();
    const counter = new SharedArrayBuffer(4);
    const n = 200_000;
    const workers = [0, 1].map(() => start(f.incrementUnderLock, lock, counter, n, true));
    await Promise.all(workers.map((w) => w.join()));
    expect(new Int32Array(counter)[0]).toBe(2 * n);
    expect(lock.locked()).toBe(false);
  });
});
