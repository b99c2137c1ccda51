import { afterAll, describe, expect, it } from 'vitest';
import './_leaks.js';
import { SOAK } from './_soak.js';
import { activeChildren, type ContextKind } from '@ipc/core';
import { BrokenPoolError, Pool } from '@ipc/pool';
// @ts-expect-error -- plain JS fixture, loaded in the workers too
import * as fx from './fixtures/crash-tasks.mjs';

const { work } = fx as Record<'work', (i: number, die: number[]) => number>;

afterAll(() => {
  expect(activeChildren()).toEqual([]);
});

describe.each<ContextKind>(['thread', 'process'])('a pool running 10,000 tasks while workers die (%s context)', (context) => {
  it('every task completes or fails with BrokenPoolError; nothing hangs; the pool goes on', async () => {
    await using pool = new Pool({ processes: 2, context });
    const n = 10_000 * SOAK;
    // Workers die at spread-out moments, in the middle of the traffic.
    const die = [1_234, 4_567, 8_901];
    const outcomes = await Promise.allSettled(Array.from({ length: n }, (_, i) => pool.apply(work, [i, die])));
    let ok = 0;
    let broken = 0;
    outcomes.forEach((o, i) => {
      if (o.status === 'fulfilled') {
        expect(o.value).toBe(i + 1);
        ok++;
      } else {
        expect(o.reason).toBeInstanceOf(BrokenPoolError);
        expect(die).toContain(i);
        broken++;
      }
    });
    expect(broken).toBe(die.length);
    expect(ok).toBe(n - die.length);
    expect(await pool.apply(work, [41, []])).toBe(42);
  }, 30_000 * SOAK);
});

// From outside the pool: a process worker is SIGKILLed by pid (as `kill -9` would); a thread
// worker — which only its pool can reach — is terminated through `pool.killWorker(threadId)`.
describe.each<ContextKind>(['thread', 'process'])('a pool whose workers are ended from outside at random moments (%s context)', (context) => {
  it('every task completes or fails with BrokenPoolError — the tasks a dead worker held run again; nothing hangs', async () => {
    await using pool = new Pool({ processes: 2, context });
    const n = 10_000 * SOAK;
    // Three moments, counted in finished tasks: a worker that just finished one is killed while it holds others.
    const moments = new Set(Array.from({ length: 3 }, () => 1_000 + Math.floor(Math.random() * (n - 2_000))));
    let finished = 0;
    const killed: number[] = [];
    pool.on('task', (e) => {
      if (moments.has(++finished)) {
        if (context === 'thread') {
          if (pool.killWorker(e.workerId)) killed.push(e.workerId);
          return;
        }
        try {
          process.kill(e.workerId, 'SIGKILL');
          killed.push(e.workerId);
        } catch {
          // already gone
        }
      }
    });
    const outcomes = await Promise.allSettled(Array.from({ length: n }, (_, i) => pool.apply(work, [i, []])));
    const why = `kills after tasks ${[...moments].join(', ')}`;
    let failed = 0;
    outcomes.forEach((o, i) => {
      if (o.status === 'fulfilled') expect(o.value, why).toBe(i + 1);
      else {
        expect(o.reason, why).toBeInstanceOf(BrokenPoolError);
        failed++;
      }
    });
    expect(killed.length, why).toBeGreaterThan(0);
    expect(failed, why).toBeLessThanOrEqual(killed.length);
    expect(await pool.apply(work, [41, []])).toBe(42);
  }, 60_000 * SOAK);
});
