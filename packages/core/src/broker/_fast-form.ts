/**
 * A compact form for the broker's commonest messages, beside v8's. Why: Node's `v8.serialize`
 * builds a serializer object and calls back into JS for every typed array — 4–7 µs for a call
 * whose args are one 16-byte Buffer, several times per round trip of a pipe or queue served to
 * another process. This form writes such a message in well under a microsecond.
 *
 * It takes a CALL or REPLY whose tree is a scalar (a number, a boolean, `null`, `undefined`), a
 * plain Buffer / Uint8Array, or an array of those (a pipe's send and its received batch, a
 * queue's packed items and its counts), and ACK / NACK; any other message is v8's (whose first
 * byte is always 0xFF, the version tag, so the two never mix up).
 *
 *   CALL  0xC2 callId:u32 handle:u32 opLength:u8 op:utf8 tree
 *   REPLY 0xC6 callId:u32 flags:u8 (1 ok, 2 needsAck) tree
 *   ACK   0xC4 / NACK 0xC5  count:u32 callId:u32…
 *   tree  0 item | 1 count:u32 item…
 *   item  0 length:u32 bytes (Uint8Array) | 1 length:u32 bytes (Buffer) | 2 f64 | 3 true | 4 false | 5 null | 6 undefined
 *
 * Bytes are copied in when the message is made (as v8's are: a caller may reuse its buffer at
 * once) and come out as views of the frame, of the class they went in as — as v8's do.
 */
import { types } from 'node:util';
import { ACK, CALL, NACK, REPLY, type ClientMessage, type ReplyMessage } from './_wire.js';

const { isProxy } = types;

const FAST_CALL = 0xc2;
const FAST_REPLY = 0xc6;
const FAST_ACK = 0xc4;
const FAST_NACK = 0xc5;
const ONE = 0;
const LIST = 1;
const [U8, BUF, NUM, TRUE, FALSE, NULL, UNDEF] = [0, 1, 2, 3, 4, 5, 6];
const U32_MAX = 0xffffffff;

/** The message in the compact form, or undefined where v8's is needed. */
export function fastBody(message: ClientMessage | ReplyMessage): Buffer | undefined {
  switch (message[0]) {
    case CALL: {
      const [, callId, handle, op, tree] = message;
      const t = compactTree(tree);
      const opLength = Buffer.byteLength(op);
      if (t === undefined || opLength > 255 || !isU32(callId) || !isU32(handle)) return undefined;
      const out = Buffer.allocUnsafe(10 + opLength + t.size);
      out[0] = FAST_CALL;
      out.writeUInt32LE(callId, 1);
      out.writeUInt32LE(handle, 5);
      out[9] = opLength;
      out.write(op, 10, 'utf8');
      writeTree(out, 10 + opLength, t);
      return out;
    }
    case REPLY: {
      const [, callId, ok, tree, needsAck] = message;
      const t = compactTree(tree);
      if (t === undefined || !isU32(callId)) return undefined;
      const out = Buffer.allocUnsafe(6 + t.size);
      out[0] = FAST_REPLY;
      out.writeUInt32LE(callId, 1);
      out[5] = (ok ? 1 : 0) | (needsAck ? 2 : 0);
      writeTree(out, 6, t);
      return out;
    }
    case ACK:
    case NACK: {
      const ids = message[1];
      if (!ids.every(isU32)) return undefined;
      const out = Buffer.allocUnsafe(5 + 4 * ids.length);
      out[0] = message[0] === ACK ? FAST_ACK : FAST_NACK;
      out.writeUInt32LE(ids.length, 1);
      ids.forEach((id, i) => out.writeUInt32LE(id, 5 + 4 * i));
      return out;
    }
    default:
      return undefined;
  }
}

/** Whether `body` is in the compact form (else it is v8's). */
export function isFastBody(body: Buffer): boolean {
  return body[0] !== 0xff;
}

/** The message a compact body holds; throws on one that is malformed (the connection is then dropped). */
export function readFastBody(body: Buffer): ClientMessage | ReplyMessage {
  switch (body[0]) {
    case FAST_CALL: {
      const opLength = byteAt(body, 9);
      const op = body.toString('utf8', 10, 10 + opLength);
      if (10 + opLength > body.length) throw new TypeError('truncated call');
      return [CALL, body.readUInt32LE(1), body.readUInt32LE(5), op, readTree(body, 10 + opLength)];
    }
    case FAST_REPLY: {
      const flags = byteAt(body, 5);
      return [REPLY, body.readUInt32LE(1), (flags & 1) !== 0, readTree(body, 6), (flags & 2) !== 0];
    }
    case FAST_ACK:
    case FAST_NACK: {
      const count = body.readUInt32LE(1);
      if (body.length !== 5 + 4 * count) throw new TypeError('malformed acknowledgement');
      const ids = Array.from({ length: count }, (_, i) => body.readUInt32LE(5 + 4 * i));
      return body[0] === FAST_ACK ? [ACK, ids] : [NACK, ids];
    }
    default:
      throw new TypeError(`unknown message form ${String(body[0])}`);
  }
}

/** A tree the compact form can take: its items, read once (a getter runs once, as v8's would), and the bytes they take. */
interface Compact {
  readonly list: boolean;
  readonly items: readonly unknown[];
  readonly size: number;
}

/** The tree for the compact form, or undefined where v8's form must carry it. */
function compactTree(tree: unknown): Compact | undefined {
  if (!Array.isArray(tree)) {
    const n = itemLength(tree);
    return n < 0 ? undefined : { list: false, items: [tree], size: 1 + n };
  }
  // v8's form keeps holes and extra properties of an array (and refuses a Proxy): those go its way.
  if (isProxy(tree) || Object.keys(tree).length !== tree.length) return undefined;
  const items = (tree as unknown[]).slice();
  let size = 5;
  for (const item of items) {
    const n = itemLength(item);
    if (n < 0) return undefined;
    size += n;
  }
  return { list: true, items, size };
}

function itemLength(item: unknown): number {
  switch (typeof item) {
    case 'number':
      return 9;
    case 'boolean':
    case 'undefined':
      return 1;
    case 'object': {
      if (item === null) return 1;
      const proto: unknown = Object.getPrototypeOf(item);
      return (proto === Buffer.prototype || proto === Uint8Array.prototype) && !isProxy(item) ? 5 + (item as Uint8Array).byteLength : -1;
    }
    default:
      return -1;
  }
}

function writeTree(out: Buffer, at: number, t: Compact): void {
  if (!t.list) {
    out[at] = ONE;
    writeItem(out, at + 1, t.items[0]);
    return;
  }
  out[at] = LIST;
  out.writeUInt32LE(t.items.length, at + 1);
  let p = at + 5;
  for (const item of t.items) p = writeItem(out, p, item);
}

/** Writes one item at `p`; where the next one goes. */
function writeItem(out: Buffer, p: number, item: unknown): number {
  if (typeof item === 'number') {
    out[p] = NUM;
    out.writeDoubleLE(item, p + 1);
    return p + 9;
  }
  if (item === true || item === false || item === null || item === undefined) {
    out[p] = item === true ? TRUE : item === false ? FALSE : item === null ? NULL : UNDEF;
    return p + 1;
  }
  const bytes = item as Uint8Array;
  out[p] = Buffer.isBuffer(bytes) ? BUF : U8;
  out.writeUInt32LE(bytes.byteLength, p + 1);
  out.set(bytes, p + 5);
  return p + 5 + bytes.byteLength;
}

function readTree(body: Buffer, at: number): unknown {
  const kind = byteAt(body, at);
  const got: unknown[] = [];
  let p: number;
  if (kind === ONE) p = readItem(body, at + 1, got);
  else if (kind === LIST) {
    const count = body.readUInt32LE(at + 1);
    p = at + 5;
    for (let i = 0; i < count; i++) p = readItem(body, p, got);
  } else throw new TypeError(`unknown tree form ${kind}`);
  if (p !== body.length) throw new TypeError('trailing bytes');
  return kind === ONE ? got[0] : got;
}

/** Reads one item at `p` into `got`; where the next one starts. */
function readItem(body: Buffer, p: number, got: unknown[]): number {
  const tag = byteAt(body, p);
  switch (tag) {
    case NUM:
      got.push(body.readDoubleLE(p + 1));
      return p + 9;
    case TRUE:
    case FALSE:
    case NULL:
    case UNDEF:
      got.push(tag === TRUE ? true : tag === FALSE ? false : tag === NULL ? null : undefined);
      return p + 1;
    case U8:
    case BUF: {
      const length = body.readUInt32LE(p + 1);
      const start = p + 5;
      if (start + length > body.length) throw new TypeError('truncated bytes');
      got.push(tag === BUF ? body.subarray(start, start + length) : new Uint8Array(body.buffer, body.byteOffset + start, length));
      return start + length;
    }
    default:
      throw new TypeError(`unknown item form ${tag}`);
  }
}

function byteAt(body: Buffer, at: number): number {
  const b = body[at];
  if (b === undefined) throw new TypeError('truncated message');
  return b;
}

function isU32(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= U32_MAX;
}
