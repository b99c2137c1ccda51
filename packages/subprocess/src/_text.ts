import { Buffer, isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { ArgumentError } from '@ipc/core';
import { SubprocessError } from './errors.js';
import type { PopenOptions } from './options.js';
import { decodeUtf8With, type ByteHandler } from './_utf8-errors.js';

/** How a Popen turns bytes into what the user gets, and what the user gives into bytes. */
export interface TextMode {
  readonly encoding: string;
  readonly fatal: boolean;
  /** Python's `ignore`, `surrogateescape` or `backslashreplace` (utf-8 only), else null. */
  readonly handler: ByteHandler | null;
}

const HANDLERS = new Set(['ignore', 'surrogateescape', 'backslashreplace']);

const UTF8 = new Set(['utf-8', 'utf8', 'unicode-1-1-utf-8']);
const known = new Set<string>(UTF8);

export function textModeOf(options: PopenOptions): TextMode | null {
  const { text, universalNewlines, encoding, errors } = options;
  if (text !== undefined && universalNewlines !== undefined && Boolean(text) !== Boolean(universalNewlines)) {
    throw new SubprocessError('Cannot disambiguate when both text and universalNewlines are supplied but different. Pass one or the other.');
  }
  if (text !== true && universalNewlines !== true && encoding === undefined && errors === undefined) return null;
  const enc = (encoding ?? 'utf-8').toLowerCase();
  if (errors !== undefined && errors !== 'strict' && errors !== 'replace' && !HANDLERS.has(errors)) {
    throw new ArgumentError(`errors must be 'strict', 'replace', 'ignore', 'surrogateescape' or 'backslashreplace', not ${JSON.stringify(errors)}`);
  }
  if (!known.has(enc)) {
    try {
      new TextDecoder(enc);
    } catch (cause) {
      throw new ArgumentError(`unknown encoding ${JSON.stringify(encoding)}`, { cause });
    }
    known.add(enc);
  }
  const handler = errors !== undefined && HANDLERS.has(errors) ? (errors as ByteHandler) : null;
  if (handler !== null && !UTF8.has(enc)) throw new ArgumentError(`errors: '${handler}' is supported with utf-8 only, not ${JSON.stringify(encoding)}`);
  return { encoding: UTF8.has(enc) ? 'utf-8' : enc, fatal: errors === undefined || errors === 'strict', handler };
}

// Python's universal newlines on read: \r\n and a lone \r become \n.
function translate(s: string): string {
  return s.includes('\r') ? s.replace(/\r\n?/g, '\n') : s;
}

/** Decodes a whole output at once (the common case: `communicate`, `run`). */
export function decodeAll(mode: TextMode, bytes: Buffer, fatal = mode.fatal): string {
  if (mode.handler !== null) return translate(isUtf8(bytes) ? bytes.toString('utf8') : decodeUtf8With(bytes, mode.handler, true).text);
  if (mode.encoding === 'utf-8') {
    // isUtf8 + toString is several times faster than a fatal TextDecoder on small outputs.
    if (!fatal || isUtf8(bytes)) return translate(bytes.toString('utf8'));
  }
  return translate(new TextDecoder(mode.encoding, { fatal }).decode(bytes));
}

/** Decodes a stream chunk by chunk: characters split between chunks and `\r` | `\n` split between chunks. */
export class StreamDecoder {
  private readonly decoder: TextDecoder;
  private readonly handler: ByteHandler | null;
  private carry: Buffer = Buffer.alloc(0);
  private lastCR = false;
  constructor(mode: TextMode) {
    this.decoder = new TextDecoder(mode.encoding, { fatal: mode.fatal });
    this.handler = mode.handler;
  }

  push(chunk: Buffer | null): string {
    let s = this.handler === null ? (chunk === null ? this.decoder.decode() : this.decoder.decode(chunk, { stream: true })) : this.decodeWith(this.handler, chunk);
    if (s.length === 0) return s;
    // A \r that ended the last chunk was already given as \n: its \n partner is dropped here.
    if (this.lastCR && s.charCodeAt(0) === 10) s = s.slice(1);
    this.lastCR = s.charCodeAt(s.length - 1) === 13;
    return translate(s);
  }

  // A sequence cut at the end of a chunk waits for the next one.
  private decodeWith(handler: ByteHandler, chunk: Buffer | null): string {
    const bytes = chunk === null ? this.carry : this.carry.length === 0 ? chunk : Buffer.concat([this.carry, chunk]);
    const { text, consumed } = decodeUtf8With(bytes, handler, chunk === null);
    this.carry = bytes.subarray(consumed);
    return text;
  }
}

/** Input as bytes: strings are encoded with the text mode's encoding (utf-8 in bytes mode). */
export function encodeInput(mode: TextMode | null, data: string | Uint8Array): Buffer {
  if (typeof data !== 'string') return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const enc = mode === null ? 'utf-8' : mode.encoding;
  if (enc === 'utf-8') return Buffer.from(data, 'utf8');
  const node = enc === 'utf-16le' ? 'utf16le' : enc;
  if (!Buffer.isEncoding(node)) throw new ArgumentError(`cannot encode a string to ${enc}: pass bytes (a Buffer) as input`);
  return Buffer.from(data, node);
}
