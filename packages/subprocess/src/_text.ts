import { Buffer, isUtf8 } from 'node:buffer';
import { ArgumentError } from '@ipc/core';
import { SubprocessError } from './errors.js';
import type { PopenOptions } from './options.js';
import { lookupCodec, type Codec } from './_codecs.js';
import type { Decode, Encode } from './_codec-base.js';
import type { ByteHandler } from './_utf8-errors.js';

/** How a Popen turns bytes into what the user gets, and what the user gives into bytes. */
export interface TextMode {
  readonly codec: Codec;
  readonly fatal: boolean;
  /** Python's `ignore`, `surrogateescape` or `backslashreplace`, else null. */
  readonly handler: ByteHandler | null;
  /** As given: encoding strings uses it too, as Python's does. */
  readonly errors: string | undefined;
}

const HANDLERS = new Set(['ignore', 'surrogateescape', 'backslashreplace']);

export function textModeOf(options: PopenOptions): TextMode | null {
  const { text, universalNewlines, encoding, errors } = options;
  if (text !== undefined && universalNewlines !== undefined && Boolean(text) !== Boolean(universalNewlines)) {
    throw new SubprocessError('Cannot disambiguate when both text and universalNewlines are supplied but different. Pass one or the other.');
  }
  if (text !== true && universalNewlines !== true && encoding === undefined && errors === undefined) return null;
  if (errors !== undefined && errors !== 'strict' && errors !== 'replace' && !HANDLERS.has(errors)) {
    throw new ArgumentError(`errors must be 'strict', 'replace', 'ignore', 'surrogateescape' or 'backslashreplace', not ${JSON.stringify(errors)}`);
  }
  const codec = lookupCodec(encoding ?? 'utf-8');
  const handler = errors !== undefined && HANDLERS.has(errors) ? (errors as ByteHandler) : null;
  if (handler !== null && !codec.handlers) throw new ArgumentError(`errors: '${handler}' is supported with utf-8, latin-1, ascii and cp1252, not ${JSON.stringify(encoding)}`);
  return { codec, fatal: errors === undefined || errors === 'strict', handler, errors };
}

// Python's universal newlines on read: \r\n and a lone \r become \n.
function translate(s: string): string {
  return s.includes('\r') ? s.replace(/\r\n?/g, '\n') : s;
}

/** Decodes a whole output at once (the common case: `communicate`, `run`). */
export function decodeAll(mode: TextMode, bytes: Buffer, fatal = mode.fatal): string {
  // isUtf8 + toString is several times faster than a fatal TextDecoder on small outputs.
  if (mode.codec.name === 'utf-8' && (isUtf8(bytes) || (!fatal && mode.handler === null))) return translate(bytes.toString('utf8'));
  const decode = mode.codec.decoder(fatal, mode.handler);
  return translate(decode(bytes) + decode(null));
}

/** Decodes a stream chunk by chunk: characters split between chunks and `\r` | `\n` split between chunks. */
export class StreamDecoder {
  private readonly decode: Decode;
  private lastCR = false;
  constructor(mode: TextMode) {
    this.decode = mode.codec.decoder(mode.fatal, mode.handler);
  }

  push(chunk: Buffer | null): string {
    let s = this.decode(chunk);
    if (s.length === 0) return s;
    // A \r that ended the last chunk was already given as \n: its \n partner is dropped here.
    if (this.lastCR && s.charCodeAt(0) === 10) s = s.slice(1);
    this.lastCR = s.charCodeAt(s.length - 1) === 13;
    return translate(s);
  }
}

const utf8Input: Encode = (s) => Buffer.from(s, 'utf8');

/** How strings become bytes for one stdin (stateful: a BOM is written once); utf-8 in bytes mode. */
export function inputEncoder(mode: TextMode | null): Encode {
  return mode === null ? utf8Input : mode.codec.encoder(mode.errors);
}

/** Data for a stdin as bytes: strings through `encode`, bytes as they are. */
export function toBytes(data: string | Uint8Array, encode: Encode): Buffer {
  if (typeof data !== 'string') return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return encode(data);
}

/** Input as bytes, encoded at once (run's `input`, as Python's communicate encodes it). */
export function encodeInput(mode: TextMode | null, data: string | Uint8Array): Buffer {
  return toBytes(data, inputEncoder(mode));
}
