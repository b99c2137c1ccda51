import { describe, expect, it } from 'vitest';
import { Process } from '@ipc/core';
import { Array as SArray, RawArray, SharedArray, SynchronizedArray, Value } from '@ipc/shared';
// @ts-expect-error plain JavaScript fixture
import { addTo, badWrite, poke, sliceWork } from './fixtures/tasks.mjs';

const CONTEXTS = ['thread', 'process'] as const;

// CPython's _test_multiprocessing.py: test_array, test_array_from_size, test_rawarray, test_getobj_getlock_obj.
describe('Array', () => {
  it('indexes, slices, iterates, with Python\'s negative indices and clamping', () => {
    const arr = SArray('i', [1, 2, 3, 4, 5]);
    expect(arr.length).toBe(5);
    expect(arr[0]).toBe(1);
    expect(arr[-1]).toBe(5);
    expect(arr.get(-2)).toBe(4);
    arr[1] = arr[1]! + 10;
    expect(arr.toArray()).toEqual([1, 12, 3, 4, 5]);
    expect(arr.slice(1, 3)).toEqual([12, 3]);
    expect(arr.slice(-2)).toEqual([4, 5]);
    expect(arr.slice(3, 100)).toEqual([4, 5]);
    expect(arr.slice(4, 2)).toEqual([]);
    arr.setSlice(0, 2, [7, 8]);
    expect([...arr]).toEqual([7, 8, 3, 4, 5]);
    expect(0 in arr).toBe(true);
    expect(5 in arr).toBe(false);
    expect(String(arr)).toBe("SynchronizedArray('i', [7, 8, 3, 4, 5])");
    const chars = SArray('c', 'hello');
    expect(chars.toArray().join('')).toBe('hello');
  });

  it('from a size is zeros; each typecode holds its range', () => {
    expect(SArray('d', 3).toArray()).toEqual([0, 0, 0]);
    expect(RawArray('Q', 2).toArray()).toEqual([0n, 0n]);
    expect(SArray('b', [-128, 127]).toArray()).toEqual([-128, 127]);
    expect(SArray('B', [0, 255]).toArray()).toEqual([0, 255]);
    expect(SArray('i', 0).length).toBe(0);
  });

  it('bad index, value or size is a clear error and changes nothing', () => {
    const arr = SArray('B', [1, 2, 3]);
    expect(() => arr[3]).toThrow(RangeError);
    expect(() => arr.get(-4)).toThrow(RangeError);
    expect(() => arr.get(1.5)).toThrow(TypeError);
    expect(() => (arr[0] = 256)).toThrow(RangeError);
    expect(() => arr.setSlice(0, 3, [9, 9, 300])).toThrow(RangeError);
    expect(() => arr.setSlice(0, 3, [9, 9])).toThrow(/same size/);
    expect(arr.toArray()).toEqual([1, 2, 3]);
    expect(() => SArray('i', -1)).toThrow(RangeError);
    expect(() => SArray('i', [1, 'x' as never])).toThrow(TypeError);
    expect(() => SArray('x' as 'i', 3)).toThrow(TypeError);
  });

  it('a char array has Python\'s value (up to the first NUL) and raw (everything)', () => {
    for (const arr of [SArray('c', 'hello'), RawArray('c', 'hello')]) {
      expect(arr.value).toBe('hello');
      arr.value = 'hi';
      expect(arr.value).toBe('hi');
      expect(arr.raw).toBe('hi\0lo');
      arr.raw = 'abcde';
      expect(arr.value).toBe('abcde');
      arr.value = 'vwxyz'; // as long as the array: no room for a NUL, none written
      expect(arr.raw).toBe('vwxyz');
      expect(() => (arr.value = 'too long')).toThrow(RangeError);
      expect(() => (arr.raw = 'é€')).toThrow(RangeError); // '€' is beyond one byte: nothing written
      expect(arr.raw).toBe('vwxyz');
    }
    expect(SArray('c', 3).value).toBe('');
    expect(() => SArray('i', 3).value).toThrow(TypeError);
    expect(() => (SArray('i', 3).raw = 'x')).toThrow(TypeError);
  });

  it('lock: null is Python\'s lock=None: the default lock', () => {
    expect(SArray('i', 2, { lock: null })).toBeInstanceOf(SynchronizedArray);
    expect(Value('i', 2, { lock: null }).getLock()).toBeDefined();
  });

  it('getLock/getObj; lock: false is raw', () => {
    const arr = SArray('i', [1, 2]);
    expect(arr).toBeInstanceOf(SynchronizedArray);
    const obj = arr.getObj();
    expect(obj).toBeInstanceOf(SharedArray);
    obj[0] = 9;
    expect(arr[0]).toBe(9);
    const raw = SArray('i', 2, { lock: false });
    expect(raw).not.toBeInstanceOf(SynchronizedArray);
  });

  for (const context of CONTEXTS) {
    describe(`in a ${context}`, () => {
      it('S001-3: two workers add 1 and 5 → 6 and [7, 8, 9, 10, 11]', async () => {
        const value = Value('i', 0);
        const array = SArray('i', [1, 2, 3, 4, 5]);
        const procs = [1, 5].map((n) => new Process({ target: addTo, args: [value, array, n], context }));
        for (const p of procs) p.start();
        for (const p of procs) await p.join();
        expect(procs.map((p) => p.exitCode)).toEqual([0, 0]);
        expect(value.value).toBe(6);
        expect(array.toArray()).toEqual([7, 8, 9, 10, 11]);
      });

      it('index, slices and errors work in the worker', async () => {
        for (const arr of [SArray('i', [1, 2, 3, 4]), RawArray('i', [1, 2, 3, 4])]) {
          const p = new Process({ target: sliceWork, args: [arr], context });
          p.start();
          expect(await p.join()).toEqual([[30, 4], [1, 20, 30, 4], 4, 'i']);
          expect(arr.toArray()).toEqual([1, 20, 30, 4]);
          const q = new Process({ target: poke, args: [arr, -1, 40], context });
          q.start();
          expect(await q.join()).toBe(4);
          expect(arr[3]).toBe(40);
          const r = new Process({ target: badWrite, args: [arr, 9, 1], context });
          r.start();
          expect(await r.join()).toBe('RangeError: array index 9 out of range (length 4)');
        }
      });
    });
  }
});
