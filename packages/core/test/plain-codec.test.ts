import { serialize as v8Serialize, deserialize as v8Deserialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { decodePlain, encodePlain } from '../src/index.js';

const TAG = 0xfe;
/** What the structured clone gives back: the plain form must give back the same (`toStrictEqual` compares -0 and NaN with Object.is). */
const clone = (v: unknown): unknown => v8Deserialize(v8Serialize(v));

describe('the plain form', () => {
  const exact: [string, unknown][] = [
    ['null', null],
    ['undefined', undefined],
    ['booleans', [true, false]],
    ['int32 edges', [0, 1, -1, 2 ** 31 - 1, -(2 ** 31)]],
    ['doubles', [2 ** 31, -(2 ** 31) - 1, 1.5, -0, NaN, Infinity, -Infinity, Number.MIN_VALUE, Number.MAX_VALUE]],
    ['bigints', [0n, -5n, 12345678901234567890123n]],
    ['empty string', ''],
    ['short ASCII', 'hello'],
    ['long ASCII', 'x'.repeat(10_000)],
    ['non-ASCII', ['é', 'é'.repeat(40), '日本語', '😀']],
    ['lone surrogates', ['\ud800', 'a\udc00b', '\ud800'.repeat(40)]],
    ['nested arrays', [1, [2, [3, []]]]],
    ['objects', { '': 1, é: 2, 10: 'ten', 2: 'two', b: undefined, nested: { list: [{ a: null }] } }],
    ['an own __proto__ key', JSON.parse('{"__proto__": {"x": 1}, "y": 2}') as unknown],
    ['a value larger than the scratch space', { big: 'y'.repeat(100_000), more: Array.from({ length: 4000 }, (_, i) => i * 1.5) }],
  ];
  it.each(exact)('gives back %s exactly as the structured clone would', (_, value) => {
    const bytes = encodePlain(value, TAG);
    expect(bytes).toBeInstanceOf(Buffer);
    expect(bytes![0]).toBe(TAG);
    const back = decodePlain(bytes!);
    expect(back).toStrictEqual(clone(value));
    expect(back).toStrictEqual(value);
  });

  it('keeps an own __proto__ as a property, never as the prototype', () => {
    const back = decodePlain(encodePlain(JSON.parse('{"__proto__": {"polluted": true}}'), TAG)!) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.hasOwn(back, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads a getter once, as the clone does', () => {
    let reads = 0;
    const o = {
      get x() {
        reads++;
        return 7;
      },
    };
    expect(decodePlain(encodePlain(o, TAG)!)).toEqual({ x: 7 });
    expect(reads).toBe(1);
  });

  it('refuses what it would not give back exactly, and stays usable after', () => {
    const shared = { a: 1 };
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const extra = Object.assign([1, 2], { foo: 1 });
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    const refused: unknown[] = [
      // eslint-disable-next-line no-sparse-arrays -- a hole, on purpose
      [1, , 3],
      extra,
      'abc'.match(/b/), // extra keys: index, input, groups
      { x: shared, y: shared },
      cyclic,
      new Date(0),
      new Map(),
      new Set(),
      Object.create(null),
      new (class Point {})(),
      new Uint8Array(2),
      () => 1,
      Symbol('s'),
      { nested: { fn: () => 1 } },
      deep,
      Array.from({ length: 70 }, () => ({})), // more than 64 objects
      new Array(5000).fill(0),
    ];
    refused.forEach((v, i) => expect(encodePlain(v, TAG), `refused[${i}]`).toBeUndefined());
    // Nothing of a refused value leaks into the next one.
    expect(decodePlain(encodePlain({ ok: [1, 'two'] }, TAG)!)).toEqual({ ok: [1, 'two'] });
  });

  it('decodes from any offset and any Uint8Array', () => {
    const bytes = encodePlain({ a: 'b' }, TAG)!;
    const copy = new Uint8Array(bytes.length + 3);
    copy.set(bytes, 3);
    expect(decodePlain(copy, 4)).toEqual({ a: 'b' });
  });
});
