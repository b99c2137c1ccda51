import { afterAll, describe, expect, it } from 'vitest';
import { activeChildren, Process } from '@ipc/core';
import { Queue } from '@ipc/queue';
// @ts-expect-error -- plain JS fixture, loaded in the children too
import * as fx from './fixtures/tasks.mjs';

type Task = (...args: unknown[]) => unknown;
const f = fx as Record<'getN' | 'putBig', Task>;

afterAll(() => {
  expect(activeChildren()).toEqual([]);
});

// Numbers, strings, booleans, null and undefined travel in a short form of their own; the rest through the codec.
const values: unknown[] = [
  0,
  -0,
  1.5,
  -(2 ** 53),
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  Infinity,
  -Infinity,
  NaN,
  '',
  'url_1',
  'x'.repeat(64),
  'x'.repeat(65),
  'é',
  '我放数据咯',
  '😀 and ascii',
  '\uD800', // lone surrogates: UTF-8 cannot carry them, so they take the codec's path
  'a\uDC00b',
  'é\uD83D',
  'y'.repeat(100_000),
  true,
  false,
  null,
  undefined,
  { a: [1, 'two', null] },
  [undefined],
  10n,
  new Date(5),
];

describe('items', () => {
  it('come back equal, in this thread, sync and async', async () => {
    const q = new Queue<unknown>();
    for (const v of values) await q.put(v);
    for (const v of values) expect(Object.is(await q.get(), v) || (typeof v === 'object' && v !== null)).toBe(true);
    for (const v of values) q.putSync(v);
    for (const v of values) expect(q.getSync()).toEqual(v);
  });

  it.each(['thread', 'process'] as const)('come back equal from a child in the %s context', async (context) => {
    const q = new Queue<unknown>();
    for (const v of values) await q.put(v);
    const p = new Process({ target: f.getN, args: [q, values.length], context });
    p.start();
    const got = (await p.join()) as unknown[];
    expect(got).toHaveLength(values.length);
    got.forEach((v, i) => expect(v).toEqual(values[i]));
    expect(Object.is(got[1], -0)).toBe(true);
  });

  it('a thread producer that returns right after its last put loses nothing, even beyond what the ring holds', async () => {
    const q = new Queue<string>();
    const n = 3000; // 3 MB: three times the ring
    const p = new Process({ target: f.putBig, args: [q, n, 1000], context: 'thread' });
    p.start();
    const got: string[] = [];
    for (let i = 0; i < n; i++) got.push(await q.get({ timeout: 20_000 }));
    expect(await p.join()).toBe(n);
    got.forEach((item, i) => expect(item.startsWith(`${i}:`) && item.length === `${i}:`.length + 1000).toBe(true));
    expect(q.qsize()).toBe(0);
  });
});
