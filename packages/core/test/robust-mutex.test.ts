import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { activeChildren, heapId, RobustMutex, StateError, Thread, waitWord } from '@ipc/core';
// @ts-expect-error -- plain JS fixture, loaded in the workers too
import * as fx from './fixtures/ring-tasks.mjs';

const holdMutex = (fx as Record<string, (...args: unknown[]) => unknown>).holdMutex!;
const contendMutex = (fx as Record<string, (...args: unknown[]) => unknown>).contendMutex!;

afterAll(() => {
  expect(activeChildren()).toEqual([]);
});

describe('RobustMutex', () => {
  it('locks, refuses a second taker, times out within bounds and unlocks', async () => {
    const m = new RobustMutex(new Int32Array(new SharedArrayBuffer(8)), 0);
    expect(m.tryLock()).toBe('acquired');
    expect(m.owner()).toBe(heapId());
    expect(m.tryLock(12345)).toBe(false);
    const t0 = performance.now();
    expect(await m.lock({ timeout: 150 }, 12345)).toBe(false);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(90);
    expect(m.lockSync(0, 12345)).toBe(false);
    expect(() => m.unlock(12345)).toThrow(StateError);
    m.unlock();
    expect(() => m.unlock()).toThrow(/unlocked/);
    expect(m.lockSync(100, 12345)).toBe('acquired');
  });

  it('watch() takes a free lock at once, gives up on a busy one within its few microseconds, and never counts itself a waiter', () => {
    const i32 = new Int32Array(new SharedArrayBuffer(8));
    const m = new RobustMutex(i32, 0);
    expect(m.watch(heapId(), Infinity)).toBe(true);
    expect(m.owner()).toBe(heapId());
    const t0 = performance.now();
    expect(m.watch(12345, Infinity)).toBe(false);
    expect(performance.now() - t0).toBeLessThan(50);
    expect(m.watch(12345, 0)).toBe(false); // a deadline already passed: one look
    expect(m.lockSync(0, 12345)).toBe(false);
    expect(i32[1]).toBe(0); // no waiter was counted: the unlock makes no wake-up call
    m.unlock();
  });

  it('is taken over, and reported abandoned, when its owner thread dies holding it', async () => {
    const buffer = new SharedArrayBuffer(16);
    const i32 = new Int32Array(buffer);
    const holder = new Thread({ target: holdMutex, args: [buffer] });
    holder.start();
    const m = new RobustMutex(i32, 0);
    while (Atomics.load(i32, 2) === 0) await waitWord(i32, 2, 0, { timeout: 1000 });
    expect(m.tryLock()).toBe(false);
    const waiting = m.lock({ timeout: 10_000 });
    holder.terminate();
    await holder.join();
    expect(await waiting).toBe('abandoned');
    expect(m.owner()).toBe(heapId());
    m.unlock();
  });
});

describe('RobustMutex under contention', () => {
  it('four threads (blocking and async, some giving up and retrying) take turns with no wake-up lost', async () => {
    // Were a wake-up lost, a sleeper would lie until its 100 ms liveness check — thousands of
    // times over, far past the bound.
    const buffer = new SharedArrayBuffer(16);
    const i32 = new Int32Array(buffer);
    const rounds = 2_000;
    const modes = ['sync', 'sync', 'async', 'async'];
    const t0 = performance.now();
    const threads = modes.map((mode) => new Thread({ target: contendMutex, args: [buffer, rounds, mode] }));
    for (const t of threads) t.start();
    const gaveUp = (await Promise.all(threads.map((t) => t.join()))) as number[];
    expect(threads.map((t) => t.exitCode)).toEqual([0, 0, 0, 0]);
    expect(i32[2]).toBe(rounds * modes.length);
    expect(performance.now() - t0).toBeLessThan(30_000);
    expect(i32[0]).toBe(0); // free
    expect(i32[1]).toBe(0); // no waiter left counted
    expect(gaveUp.every((n) => Number.isInteger(n))).toBe(true);
  }, 60_000);
});

describe('waitWord', () => {
  it('keeps the process alive until its timeout, then resolves timed-out', () => {
    const code = `
      import { waitWord } from '@ipc/core';
      const i32 = new Int32Array(new SharedArrayBuffer(4));
      const t0 = Date.now();
      const r = await waitWord(i32, 0, 0, { timeout: 150 });
      console.log(r, Date.now() - t0 >= 100);
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: import.meta.dirname, timeout: 10_000 }).toString();
    expect(out.trim()).toBe('timed-out true');
  });

  it('resolves at once when the word already differs', async () => {
    const i32 = new Int32Array(new SharedArrayBuffer(4));
    i32[0] = 1;
    expect(await waitWord(i32, 0, 0)).toBe('not-equal');
  });
});
