import { afterAll, describe, expect, it } from 'vitest';
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
    const n = 10_000;
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
  });
});
