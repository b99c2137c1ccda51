import { ArgumentError } from '@ipc/core';
import type { Buffer } from 'node:buffer';
import type { ByteHandler } from './_utf8-errors.js';

/** Decodes one chunk; the bytes of a character cut at its end wait for the next. `null` ends the stream. */
export type Decode = (chunk: Buffer | null) => string;

/** Encodes one write. Stateful where the codec starts with a BOM: it is written once, before the first character. */
export type Encode = (s: string) => Buffer;

/** A text encoding as Python's `encoding=` names it. */
export interface Codec {
  /** Python's name of it, for messages. */
  readonly name: string;
  /** Python's `ignore`, `surrogateescape` and `backslashreplace` work with it (else only `strict` and `replace`). */
  readonly handlers: boolean;
  decoder(fatal: boolean, handler: ByteHandler | null): Decode;
  encoder(errors: string | undefined): Encode;
}

/** A strict decoding failure: the same error as a fatal TextDecoder's, with Python's wording. */
export function decodeError(codec: string, what: string): TypeError {
  return Object.assign(new TypeError(`'${codec}' codec can't decode ${what} (The encoded data was not valid for encoding ${codec})`), { code: 'ERR_ENCODING_INVALID_ENCODED_DATA' });
}

/** A character the codec cannot write under `errors: 'strict'` (Python's UnicodeEncodeError, a ValueError). */
export function encodeError(codec: string, cp: number, position: number): ArgumentError {
  const shown = cp > 0xffff ? `\\U${cp.toString(16).padStart(8, '0')}` : cp > 0xff ? `\\u${cp.toString(16).padStart(4, '0')}` : `\\x${cp.toString(16).padStart(2, '0')}`;
  return new ArgumentError(`'${codec}' codec can't encode character '${shown}' in position ${position}`);
}

/** What Python's encoding error handlers write for a character the codec cannot encode; `null` when the handler cannot help. */
export function encodeFallback(errors: string | undefined, cp: number): string | null {
  switch (errors) {
    case 'replace':
      return '?';
    case 'ignore':
      return '';
    case 'backslashreplace':
      return cp > 0xffff ? `\\U${cp.toString(16).padStart(8, '0')}` : cp > 0xff ? `\\u${cp.toString(16).padStart(4, '0')}` : `\\x${cp.toString(16).padStart(2, '0')}`;
    default:
      return null;
  }
}
