import { Buffer } from 'node:buffer';

/** Python's decoding error handlers that TextDecoder lacks. */
export type ByteHandler = 'ignore' | 'surrogateescape' | 'backslashreplace';

/**
 * The UTF-8 sequence at `i`: its length when valid, `-k` for an invalid
 * maximal subpart of k bytes (Unicode's rule, and Python's), or 0 when it is
 * cut short by the end of the bytes (it may continue in the next chunk).
 */
function scan(b: Uint8Array, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  let need: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) need = 1;
  else if (c >= 0xe0 && c <= 0xef) {
    need = 2;
    if (c === 0xe0) lo = 0xa0;
    else if (c === 0xed) hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    need = 3;
    if (c === 0xf0) lo = 0x90;
    else if (c === 0xf4) hi = 0x8f;
  } else return -1;
  for (let k = 1; k <= need; k++) {
    if (i + k >= b.length) return 0;
    const d = b[i + k]!;
    if (d < lo || d > hi) return -k;
    lo = 0x80;
    hi = 0xbf;
  }
  return need + 1;
}

/** What each undecodable byte becomes: nothing, a lone surrogate U+DC80..U+DCFF, or `\xNN` (any codec's bad bytes). */
export function handle(bad: Uint8Array, handler: ByteHandler): string {
  if (handler === 'ignore') return '';
  let out = '';
  for (const byte of bad) out += handler === 'surrogateescape' ? String.fromCharCode(0xdc00 + byte) : `\\x${byte.toString(16).padStart(2, '0')}`;
  return out;
}

/**
 * Decodes UTF-8 with one of Python's byte handlers. Unless `final`, a
 * sequence cut short at the end is left for the next chunk: `consumed` says
 * how many bytes were used.
 */
export function decodeUtf8With(bytes: Uint8Array, handler: ByteHandler, final: boolean): { text: string; consumed: number } {
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let out = '';
  let i = 0;
  let run = 0;
  while (i < b.length) {
    const n = scan(b, i);
    if (n > 0) {
      i += n;
      continue;
    }
    if (n === 0 && !final) break;
    out += b.toString('utf8', run, i);
    const len = n === 0 ? b.length - i : -n;
    out += handle(b.subarray(i, i + len), handler);
    i += len;
    run = i;
  }
  out += b.toString('utf8', run, i);
  return { text: out, consumed: i };
}
