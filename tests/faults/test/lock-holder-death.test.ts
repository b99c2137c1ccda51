import { afterAll, describe, expect, it } from 'vitest';
import './_leaks.js';
import { activeChildren, RobustMutex, Thread, waitWord } from '@ipc/core';
// @ts-expect-error -- plain JS fixture, loaded in the workers too
import * as fx from './fixtures/ring-traffic.mjs';

const { incrementer } = fx as Record<'incrementer', (...args: unknown[]) => unknown>;

afterAll(() => {
  expect(activeChildren()).toEqual([]);
});

function start(...args: unknown[]): Thread {
  const t = new Thread({ target: incrementer, args });
  t.start();
  return t;
}

describe('a lock whose holder dies', () => {
  it('three rounds: a holder is terminated inside its critical section while two threads contend; nobody hangs, each takeover is reported once, no increment is lost', async () => {
    const buffer = new SharedArrayBuffer(32);
    const i32 = new Int32Array(buffer);
    const count = 1_000;
    let abandoned = 0;
    for (let round = 0; round < 3; round++) {
      Atomics.store(i32, 4, 0);
      const victim = start(buffer, 0, true);
      while (Atomics.load(i32, 4) === 0) await waitWord(i32, 4, 0, { timeout: 1000 });
      const survivors = [start(buffer, count, false), start(buffer, count, false)];
      victim.terminate();
      const results = await Promise.all(survivors.map((w) => w.join()));
      await victim.join();
      expect(victim.exitCode).toBe(-15);
      expect(survivors.map((w) => w.exitCode)).toEqual([0, 0]);
      abandoned += results.reduce<number>((n, r) => n + (r as number), 0);
    }
    expect(abandoned).toBe(3);
    expect(i32[0]).toBe(3 * 2 * count);
    const m = new RobustMutex(i32, 2);
    expect(m.lockSync(0)).toBe('acquired');
    m.unlock();
  });
});
