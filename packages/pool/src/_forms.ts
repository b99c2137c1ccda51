/**
 * How a task's arguments and a result travel between the pool and a worker.
 * Each message says its form, so no value can be mistaken for another form
 * (a result `{ packed: Int32Array }` stays an object):
 *
 * - `raw`: primitives only, as they are — no codec walk out, no revival in;
 * - `packed`: a long array of numbers as a typed array — the structured clone
 *   copies a typed array as one block, but an array of numbers one tagged
 *   value at a time (most of the cost of a large `map`);
 * - `plain`: small plain objects and arrays in core's plain form (~0.5 µs both
 *   ways where the codec and v8's clone take several);
 * - `tree`: anything else, through the codec (handles, errors, classes…).
 */
import { decode, decodePlain, encode, encodePlain, type ContextKind } from '@ipc/core';
import type { TransferListItem } from 'node:worker_threads';

export type Form = 'raw' | 'packed' | 'plain' | 'tree';

export interface Carried {
  readonly form: Form;
  readonly value: unknown;
  readonly transfer: TransferListItem[];
}

const NO_TRANSFER: TransferListItem[] = [];
/** Below this, packing costs more than it saves. */
const PACK_MIN = 256;
/** The byte the plain form starts with here (the form is said by the message, so any byte would do). */
const PLAIN_TAG = 0;

function isPrimitive(v: unknown): boolean {
  return v === null || (typeof v !== 'object' && typeof v !== 'function' && typeof v !== 'symbol');
}

function allPrimitive(list: readonly unknown[]): boolean {
  for (const v of list) if (!isPrimitive(v)) return false;
  return true;
}

/**
 * Numbers put one by one into an int32 array — the form of most results, half the size — which
 * turns into a float64 one at the first number that is not an int32 (-0 and non-int32 values need
 * the float form to come back as they were).
 */
export class NumberPacker {
  private ints: Int32Array | undefined;
  private floats: Float64Array | undefined;

  constructor(readonly length: number) {
    this.ints = new Int32Array(length);
  }

  put(i: number, x: number): void {
    if (this.floats !== undefined) this.floats[i] = x;
    else if ((x | 0) === x && !Object.is(x, -0)) this.ints![i] = x;
    else {
      this.floats = new Float64Array(this.length);
      this.floats.set(this.ints!.subarray(0, i));
      this.floats[i] = x;
      this.ints = undefined;
    }
  }

  get packed(): Int32Array | Float64Array {
    return this.floats ?? this.ints!;
  }

  /** The numbers put so far (`0` to `to - 1`), as numbers, into `out`. */
  copyTo(out: unknown[], to: number): void {
    const packed = this.packed;
    for (let i = 0; i < to; i++) out[i] = packed[i];
  }
}

/**
 * A long run of numbers (`list[from]` to `list[to - 1]`) as a typed array, or undefined. One pass,
 * and no slice of the list: each loop over a chunk costs, most of all before the JIT has optimized it.
 */
function packNumbers(list: readonly unknown[], from = 0, to = list.length): Int32Array | Float64Array | undefined {
  // Most lists that are not numbers say so at their first item: no packer for them.
  if (to - from < PACK_MIN || typeof list[from] !== 'number') return undefined;
  const out = new NumberPacker(to - from);
  for (let i = from; i < to; i++) {
    const x = list[i];
    if (typeof x !== 'number') return undefined;
    out.put(i - from, x);
  }
  return out.packed;
}

/** Numbers a worker's map produced straight into a packer, in the packed form. */
export function packedResults(out: NumberPacker): Carried {
  return { form: 'packed', value: out.packed, transfer: NO_TRANSFER };
}

function unpackNumbers(src: Int32Array | Float64Array): number[] {
  const out = new Array<number>(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i]!;
  return out;
}

/** A task's argument list (for `map`, its items) on its way to a worker; a copy, so later changes by the caller do not show. */
export function carryArgs(all: readonly unknown[], mode: 'call' | 'map' | 'star', target: ContextKind, from = 0, to = all.length): Carried {
  // A map's chunk is `all[from]` to `all[to - 1]`: numbers are packed from where they are, without a slice.
  const packed = mode === 'map' ? packNumbers(all, from, to) : undefined;
  if (packed !== undefined) return { form: 'packed', value: packed, transfer: NO_TRANSFER };
  const args = all.slice(from, to);
  if (allPrimitive(args)) return { form: 'raw', value: args, transfer: NO_TRANSFER };
  const plain = encodePlain(args, PLAIN_TAG);
  if (plain !== undefined) return { form: 'plain', value: plain, transfer: NO_TRANSFER };
  const { tree, transfer } = encode(args, target, 'args');
  return { form: 'tree', value: tree, transfer };
}

/** A task's result on its way back (an error goes as a `tree`: it keeps its class). */
export function carryResult(value: unknown, target: ContextKind): Carried {
  if (isPrimitive(value)) return { form: 'raw', value, transfer: NO_TRANSFER };
  if (Array.isArray(value)) {
    const packed = packNumbers(value);
    if (packed !== undefined) return { form: 'packed', value: packed, transfer: NO_TRANSFER };
    if (allPrimitive(value)) return { form: 'raw', value, transfer: NO_TRANSFER };
  }
  const plain = encodePlain(value, PLAIN_TAG);
  if (plain !== undefined) return { form: 'plain', value: plain, transfer: NO_TRANSFER };
  const { tree, transfer } = encode(value, target, 'result');
  return { form: 'tree', value: tree, transfer };
}

/** What arrived, when it needs no async revival (every form but `tree`); `NEEDS_DECODE` otherwise. */
export function uncarrySync(form: Form, value: unknown): unknown {
  switch (form) {
    case 'raw':
      return value;
    case 'packed':
      return unpackNumbers(value as Int32Array | Float64Array);
    case 'plain':
      return decodePlain(value as Uint8Array, 1);
    default:
      return NEEDS_DECODE;
  }
}

export const NEEDS_DECODE: unique symbol = Symbol('needs decode');

/** What arrived, in any form. */
export function uncarry(form: Form, value: unknown, kind: ContextKind): Promise<unknown> {
  const now = uncarrySync(form, value);
  return now === NEEDS_DECODE ? decode(value, kind) : Promise.resolve(now);
}
