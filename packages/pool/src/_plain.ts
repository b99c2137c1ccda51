/** Values that cross as they are: no codec walk on the way out, no revival on the way in. */
export function isPlain(v: unknown): boolean {
  return v === null || (typeof v !== 'object' && typeof v !== 'function' && typeof v !== 'symbol');
}

/** Arguments that are all plain (the common case of tiny tasks). */
export function allPlain(args: readonly unknown[]): boolean {
  for (const a of args) if (!isPlain(a)) return false;
  return true;
}

/** A long array of numbers on its way to another heap, as the bytes of a typed array. */
export interface PackedNumbers {
  readonly packed: Int32Array | Float64Array;
}

/** Below this, packing costs more than it saves. */
const PACK_MIN = 256;

/**
 * Packs a long array of numbers into a typed array. Why: the structured
 * clone copies a typed array as one block, but reads and writes an array of
 * numbers one tagged value at a time — most of the cost of a large `map`.
 */
export function packNumbers(value: unknown): unknown {
  if (!Array.isArray(value) || value.length < PACK_MIN) return value;
  let ints = true;
  for (let i = 0; i < value.length; i++) {
    const x: unknown = value[i];
    if (typeof x !== 'number') return value;
    // -0 and non-int32 values need the float form to come back as they were.
    if (ints && ((x | 0) !== x || Object.is(x, -0))) ints = false;
  }
  return { packed: ints ? Int32Array.from(value as number[]) : Float64Array.from(value as number[]) } satisfies PackedNumbers;
}

export function isPacked(value: unknown): value is PackedNumbers {
  if (value === null || typeof value !== 'object') return false;
  const p = (value as { packed?: unknown }).packed;
  return p instanceof Int32Array || p instanceof Float64Array;
}

export function unpackNumbers(value: PackedNumbers): number[] {
  const src = value.packed;
  const out = new Array<number>(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i]!;
  return out;
}
