import { describe, expect, it } from 'vitest';
import { Process } from '@ipc/core';
import { RLock, Lock } from '@ipc/sync';
import { Array as SArray, RawArray, RawValue, SharedValue, SynchronizedValue, Value, type Typecode } from '@ipc/shared';
// @ts-expect-error plain JavaScript fixture
import { increment, incrementSync, poke } from './fixtures/tasks.mjs';

const CONTEXTS = ['thread', 'process'] as const;

// CPython's _test_multiprocessing.py: test_value, test_rawvalue, test_getobj_getlock.
describe('Value', () => {
  it('holds each typecode, with Python defaults of zero', () => {
    const cases: [Typecode, unknown, unknown][] = [
      ['i', 57, 57],
      ['d', 3.625, 3.625],
      ['f', 0.5, 0.5],
      ['h', -232, -232],
      ['H', 65535, 65535],
      ['b', -128, -128],
      ['B', 255, 255],
      ['I', 2 ** 32 - 1, 2 ** 32 - 1],
      ['l', -(2 ** 31), -(2 ** 31)],
      ['L', 7, 7],
      ['q', 2n ** 62n, 2n ** 62n],
      ['Q', 2n ** 64n - 1n, 2n ** 64n - 1n],
      ['c', 'x', 'x'],
    ];
    for (const [tc, init, want] of cases) {
      const v = Value(tc, init as never);
      expect(v.value).toBe(want);
      expect(v.typecode).toBe(tc);
      expect(RawValue(tc).value).toBe(tc === 'c' ? '\u0000' : tc === 'q' || tc === 'Q' ? 0n : 0);
    }
    const f = Value('f', 0.1);
    expect(f.value).toBeCloseTo(0.1, 6);
    expect(f.value).not.toBe(0.1); // single precision, as in C
  });

  it('rejects bad typecodes and values that do not fit, changing nothing', () => {
    expect(() => Value('z' as Typecode, 1)).toThrow(TypeError);
    expect(() => Value('i', 2 ** 31)).toThrow(RangeError);
    expect(() => Value('B', -1)).toThrow(RangeError);
    expect(() => Value('i', 1.5)).toThrow(TypeError);
    expect(() => Value('i', '1' as never)).toThrow(TypeError);
    expect(() => Value('q', 2n ** 63n)).toThrow(RangeError);
    expect(() => Value('c', 'ab')).toThrow(TypeError);
    expect(() => Value('c', '€')).toThrow(RangeError);
    const v = Value('h', 5);
    expect(() => (v.value = 40000)).toThrow(RangeError);
    expect(v.value).toBe(5);
    expect(Value('q', 5 as never).value).toBe(5n); // a safe integer is taken for q
  });

  it('getLock/getObj when locked; lock: false is raw; a lock of the user\'s own', () => {
    const v = Value('i', 5);
    expect(v).toBeInstanceOf(SynchronizedValue);
    expect(v.getLock()).toBeInstanceOf(RLock);
    const obj = v.getObj();
    expect(obj).toBeInstanceOf(SharedValue);
    obj.value = 6;
    expect(v.value).toBe(6);
    const raw = Value('i', 5, { lock: false });
    expect(raw).not.toBeInstanceOf(SynchronizedValue);
    expect('getLock' in raw).toBe(false);
    const lock = new Lock();
    const mine = Value('i', 1, { lock });
    expect(mine.getLock()).toBe(lock);
    expect(() => Value('i', 1, { lock: 'yes' as never })).toThrow(TypeError);
    expect(String(v)).toBe("SynchronizedValue('i', 6)");
  });

  it('an access waits for the lock held by another', async () => {
    const v = Value('i', 1);
    await v.getLock().acquire();
    v.value = 2; // the RLock is ours: recursion
    expect(v.value).toBe(2);
    v.getLock().release();
  });

  for (const context of CONTEXTS) {
    describe(`in a ${context}`, () => {
      it('a worker\'s write is seen here, and ours there', async () => {
        for (const [tc, before, after] of [['i', 3, -4], ['d', 1.5, 2.25], ['c', 'a', 'z'], ['q', 1n, -(2n ** 40n)]] as const) {
          const v = Value(tc as 'i', before as never);
          const raw = RawValue(tc as 'i', before as never);
          for (const obj of [v, raw]) {
            const p = new Process({ target: poke, args: [obj, null, after], context });
            p.start();
            expect(await p.join()).toBe(before);
            expect(p.exitCode).toBe(0);
            expect(obj.value).toBe(after);
            obj.value = before as never;
          }
        }
      });

      it('locked increments from two workers add up', async () => {
        const v = Value('i', 0);
        const procs = [0, 1].map(() => new Process({ target: increment, args: [v, context === 'thread' ? 500 : 50], context }));
        for (const p of procs) p.start();
        for (const p of procs) await p.join();
        expect(procs.map((p) => p.exitCode)).toEqual([0, 0]);
        expect(v.value).toBe(context === 'thread' ? 1000 : 100);
      });

      it('a loop of acquireSync, `v.value += 1`, release from two workers adds up, with its RLock or one of the user\'s own', async () => {
        const times = context === 'thread' ? 100_000 : 30;
        for (const v of [Value('i', 0), Value('i', 0, { lock: new RLock() })]) {
          const procs = [0, 1].map(() => new Process({ target: incrementSync, args: [v, times], context }));
          for (const p of procs) p.start();
          for (const p of procs) await p.join();
          expect(procs.map((p) => p.exitCode)).toEqual([0, 0]);
          expect(v.value).toBe(2 * times);
          expect(v.getLock().locked()).toBe(false);
        }
      });
    });
  }

  it('a raw value and array are not locked and still cross', () => {
    expect(RawArray('i', 2).toArray()).toEqual([0, 0]);
    expect(SArray('i', 2, { lock: false }).toArray()).toEqual([0, 0]);
  });
});
