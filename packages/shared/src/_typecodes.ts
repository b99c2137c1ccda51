/**
 * The typecodes of Python's `array` / `multiprocessing.sharedctypes`, each
 * with the typed array that stores it and the checks a value must pass.
 */

/** `b B h H i I l L q Q f d c`, as in Python (`l`/`L` are 32-bit here: use `q`/`Q` for 64). */
export type Typecode = 'b' | 'B' | 'h' | 'H' | 'i' | 'I' | 'l' | 'L' | 'q' | 'Q' | 'f' | 'd' | 'c';

/** The JavaScript type of an element: `bigint` for `q`/`Q`, a one-character string for `c`, else `number`. */
export type ElementOf<C extends Typecode> = C extends 'q' | 'Q' ? bigint : C extends 'c' ? string : number;

/** What a typed array stores: a number, or a bigint for `q`/`Q`. */
export type Stored = number | bigint;

/** The typed arrays behind the typecodes, seen through the one shape the code needs. */
export interface Cells {
  [index: number]: Stored;
  readonly length: number;
  readonly buffer: ArrayBufferLike;
}

interface Spec {
  readonly bytes: number;
  readonly make: (buffer: SharedArrayBuffer, length: number) => Cells;
  readonly min?: number;
  readonly max?: number;
  readonly kind: 'int' | 'float' | 'bigint' | 'char';
}

const int = (bytes: number, signed: boolean, make: Spec['make']): Spec => {
  const bits = bytes * 8;
  return { bytes, make, kind: 'int', min: signed ? -(2 ** (bits - 1)) : 0, max: signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1 };
};

const SPECS: Readonly<Record<Typecode, Spec>> = {
  b: int(1, true, (b, n) => new Int8Array(b, 0, n)),
  B: int(1, false, (b, n) => new Uint8Array(b, 0, n)),
  h: int(2, true, (b, n) => new Int16Array(b, 0, n)),
  H: int(2, false, (b, n) => new Uint16Array(b, 0, n)),
  i: int(4, true, (b, n) => new Int32Array(b, 0, n)),
  I: int(4, false, (b, n) => new Uint32Array(b, 0, n)),
  l: int(4, true, (b, n) => new Int32Array(b, 0, n)),
  L: int(4, false, (b, n) => new Uint32Array(b, 0, n)),
  q: { bytes: 8, kind: 'bigint', min: -(2 ** 63), max: 2 ** 63 - 1, make: (b, n) => new BigInt64Array(b, 0, n) },
  Q: { bytes: 8, kind: 'bigint', min: 0, max: 2 ** 64 - 1, make: (b, n) => new BigUint64Array(b, 0, n) },
  f: { bytes: 4, kind: 'float', make: (b, n) => new Float32Array(b, 0, n) },
  d: { bytes: 8, kind: 'float', make: (b, n) => new Float64Array(b, 0, n) },
  c: { bytes: 1, kind: 'char', make: (b, n) => new Uint8Array(b, 0, n) },
};

/** Checks a typecode, or throws `TypeError` naming the valid ones. */
export function checkTypecode(typecode: unknown): Typecode {
  if (typeof typecode !== 'string' || !Object.prototype.hasOwnProperty.call(SPECS, typecode)) {
    throw new TypeError(`bad typecode ${JSON.stringify(typecode)} (must be one of ${Object.keys(SPECS).join(' ')})`);
  }
  return typecode as Typecode;
}

export function bytesOf(typecode: Typecode): number {
  return SPECS[typecode].bytes;
}

/** A view of `length` elements of `typecode` over `buffer` (a new zeroed one when not given). */
export function cellsOf(typecode: Typecode, length: number, buffer?: SharedArrayBuffer): Cells {
  const spec = SPECS[typecode];
  return spec.make(buffer ?? new SharedArrayBuffer(Math.max(1, length) * spec.bytes), length);
}

const BIG_MIN: Partial<Record<Typecode, bigint>> = { q: -(2n ** 63n), Q: 0n };
const BIG_MAX: Partial<Record<Typecode, bigint>> = { q: 2n ** 63n - 1n, Q: 2n ** 64n - 1n };

/**
 * Turns a user's value into what the typed array stores, or throws —
 * `TypeError` for the wrong kind of value, `RangeError` for one that does not
 * fit — so that nothing is written (typed arrays would wrap it silently).
 */
export function toStored(typecode: Typecode, value: unknown): Stored {
  const spec = SPECS[typecode];
  switch (spec.kind) {
    case 'char':
      if (typeof value !== 'string' || value.length !== 1) throw new TypeError(`typecode 'c' takes a one-character string, not ${describe(value)}`);
      if (value.charCodeAt(0) > 0xff) throw new RangeError(`typecode 'c' holds one byte: ${JSON.stringify(value)} is beyond \\xff`);
      return value.charCodeAt(0);
    case 'float':
      if (typeof value !== 'number') throw new TypeError(`typecode '${typecode}' takes a number, not ${describe(value)}`);
      return value;
    case 'bigint': {
      let big: bigint;
      if (typeof value === 'bigint') big = value;
      else if (typeof value === 'number' && Number.isSafeInteger(value)) big = BigInt(value);
      else throw new TypeError(`typecode '${typecode}' takes a bigint (or a safe integer), not ${describe(value)}`);
      if (big < BIG_MIN[typecode]! || big > BIG_MAX[typecode]!) throw new RangeError(`${big} does not fit typecode '${typecode}' (${BIG_MIN[typecode]}..${BIG_MAX[typecode]})`);
      return big;
    }
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw new TypeError(`typecode '${typecode}' takes an integer, not ${describe(value)}`);
      if (value < spec.min! || value > spec.max!) throw new RangeError(`${value} does not fit typecode '${typecode}' (${spec.min}..${spec.max})`);
      return value;
  }
}

/** What the user sees of a stored element. */
export function fromStored<C extends Typecode>(typecode: C, stored: Stored): ElementOf<C> {
  return (typecode === 'c' ? String.fromCharCode(stored as number) : stored) as ElementOf<C>;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value)}`;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  return `a ${(value).constructor?.name ?? 'object'}`;
}
