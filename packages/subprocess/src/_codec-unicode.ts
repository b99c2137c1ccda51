import { Buffer } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { decodeError, type Codec, type Decode, type Encode } from './_codec-base.js';
import { decodeUtf8With } from './_utf8-errors.js';

const EMPTY: Buffer = Buffer.alloc(0);
type Order = 'le' | 'be';

export const utf8: Codec = {
  name: 'utf-8',
  handlers: true,
  decoder(fatal, handler) {
    if (handler === null) {
      const td = new TextDecoder('utf-8', { fatal });
      return (chunk) => (chunk === null ? td.decode() : td.decode(chunk, { stream: true }));
    }
    // A sequence cut at the end of a chunk waits for the next one.
    let carry = EMPTY;
    return (chunk) => {
      const bytes = chunk === null ? carry : carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
      const { text, consumed } = decodeUtf8With(bytes, handler, chunk === null);
      carry = bytes.subarray(consumed);
      return text;
    };
  },
  encoder: () => (s) => Buffer.from(s, 'utf8'),
};

/**
 * Python's utf-16 / utf-32 without an order: a BOM at the start says which
 * (and is dropped), none means little-endian. `size` is the BOM's length.
 */
function sniffing(size: 2 | 4, make: (order: Order) => Decode): Decode {
  let head = EMPTY;
  let inner: Decode | null = null;
  return (chunk) => {
    if (inner !== null) return inner(chunk);
    head = chunk === null ? head : Buffer.concat([head, chunk]);
    if (chunk !== null && head.length < size) return '';
    const le = size === 2 ? [0xff, 0xfe] : [0xff, 0xfe, 0, 0];
    const be = size === 2 ? [0xfe, 0xff] : [0, 0, 0xfe, 0xff];
    const is = (bom: number[]): boolean => head.length >= size && bom.every((b, i) => head[i] === b);
    inner = make(is(be) ? 'be' : 'le');
    const rest = is(be) || is(le) ? head.subarray(size) : head;
    return chunk === null ? inner(rest) + inner(null) : inner(rest);
  };
}

// Written once, before the first character: what Python's utf-16 / utf-32 streams do.
function withBom(bom: Buffer, encode: (s: string) => Buffer): Encode {
  let first = true;
  return (s) => {
    if (s.length === 0) return EMPTY;
    const out = encode(s);
    if (!first) return out;
    first = false;
    return Buffer.concat([bom, out]);
  };
}

export function utf16(order: Order | null): Codec {
  const decode = (o: Order, fatal: boolean): Decode => {
    const td = new TextDecoder(`utf-16${o}`, { fatal, ignoreBOM: true });
    return (chunk) => (chunk === null ? td.decode() : td.decode(chunk, { stream: true }));
  };
  const encode = (o: Order) => (s: string): Buffer => (o === 'le' ? Buffer.from(s, 'utf16le') : Buffer.from(s, 'utf16le').swap16());
  return {
    name: order === null ? 'utf-16' : `utf-16-${order}`,
    handlers: false,
    decoder: (fatal) => (order === null ? sniffing(2, (o) => decode(o, fatal)) : decode(order, fatal)),
    encoder: () => (order === null ? withBom(Buffer.from([0xff, 0xfe]), encode('le')) : encode(order)),
  };
}

export function utf32(order: Order | null): Codec {
  const name = order === null ? 'utf-32' : `utf-32-${order}`;
  // TextDecoder has no UTF-32: four bytes a code point, a surrogate or one past U+10FFFF being invalid.
  const decode = (o: Order, fatal: boolean): Decode => {
    let carry = EMPTY;
    return (chunk) => {
      const bytes = chunk === null ? carry : carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
      const whole = bytes.length - (bytes.length % 4);
      let out = '';
      for (let i = 0; i < whole; i += 4) {
        const cp = o === 'le' ? bytes.readUInt32LE(i) : bytes.readUInt32BE(i);
        if (cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff)) out += String.fromCodePoint(cp);
        else if (fatal) throw decodeError(name, `code point 0x${cp.toString(16)}`);
        else out += '\ufffd';
      }
      carry = bytes.subarray(whole);
      if (chunk === null && carry.length > 0) {
        if (fatal) throw decodeError(name, 'truncated data');
        out += '\ufffd';
      }
      return out;
    };
  };
  const encode = (o: Order) => (s: string): Buffer => {
    const cps = Array.from(s, (c) => c.codePointAt(0)!);
    const out = Buffer.alloc(cps.length * 4);
    cps.forEach((cp, i) => (o === 'le' ? out.writeUInt32LE(cp, i * 4) : out.writeUInt32BE(cp, i * 4)));
    return out;
  };
  return {
    name,
    handlers: false,
    decoder: (fatal) => (order === null ? sniffing(4, (o) => decode(o, fatal)) : decode(order, fatal)),
    encoder: () => (order === null ? withBom(Buffer.from([0xff, 0xfe, 0, 0]), encode('le')) : encode(order)),
  };
}
