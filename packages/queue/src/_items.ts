import { decode, decodeSync, encode } from '@ipc/core';
import { deserialize as v8Deserialize, serialize as v8Serialize } from 'node:v8';

/**
 * Items travel as bytes: a tag byte, then the item. Numbers, strings,
 * booleans, null and undefined — most of what queues carry — have a short
 * form of their own (a v8 round trip of the codec costs ~2 µs an item, the
 * short form ~0.1 µs). Everything else is encoded for the 'process' target
 * whoever takes it: an item may end up in any thread or process that holds
 * the queue, so a handle inside it reduces to what every context can rebuild.
 */
const TREE = 0;
const NUMBER = 1;
const STRING = 2;
const NULL = 3;
const UNDEFINED = 4;
const TRUE = 5;
const FALSE = 6;

const CONSTANTS: Record<number, unknown> = { [NULL]: null, [UNDEFINED]: undefined, [TRUE]: true, [FALSE]: false };
const ONE_BYTE = [NULL, UNDEFINED, TRUE, FALSE].map((tag) => Uint8Array.of(tag));

// Scratch space for a number's 8 bytes. Copying them byte by byte costs less than a
// view of the item's bytes: `.buffer` of a small typed array makes V8 move it off its heap.
const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);
const decoder = new TextDecoder();
/** Strings up to this long are copied char by char when they are ASCII. */
const SHORT_STRING = 64;

export function itemToBytes(item: unknown): Uint8Array {
  switch (typeof item) {
    case 'number': {
      const out = new Uint8Array(9);
      out[0] = NUMBER;
      f64[0] = item;
      for (let i = 0; i < 8; i++) out[i + 1] = f64Bytes[i]!;
      return out;
    }
    case 'string':
      return stringToBytes(item);
    case 'boolean':
      return ONE_BYTE[item ? 2 : 3]!;
    case 'undefined':
      return ONE_BYTE[1]!;
    default:
      return item === null ? ONE_BYTE[0]! : treeBytes(item);
  }
}

function treeBytes(item: unknown): Uint8Array {
  const tree = v8Serialize(encode(item, 'process', 'item').tree);
  const out = new Uint8Array(1 + tree.byteLength);
  out[0] = TREE;
  out.set(tree, 1);
  return out;
}

/** Whether the string has no lone surrogate (`String.prototype.isWellFormed`, Node ≥ 20). */
const isWellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

function stringToBytes(s: string): Uint8Array {
  if (s.length <= SHORT_STRING) {
    const out = new Uint8Array(1 + s.length);
    out[0] = STRING;
    let i = 0;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      out[i + 1] = c;
    }
    if (i === s.length) return out;
  }
  // UTF-8 cannot carry a lone surrogate (it would come back as U+FFFD): such a string goes through the codec.
  if (!isWellFormed(s)) return treeBytes(s);
  const utf8 = Buffer.from(s, 'utf8');
  const out = new Uint8Array(1 + utf8.byteLength);
  out[0] = STRING;
  out.set(utf8, 1);
  return out;
}

/** The item, when it has a short form; `NONE` when it is a codec tree. */
function short(bytes: Uint8Array): unknown {
  const tag = bytes[0];
  if (tag === NUMBER) {
    for (let i = 0; i < 8; i++) f64Bytes[i] = bytes[i + 1]!;
    return f64[0];
  }
  if (tag === STRING) return bytesToString(bytes);
  if (tag !== undefined && tag in CONSTANTS) return CONSTANTS[tag];
  return NONE;
}

function bytesToString(bytes: Uint8Array): string {
  const n = bytes.length;
  if (n <= SHORT_STRING + 1) {
    const codes: number[] = [];
    let ascii = true;
    for (let i = 1; i < n && ascii; i++) {
      const b = bytes[i]!;
      ascii = b < 0x80;
      codes.push(b);
    }
    if (ascii) return String.fromCharCode(...codes);
  }
  return decoder.decode(bytes.subarray(1));
}

const NONE = Symbol('none');

function tree(bytes: Uint8Array): unknown {
  return v8Deserialize(bytes.subarray(1));
}

export function bytesToItem(bytes: Uint8Array): unknown {
  const value = short(bytes);
  // Only a codec tree may name a task module still to load: only it needs the async decode.
  return value === NONE ? decode(tree(bytes), 'process') : value;
}

export function bytesToItemSync(bytes: Uint8Array): unknown {
  const value = short(bytes);
  return value === NONE ? decodeSync(tree(bytes), 'process') : value;
}
