/**
 * A short binary form for the commonest messages: small trees of plain
 * objects and arrays holding strings, numbers, booleans, null, undefined and
 * bigints. Why: `v8.serialize` costs ~2 µs even for `{ i: 1 }` (and JSON
 * ~1.3 µs both ways, with exactness checks) — most of a small value's trip
 * between threads; this form costs a few hundred ns.
 *
 * Only a value this form gives back exactly as the structured clone would
 * takes it: no holes or extra keys in arrays, no prototypes but Object's and
 * Array's, no object met twice (shared or cyclic: the clone keeps identity),
 * at most MAX_OBJECTS objects, MAX_DEPTH deep. Anything else is refused
 * (`undefined`) and goes the usual way. Strings keep every UTF-16 code unit
 * (lone surrogates too); numbers keep -0 and NaN; getters are read once, as
 * the clone reads them.
 *
 * Layout: a type byte, then — int32: 4 bytes LE; float64: 8 bytes LE;
 * ASCII string: u32 length + bytes; other string: u32 code units + UTF-16LE;
 * bigint: its decimal digits as a string; array: u32 count + items;
 * object: u32 count + (key as a string, value) pairs.
 */
import { Buffer } from 'node:buffer';

const NULL = 0;
const UNDEFINED = 1;
const TRUE = 2;
const FALSE = 3;
const INT32 = 4;
const FLOAT64 = 5;
const ASCII = 6;
const UTF16 = 7;
const BIGINT = 8;
const ARRAY = 9;
const OBJECT = 10;

const MAX_OBJECTS = 64;
const MAX_DEPTH = 32;
/** Strings up to this long are copied code unit by code unit: a native call costs more. */
const SHORT_STRING = 32;
/** ASCII strings up to this long are decoded in JS: a native call costs more. */
const SHORT_DECODE = 12;
/** Arrays longer than this go the usual way: checking them for extra keys costs more than it saves. */
const MAX_ARRAY = 4096;

/**
 * `value` in the plain form after the byte `tag`, in a Buffer of its own
 * bytes (pooled, as `Buffer.allocUnsafe`); `undefined` when it does not qualify.
 */
export function encodePlain(value: unknown, tag: number): Buffer | undefined {
  return writer.encode(value, tag);
}

/** The value of a plain form that starts at `offset` (after its tag byte). */
export function decodePlain(bytes: Uint8Array, offset = 1): unknown {
  return new Reader(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset).value();
}

// A number's 8 bytes go through these, copied by hand: Buffer's read/write methods validate their arguments each call.
const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);

/**
 * The writer (one per thread): its scratch space grows as needed and is
 * reused; a value is copied out of it once, whole. State lives in fields,
 * not module `let`s, which cost a hole check on every use.
 */
class Writer {
  private out = Buffer.allocUnsafeSlow(4096);
  private pos = 0;
  /** The objects met so far in this value (`seen[0 .. met)`): identity must not be lost silently. */
  private readonly seen: object[] = [];
  private met = 0;

  encode(value: unknown, tag: number): Buffer | undefined {
    this.pos = 0;
    this.byte(tag);
    const ok = this.write(value, 0);
    // Let go of the caller's objects.
    for (let i = 0; i < this.met; i++) this.seen[i] = EMPTY;
    this.met = 0;
    if (!ok) return undefined;
    const n = this.pos;
    const out = this.out;
    const bytes = Buffer.allocUnsafe(n);
    // A few bytes: a loop costs less than the native copy's call.
    if (n <= 64) for (let i = 0; i < n; i++) bytes[i] = out[i]!;
    else out.copy(bytes, 0, 0, n);
    return bytes;
  }

  private room(n: number): void {
    if (this.pos + n <= this.out.length) return;
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.out.length * 2, this.pos + n));
    this.out.copy(bigger, 0, 0, this.pos);
    this.out = bigger;
  }

  private byte(b: number): void {
    this.room(1);
    this.out[this.pos++] = b;
  }

  /** After room() was made for it. */
  private u32(n: number): void {
    const out = this.out;
    const p = this.pos;
    out[p] = n;
    out[p + 1] = n >>> 8;
    out[p + 2] = n >>> 16;
    out[p + 3] = n >>> 24;
    this.pos = p + 4;
  }

  private write(v: unknown, depth: number): boolean {
    switch (typeof v) {
      case 'string':
        this.string(v);
        return true;
      case 'number':
        this.number(v);
        return true;
      case 'boolean':
        this.byte(v ? TRUE : FALSE);
        return true;
      case 'undefined':
        this.byte(UNDEFINED);
        return true;
      case 'bigint':
        this.byte(BIGINT);
        this.string(v.toString());
        return true;
      case 'object': {
        if (v === null) {
          this.byte(NULL);
          return true;
        }
        if (depth >= MAX_DEPTH || this.met >= MAX_OBJECTS) return false;
        const seen = this.seen;
        for (let i = 0; i < this.met; i++) if (seen[i] === v) return false;
        seen[this.met++] = v;
        return Array.isArray(v) ? this.array(v, depth) : this.object(v, depth);
      }
      default:
        return false; // functions, symbols
    }
  }

  private number(n: number): void {
    this.room(9);
    const out = this.out;
    if ((n | 0) === n && (n !== 0 || 1 / n > 0)) {
      out[this.pos++] = INT32;
      this.u32(n);
      return;
    }
    out[this.pos++] = FLOAT64;
    f64[0] = n;
    const p = this.pos;
    for (let i = 0; i < 8; i++) out[p + i] = f64Bytes[i]!;
    this.pos = p + 8;
  }

  private string(s: string): void {
    const n = s.length;
    this.room(5 + 2 * n);
    const out = this.out;
    const start = this.pos;
    out[this.pos++] = ASCII;
    this.u32(n);
    if (n <= SHORT_STRING) {
      const p = this.pos;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        out[p + i] = c;
      }
      if (i === n) {
        this.pos = p + n;
        return;
      }
    } else if (Buffer.byteLength(s, 'utf8') === n) {
      // Only ASCII has as many UTF-8 bytes as code units.
      this.pos += out.write(s, this.pos, n, 'latin1');
      return;
    }
    // Not ASCII: as UTF-16 code units, which keeps lone surrogates that UTF-8 would replace.
    this.pos = start;
    out[this.pos++] = UTF16;
    this.u32(n);
    this.pos += out.write(s, this.pos, 2 * n, 'utf16le');
  }

  private array(a: unknown[], depth: number): boolean {
    const n = a.length;
    if (n > MAX_ARRAY || Object.getPrototypeOf(a) !== Array.prototype) return false;
    this.room(5);
    this.out[this.pos++] = ARRAY;
    this.u32(n);
    for (let i = 0; i < n; i++) {
      const item: unknown = a[i];
      if (item === undefined && !(i in a)) return false; // a hole
      if (!this.write(item, depth + 1)) return false;
    }
    return Object.keys(a).length === n; // extra keys, which the clone would carry
  }

  private object(o: object, depth: number): boolean {
    if (Object.getPrototypeOf(o) !== Object.prototype) return false;
    const keys = Object.keys(o);
    this.room(5);
    this.out[this.pos++] = OBJECT;
    this.u32(keys.length);
    for (const key of keys) {
      this.string(key);
      if (!this.write((o as Record<string, unknown>)[key], depth + 1)) return false;
    }
    return true;
  }
}

const EMPTY = {};
const writer = new Writer();

class Reader {
  constructor(
    private readonly b: Buffer,
    private at: number,
  ) {}

  value(): unknown {
    const type = this.b[this.at++];
    switch (type) {
      case NULL:
        return null;
      case UNDEFINED:
        return undefined;
      case TRUE:
        return true;
      case FALSE:
        return false;
      case INT32:
        return this.count() | 0;
      case FLOAT64: {
        for (let i = 0; i < 8; i++) f64Bytes[i] = this.b[this.at + i]!;
        this.at += 8;
        return f64[0];
      }
      case ASCII:
        return this.ascii();
      case UTF16: {
        const n = this.count();
        const s = this.b.toString('utf16le', this.at, this.at + 2 * n);
        this.at += 2 * n;
        return s;
      }
      case BIGINT:
        return BigInt(this.value() as string);
      case ARRAY: {
        const n = this.count();
        const a: unknown[] = []; // packed, as the clone makes it (new Array(n) would be holey)
        for (let i = 0; i < n; i++) a.push(this.value());
        return a;
      }
      case OBJECT: {
        const n = this.count();
        const o: Record<string, unknown> = {};
        for (let i = 0; i < n; i++) {
          const key = this.value() as string;
          const item = this.value();
          // As the clone does (CreateDataProperty): an own "__proto__" stays a property, it does not set the prototype.
          if (key === '__proto__') Object.defineProperty(o, key, { value: item, writable: true, enumerable: true, configurable: true });
          else o[key] = item;
        }
        return o;
      }
      default:
        throw new RangeError(`not a plain-form value: type byte ${String(type)} at ${this.at - 1}`);
    }
  }

  private count(): number {
    const b = this.b;
    const at = this.at;
    this.at += 4;
    return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
  }

  /** An ASCII string (after its tag). */
  private ascii(): string {
    const n = this.count();
    const b = this.b;
    let s: string;
    if (n <= SHORT_DECODE) {
      // A few characters at a time: fromCharCode with several arguments costs about what one does.
      const at = this.at;
      let i = 0;
      s = '';
      for (; i + 4 <= n; i += 4) s += String.fromCharCode(b[at + i]!, b[at + i + 1]!, b[at + i + 2]!, b[at + i + 3]!);
      for (; i < n; i++) s += String.fromCharCode(b[at + i]!);
    } else s = b.toString('latin1', this.at, this.at + n);
    this.at += n;
    return s;
  }
}
