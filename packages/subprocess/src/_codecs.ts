import { Buffer } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { ArgumentError } from '@ipc/core';
import type { Codec } from './_codec-base.js';
import { singleByteCodec } from './_codec-single-byte.js';
import { utf16, utf32, utf8 } from './_codec-unicode.js';

export type { Codec } from './_codec-base.js';

// Python's names (and its common aliases) for the codecs done here; the other names go to TextDecoder.
const PYTHON = new Map<string, () => Codec>();
const alias = (names: string, make: () => Codec): void => {
  for (const n of names.split(' ')) PYTHON.set(n, make);
};
alias('utf-8 utf8 u8 utf cp65001 unicode-1-1-utf-8', () => utf8);
alias('latin-1 latin1 latin l1 iso-8859-1 iso8859-1 8859 cp819 ibm819 iso-ir-100 csisolatin1', () => singleByteCodec('latin-1'));
alias('ascii us-ascii us 646 ansi-x3.4-1968 iso646-us cp367 ibm367', () => singleByteCodec('ascii'));
alias('cp1252 windows-1252 1252', () => singleByteCodec('cp1252'));
alias('utf-16 utf16 u16', () => utf16(null));
alias('utf-16-le utf-16le utf16le', () => utf16('le'));
alias('utf-16-be utf-16be utf16be', () => utf16('be'));
alias('utf-32 utf32 u32', () => utf32(null));
alias('utf-32-le utf-32le utf32le', () => utf32('le'));
alias('utf-32-be utf-32be utf32be', () => utf32('be'));

// Any other WHATWG encoding TextDecoder reads; strings are written only where Buffer has the encoding.
function whatwg(name: string): Codec {
  new TextDecoder(name);
  return {
    name,
    handlers: false,
    decoder(fatal) {
      const td = new TextDecoder(name, { fatal });
      return (chunk) => (chunk === null ? td.decode() : td.decode(chunk, { stream: true }));
    },
    encoder: () => (s) => {
      if (!Buffer.isEncoding(name)) throw new ArgumentError(`cannot encode a string to ${name}: pass bytes (a Buffer) as input`);
      return Buffer.from(s, name);
    },
  };
}

const found = new Map<string, Codec>();

/** The codec Python's `encoding=` names, as Python normalizes it (case, `_` and spaces as `-`); `ArgumentError` if unknown. */
export function lookupCodec(encoding: string): Codec {
  if (typeof encoding !== 'string') throw new ArgumentError(`encoding must be a string, got ${typeof encoding}`);
  const key = encoding.trim().toLowerCase().replace(/[_\s]+/g, '-');
  let codec = found.get(key);
  if (codec !== undefined) return codec;
  try {
    codec = PYTHON.get(key)?.() ?? whatwg(key);
  } catch (cause) {
    throw new ArgumentError(`unknown encoding ${JSON.stringify(encoding)}`, { cause });
  }
  found.set(key, codec);
  return codec;
}
