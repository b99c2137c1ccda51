import { Buffer, isAscii } from 'node:buffer';
import { decodeError, encodeError, encodeFallback, type Codec } from './_codec-base.js';
import { handle } from './_utf8-errors.js';

// cp1252's bytes 0x80..0x9F (-1: undefined, as in Python; the rest is latin-1).
const CP1252_HIGH = [
  0x20ac, -1, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, -1, 0x017d, -1,
  -1, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, -1, 0x017e, 0x0178,
];

/** Each byte's code point, or -1 where the codec has none. */
type Table = Int32Array;

function table(kind: 'latin-1' | 'ascii' | 'cp1252'): Table {
  const t = new Int32Array(256);
  for (let b = 0; b < 256; b++) t[b] = kind === 'ascii' && b >= 0x80 ? -1 : b;
  if (kind === 'cp1252') CP1252_HIGH.forEach((cp, i) => (t[0x80 + i] = cp));
  return t;
}

function text(codes: Uint16Array, n: number): string {
  let s = '';
  for (let i = 0; i < n; i += 8192) s += String.fromCharCode(...codes.subarray(i, Math.min(n, i + 8192)));
  return s;
}

/**
 * Python's one-byte codecs, done here rather than by TextDecoder: WHATWG reads
 * `latin-1` and `ascii` as windows-1252 (and Node 20 reads windows-1252 as
 * latin-1), while Python's latin-1 maps every byte to the same code point,
 * its ascii refuses bytes above 0x7F, and its cp1252 has five undefined bytes.
 */
export function singleByteCodec(name: 'latin-1' | 'ascii' | 'cp1252'): Codec {
  const t = table(name);
  const reverse = new Map<number, number>();
  t.forEach((cp, b) => cp >= 0 && reverse.set(cp, b));
  // Bytes every one of these codecs reads as latin-1 does: all of them for latin-1, ASCII for the others.
  const plain = name === 'latin-1' ? (): boolean => true : (chunk: Buffer): boolean => isAscii(chunk);
  return {
    name,
    handlers: true,
    decoder: (fatal, handler) => (chunk) => {
      if (chunk === null || chunk.length === 0) return '';
      if (plain(chunk)) return chunk.toString('latin1');
      const codes = new Uint16Array(chunk.length);
      let out = '';
      let n = 0;
      for (const b of chunk) {
        const cp = t[b]!;
        if (cp >= 0) codes[n++] = cp;
        else if (fatal) throw decodeError(name, `byte 0x${b.toString(16)}`);
        else if (handler === null) codes[n++] = 0xfffd;
        else {
          out += text(codes, n) + handle(Uint8Array.of(b), handler);
          n = 0;
        }
      }
      return out + text(codes, n);
    },
    encoder: (errors) => (s) => {
      if (name === 'latin-1' ? /^[\0-\xff]*$/.test(s) : /^[\0-\x7f]*$/.test(s)) return Buffer.from(s, 'latin1');
      const bytes: number[] = [];
      let position = 0;
      for (const ch of s) {
        const cp = ch.codePointAt(0)!;
        const b = reverse.get(cp);
        if (b !== undefined) bytes.push(b);
        // Python's surrogateescape writes back the byte a lone surrogate U+DC80..U+DCFF stands for.
        else if (errors === 'surrogateescape' && cp >= 0xdc80 && cp <= 0xdcff) bytes.push(cp - 0xdc00);
        else {
          const instead = encodeFallback(errors, cp);
          if (instead === null) throw encodeError(name, cp, position);
          for (const c of instead) bytes.push(c.charCodeAt(0));
        }
        position++;
      }
      return Buffer.from(bytes);
    },
  };
}
