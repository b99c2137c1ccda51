/**
 * A safe pickle codec: the values a Python peer and @ipc can share — None,
 * bool, int (big ones as bigint), float, str, bytes, list, tuple (read as an
 * array), dict — and nothing else. Reading never runs code: any opcode that
 * could (GLOBAL, REDUCE, BUILD, …) is refused with a `PickleError`.
 * Writes protocol 3, which every Python 3 reads.
 */
import { PickleError } from './errors.js';

/** What the safe codec carries. */
export type Picklable = null | undefined | boolean | number | bigint | string | Uint8Array | readonly Picklable[] | Map<Picklable, Picklable> | { readonly [key: string]: Picklable };

const MARK = Symbol('mark');

export function dumps(value: unknown): Buffer {
  const out: Buffer[] = [Buffer.from([0x80, 3])];
  write(value, out, 'value', new Set());
  out.push(Buffer.from('.'));
  return Buffer.concat(out);
}

function op(code: string | number, ...rest: Buffer[]): Buffer {
  return Buffer.concat([Buffer.from([typeof code === 'string' ? code.charCodeAt(0) : code]), ...rest]);
}

/** `key`: a dict key, which Python wants hashable — an array goes as a tuple (what a tuple key was read as), a dict cannot. */
function write(v: unknown, out: Buffer[], path: string, seen: Set<object>, key = false): void {
  if (v === null || v === undefined) return void out.push(op('N'));
  if (v === true) return void out.push(op(0x88));
  if (v === false) return void out.push(op(0x89));
  if (typeof v === 'number') {
    // -0 is a float to Python (an int has no sign of zero).
    if (Number.isInteger(v) && Math.abs(v) <= 2 ** 31 - 1 && !Object.is(v, -0)) {
      const b = Buffer.alloc(4);
      b.writeInt32LE(v);
      return void out.push(op('J', b));
    }
    if (Number.isSafeInteger(v) && !Object.is(v, -0)) return write(BigInt(v), out, path, seen);
    const b = Buffer.alloc(8);
    b.writeDoubleBE(v);
    return void out.push(op('G', b));
  }
  if (typeof v === 'bigint') return void out.push(op(0x8a, ...long1(v)));
  if (typeof v === 'string') {
    const s = utf8SurrogatePass(v);
    const n = Buffer.alloc(4);
    n.writeUInt32LE(s.length);
    return void out.push(op('X', n, s));
  }
  if (v instanceof Uint8Array) {
    const n = Buffer.alloc(4);
    n.writeUInt32LE(v.byteLength);
    return void out.push(op('B', n, Buffer.from(v.buffer, v.byteOffset, v.byteLength)));
  }
  if (typeof v !== 'object') throw new PickleError(`${path}: a ${typeof v} cannot be sent to a Python peer (the safe pickle codec carries None, bool, int, float, str, bytes, list, tuple, dict)`);
  if (seen.has(v)) throw new PickleError(`${path}: a cycle cannot be sent to a Python peer`);
  seen.add(v);
  if (Array.isArray(v) && key) {
    out.push(op('('));
    v.forEach((item, i) => write(item, out, `${path}[${i}]`, seen, true));
    out.push(op('t'));
  } else if (key) {
    throw new PickleError(`${path}: a ${v.constructor?.name ?? 'dict'} cannot be a dict key for a Python peer (it is not hashable there)`);
  } else if (Array.isArray(v)) {
    out.push(op(']'));
    if (v.length > 0) {
      out.push(op('('));
      v.forEach((item, i) => write(item, out, `${path}[${i}]`, seen));
      out.push(op('e'));
    }
  } else if (v instanceof Map) {
    out.push(op('}'));
    if (v.size > 0) {
      out.push(op('('));
      for (const [k, item] of v) {
        write(k, out, `${path}.key`, seen, true);
        write(item, out, `${path}.get(${String(k)})`, seen);
      }
      out.push(op('u'));
    }
  } else if (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null) {
    const entries = Object.entries(v);
    out.push(op('}'));
    if (entries.length > 0) {
      out.push(op('('));
      for (const [k, item] of entries) {
        write(k, out, path, seen);
        write(item, out, `${path}.${k}`, seen);
      }
      out.push(op('u'));
    }
  } else {
    throw new PickleError(`${path}: a ${v.constructor?.name ?? 'object'} cannot be sent to a Python peer (the safe pickle codec carries None, bool, int, float, str, bytes, list, tuple, dict)`);
  }
  seen.delete(v);
}

/** LONG1: a length byte, then the two's complement little-endian bytes. */
function long1(n: bigint): Buffer[] {
  const bytes: number[] = [];
  let x = n;
  while (true) {
    const byte = Number(x & 0xffn);
    bytes.push(byte);
    x >>= 8n;
    if ((x === 0n && (byte & 0x80) === 0) || (x === -1n && (byte & 0x80) !== 0)) break;
  }
  if (n === 0n) bytes.length = 0;
  return [Buffer.from([bytes.length]), Buffer.from(bytes)];
}

function fromLong(b: Buffer): bigint | number {
  if (b.length === 0) return 0;
  let x = 0n;
  for (let i = b.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]!);
  if (b[b.length - 1]! & 0x80) x -= 1n << BigInt(b.length * 8);
  return x >= BigInt(Number.MIN_SAFE_INTEGER) && x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x;
}

type Item = unknown;

/** Reads a pickle of the safe subset; anything else is a `PickleError` and nothing runs. */
export function loads(data: Uint8Array): unknown {
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const stack: unknown[] = [];
  const memo = new Map<number, Item>();
  let i = 0;
  const need = (n: number): void => {
    if (i + n > b.length) throw new PickleError('truncated pickle');
  };
  const take = (n: number): Buffer => {
    need(n);
    const s = b.subarray(i, i + n);
    i += n;
    return s;
  };
  const popMark = (): Item[] => {
    const at = stack.lastIndexOf(MARK);
    if (at < 0) throw new PickleError('malformed pickle: no mark');
    const items = stack.splice(at);
    items.shift();
    return items;
  };
  const top = (): Item => {
    if (stack.length === 0) throw new PickleError('malformed pickle: empty stack');
    return stack[stack.length - 1];
  };
  const pop = (): Item => {
    if (stack.length === 0 || stack[stack.length - 1] === MARK) throw new PickleError('malformed pickle: empty stack');
    return stack.pop();
  };
  const setItems = (d: Item, kv: Item[]): void => {
    if (!(d instanceof Map) && (typeof d !== 'object' || d === null || Array.isArray(d))) throw new PickleError('malformed pickle: SETITEMS on a non-dict');
    for (let k = 0; k + 1 < kv.length; k += 2) setKey(d as Map<unknown, unknown> | Record<string, unknown>, kv[k], kv[k + 1]);
  };
  for (;;) {
    need(1);
    const code = b[i++]!;
    switch (code) {
      case 0x80: // PROTO
        take(1);
        break;
      case 0x95: // FRAME
        take(8);
        break;
      case 0x2e: // STOP
        if (stack.length !== 1) throw new PickleError('malformed pickle: stack not one value at STOP');
        return finish(stack[0]);
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88:
        stack.push(true);
        break;
      case 0x89:
        stack.push(false);
        break;
      case 0x4b: // BININT1
        stack.push(take(1).readUInt8(0));
        break;
      case 0x4d: // BININT2
        stack.push(take(2).readUInt16LE(0));
        break;
      case 0x4a: // BININT
        stack.push(take(4).readInt32LE(0));
        break;
      case 0x8a: // LONG1
        stack.push(fromLong(take(take(1).readUInt8(0))));
        break;
      case 0x8b: // LONG4
        stack.push(fromLong(take(take(4).readInt32LE(0))));
        break;
      case 0x47: // BINFLOAT
        stack.push(take(8).readDoubleBE(0));
        break;
      case 0x58: // BINUNICODE
        stack.push(fromUtf8SurrogatePass(take(take(4).readUInt32LE(0))));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(fromUtf8SurrogatePass(take(take(1).readUInt8(0))));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(fromUtf8SurrogatePass(take(Number(take(8).readBigUInt64LE(0)))));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(Buffer.from(take(take(1).readUInt8(0))));
        break;
      case 0x42: // BINBYTES
        stack.push(Buffer.from(take(take(4).readUInt32LE(0))));
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        stack.push(Buffer.from(take(Number(take(8).readBigUInt64LE(0)))));
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x61: {
        // APPEND
        const v = pop();
        const list = top();
        if (!Array.isArray(list)) throw new PickleError('malformed pickle: APPEND to a non-list');
        list.push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        const list = top();
        if (!Array.isArray(list)) throw new PickleError('malformed pickle: APPENDS to a non-list');
        list.push(...items);
        break;
      }
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x74: // TUPLE
        stack.push(popMark());
        break;
      case 0x85:
        stack.push([pop()]);
        break;
      case 0x86: {
        const y = pop();
        stack.push([pop(), y]);
        break;
      }
      case 0x87: {
        const z = pop();
        const y = pop();
        stack.push([pop(), y, z]);
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const kv = popMark();
        setItems(top(), kv);
        break;
      }
      case 0x71: // BINPUT
        memo.set(take(1).readUInt8(0), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(take(4).readUInt32LE(0), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const key = code === 0x68 ? take(1).readUInt8(0) : take(4).readUInt32LE(0);
        if (!memo.has(key)) throw new PickleError('malformed pickle: memo key not found');
        stack.push(memo.get(key));
        break;
      }
      default:
        throw new PickleError(`pickle opcode 0x${code.toString(16)} (${JSON.stringify(String.fromCharCode(code))}) is not allowed: the safe codec reads None, bool, int, float, str, bytes, list, tuple and dict, and never runs code`);
    }
  }
}

function setKey(d: Map<unknown, unknown> | Record<string, unknown>, k: unknown, v: unknown): void {
  if (d instanceof Map) d.set(k, v);
  else d[String(k)] = v;
}

/** Dicts are read as Maps (keys of any type); one whose keys are all strings becomes a plain object. */
function finish(v: unknown, open = new Set<unknown>()): unknown {
  if (!Array.isArray(v) && !(v instanceof Map)) return v;
  if (open.has(v)) throw new PickleError('a pickle that contains itself is not supported');
  open.add(v);
  let out: unknown;
  if (Array.isArray(v)) out = v.map((x) => finish(x, open));
  else {
    const entries = [...(v as Map<unknown, unknown>)].map(([k, x]) => [finish(k, open), finish(x, open)] as const);
    out = entries.every(([k]) => typeof k === 'string') ? Object.fromEntries(entries) : new Map(entries);
  }
  open.delete(v);
  return out;
}

/*
 * Python's pickle writes a str as UTF-8 with 'surrogatepass': a lone surrogate
 * (which a JS string may hold too) as its own three bytes, ED A0 80 to ED BF BF,
 * where plain UTF-8 would put U+FFFD. Both ways here, so such a string crosses exactly.
 */
function utf8SurrogatePass(v: string): Buffer {
  if ((v as unknown as { isWellFormed(): boolean }).isWellFormed()) return Buffer.from(v, 'utf8');
  const parts: Buffer[] = [];
  let from = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    const pair = c <= 0xdbff && i + 1 < v.length && (v.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    if (pair) {
      i++;
      continue;
    }
    parts.push(Buffer.from(v.slice(from, i), 'utf8'), Buffer.from([0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)]));
    from = i + 1;
  }
  parts.push(Buffer.from(v.slice(from), 'utf8'));
  return Buffer.concat(parts);
}

function fromUtf8SurrogatePass(b: Buffer): string {
  // ED A0..BF is a surrogate's lead in this form; without one, plain UTF-8 decoding is exact.
  let at = b.indexOf(0xed);
  while (at !== -1 && !(at + 2 < b.length && b[at + 1]! >= 0xa0 && b[at + 1]! <= 0xbf)) at = b.indexOf(0xed, at + 1);
  if (at === -1) return b.toString('utf8');
  let out = '';
  let from = 0;
  for (let i = 0; i + 2 < b.length; i++) {
    if (b[i] !== 0xed || b[i + 1]! < 0xa0 || b[i + 1]! > 0xbf) continue;
    out += b.toString('utf8', from, i) + String.fromCharCode(((b[i]! & 0x0f) << 12) | ((b[i + 1]! & 0x3f) << 6) | (b[i + 2]! & 0x3f));
    i += 2;
    from = i + 1;
  }
  return out + b.toString('utf8', from);
}
