import { deserialize as v8Deserialize } from 'node:v8';
import { ArgumentError, EOFError, ModuleNotLoadedError, StateError, TimeoutError, checkTimeout, passedTimeout, decode, decodePlain, decodeSync, encode, encodePlain, notSendable, reduceHandle, serialize, type HandleDescriptor, type ReduceContext } from '@ipc/core';
import type { FrameTransport, Received } from './_transport.js';
import { detach, takeOver } from './_detach.js';
import { MovedValue } from './_lanes.js';
import { copiedForm, deserializeMoving } from './_moving-codec.js';
import { BufferTooShort, MessageTooLongError } from './errors.js';
import { dumps, loads } from './pickle.js';

/** Waiting options of the receiving calls. */
export interface RecvOptions {
  /** Milliseconds; on timeout the call rejects with `TimeoutError`. Default (or `null`, Python's `None`): for ever. */
  timeout?: number | null;
  signal?: AbortSignal;
}

export type RecvSyncOptions = Omit<RecvOptions, 'signal'>;

/** Options of `sendBytes`. */
export interface SendBytesOptions {
  signal?: AbortSignal;
  /**
   * Move the bytes instead of copying them, as `postMessage`'s transfer list does: the buffer's
   * whole ArrayBuffer is detached at the call (a bad argument, a closed or read-only end throw
   * first and leave it alone; a send that fails later, as the peer is gone, has taken it). To a
   * thread that was handed the other end at its start (and from it back), a message of 4 KiB or
   * more is not copied, whatever its size: the receiver's Buffer is a view of that very
   * ArrayBuffer. Anywhere else, and for smaller messages, the bytes are copied and the buffer is
   * detached all the same. A Buffer of Node's shared pool (a small `Buffer.from`) cannot be
   * detached: it is copied and stays usable, as with postMessage.
   */
  transfer?: boolean;
}

export type SendBytesSyncOptions = Omit<SendBytesOptions, 'signal'>;

/** Options of `send`. */
export interface SendOptions {
  signal?: AbortSignal;
  /**
   * ArrayBuffers of the value to move instead of copy, as `postMessage`'s transfer list: each is
   * detached at the call, and a Buffer, typed array or DataView over one arrives as a view of that
   * very buffer where a lane leads (see `sendBytes`'s `transfer`; at least 4 KiB moved in all),
   * and as a copy anywhere else. Only ArrayBuffers: a MessagePort cannot travel in a Connection's
   * message (pass it to a Thread at its start), a SharedArrayBuffer is shared, not moved.
   */
  transfer?: readonly ArrayBuffer[];
}

export type SendSyncOptions = Omit<SendOptions, 'signal'>;

export const HANDLE_TYPE = '@ipc/pipe.Connection';

/** The first byte of a value in core's plain form (small plain trees: ~0.5 µs both ways, where v8's codec takes ~3 µs). */
const PLAIN_TAG = 0xfe;

/**
 * Python's `multiprocessing.connection.Connection`: whole messages, values or
 * bytes, in order. Made by `Pipe()`, `Listener.accept()` and `Client()`.
 */
export class Connection {
  private isClosed = false;
  /** A value `recvSync` took but could not rebuild here (a module it cannot load synchronously): the next receive gives it. */
  private held: Uint8Array | undefined;

  /** @internal */
  constructor(private readonly transport: FrameTransport) {
    if (transport.reduce === undefined) Object.defineProperty(this, notSendable, { value: 'a network connection belongs to the process that opened it' });
  }

  get closed(): boolean {
    return this.isClosed;
  }

  get readable(): boolean {
    return this.transport.readable;
  }

  get writable(): boolean {
    return this.transport.writable;
  }

  /** Sends a value: copied with @ipc's codec (a Python peer gets a pickle); `transfer` moves buffers of it instead (see SendOptions). */
  async send(value: unknown, options: SendOptions = {}): Promise<void> {
    this.checkWrite();
    if (options.transfer === undefined) return this.transport.send(this.encode(value), options.signal);
    const buffers = checkTransferList(options.transfer);
    if (this.transport.sendMovedValue !== undefined && !this.transport.pickles) {
      return this.transport.sendMovedValue(encode(value, 'process', 'obj').tree, buffers, options.signal);
    }
    const bytes = this.encode(value); // what cannot be sent fails here, before anything is taken
    detach(buffers);
    return this.transport.send(bytes, options.signal);
  }

  sendSync(value: unknown, options: SendSyncOptions = {}): void {
    this.checkWrite();
    if (options.transfer === undefined) return this.transport.sendSync(this.encode(value));
    const buffers = checkTransferList(options.transfer);
    if (this.transport.sendMovedValueSync !== undefined && !this.transport.pickles) {
      return this.transport.sendMovedValueSync(encode(value, 'process', 'obj').tree, buffers);
    }
    const bytes = this.encode(value);
    detach(buffers);
    this.transport.sendSync(bytes);
  }

  /**
   * Writes at once what this tick's sends queued. A socket connection batches
   * the messages sent in one tick into one write at the end of the tick; call
   * this before blocking the thread (`Atomics.wait`) on an answer to them.
   * Other connections write each message as it is sent: a no-op there.
   */
  flush(): void {
    this.checkWrite();
    this.transport.flush?.();
  }

  /** The next value; `EOFError` once the other end is closed and nothing is left. */
  recv<T = unknown>(options: RecvOptions = {}): Promise<T> {
    // Not an async function: a value a socket has already brought costs one promise turn, not one per await.
    try {
      return this.recvRaw(options).then(decodeValue) as Promise<T>;
    } catch (err) {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what was thrown, as an async function would reject
      return Promise.reject(err);
    }
  }

  recvSync<T = unknown>(options: RecvSyncOptions = {}): T {
    const got = this.recvRawSync(options);
    const bytes = got instanceof MovedValue ? undefined : valueMessage(got);
    if (bytes?.[0] === 0x80) return loads(bytes) as T;
    if (bytes?.[0] === PLAIN_TAG) return decodePlain(bytes) as T;
    try {
      return decodeSync(bytes === undefined ? movedTree(got as MovedValue) : v8Deserialize(bytes), 'process') as T;
    } catch (err) {
      // A module it cannot load now: not lost — the next receive here gives it (recv() can import it).
      if (err instanceof ModuleNotLoadedError) this.held = asBytes(got);
      throw err;
    }
  }

  /**
   * Sends `buf[offset, offset + size)` as one message, as it is. Out of range → `RangeError`, nothing
   * sent. `{ transfer: true }` moves the buffer instead of copying it (see SendBytesOptions).
   */
  async sendBytes(buf: ArrayBufferView | ArrayBuffer, offset = 0, size?: number, options: SendBytesOptions = {}): Promise<void> {
    this.checkWrite();
    const bytes = slice(buf, offset, size);
    if (options.transfer !== true) return this.transport.send(bytes, options.signal);
    if (this.transport.sendMoved !== undefined) return this.transport.sendMoved(bytes, options.signal);
    // Taken first, then copied by the send: a transport may hold on to the bytes it was given (batching).
    return this.transport.send(takeOver(bytes), options.signal);
  }

  sendBytesSync(buf: ArrayBufferView | ArrayBuffer, offset = 0, size?: number, options: SendBytesSyncOptions = {}): void {
    this.checkWrite();
    const bytes = slice(buf, offset, size);
    if (options.transfer !== true) return this.transport.sendSync(bytes);
    if (this.transport.sendMovedSync !== undefined) return this.transport.sendMovedSync(bytes);
    this.transport.sendSync(takeOver(bytes));
  }

  /** The next message as bytes. A message longer than `maxLength` is dropped and rejects with `MessageTooLongError`. */
  async recvBytes(maxLength?: number, options: RecvOptions = {}): Promise<Buffer> {
    checkMax(maxLength);
    return limit(asBytes(await this.recvRaw(options)), maxLength);
  }

  recvBytesSync(maxLength?: number, options: RecvSyncOptions = {}): Buffer {
    checkMax(maxLength);
    return limit(asBytes(this.recvRawSync(options)), maxLength);
  }

  /** Reads the next message into `buf` at `offset`; resolves with its length. Too long → `BufferTooShort` carrying the message. */
  async recvBytesInto(buf: ArrayBufferView | ArrayBufferLike, offset = 0, options: RecvOptions = {}): Promise<number> {
    const view = checkInto(buf, offset);
    return into(asBytes(await this.recvRaw(options, room(view, offset))), view, offset);
  }

  recvBytesIntoSync(buf: ArrayBufferView | ArrayBufferLike, offset = 0, options: RecvSyncOptions = {}): number {
    const view = checkInto(buf, offset);
    return into(asBytes(this.recvRawSync(options, room(view, offset))), view, offset);
  }

  /**
   * Whether there is something to receive (a message, or the end), waiting up
   * to `timeout` ms (default: not at all; a negative timeout looks once, and `null` waits for
   * ever, as Python's `poll(None)` does).
   */
  async poll(timeout: number | null = 0, options: { signal?: AbortSignal } = {}): Promise<boolean> {
    this.checkRead();
    const ms = passedTimeout(timeout);
    if (this.held !== undefined) return true;
    return this.transport.poll(ms === Infinity ? undefined : ms, options.signal);
  }

  pollSync(timeout: number | null = 0): boolean {
    this.checkRead();
    const ms = passedTimeout(timeout);
    if (this.held !== undefined) return true;
    return this.transport.pollSync(ms === Infinity ? undefined : ms);
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.transport.close();
  }

  /** Receives until the other end closes. */
  async *[Symbol.asyncIterator](): AsyncIterator<unknown> {
    for (;;) {
      try {
        yield await this.recv();
      } catch (err) {
        if (err instanceof EOFError) return;
        throw err;
      }
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  [reduceHandle](ctx: ReduceContext): HandleDescriptor {
    if (this.isClosed) throw new StateError('a closed connection cannot be sent');
    return { module: import.meta.url, type: HANDLE_TYPE, data: this.transport.reduce!(ctx) };
  }

  toString(): string {
    return `<Connection ${this.readable ? 'r' : ''}${this.writable ? 'w' : ''}${this.isClosed ? ' closed' : ''}>`;
  }

  private encode(value: unknown): Uint8Array {
    if (this.transport.pickles) return dumps(value);
    return encodePlain(value, PLAIN_TAG) ?? serialize(value, 'obj');
  }

  /** Throws at once (not as a rejection) for a closed or write-only end or a bad timeout. */
  private recvRaw(options: RecvOptions, into?: Uint8Array): Promise<Uint8Array | MovedValue> {
    this.checkRead();
    const { timeout } = options;
    const ms = checkedTimeout(timeout);
    const held = this.takeHeld();
    if (held !== undefined) return Promise.resolve(held);
    return this.transport.recv(ms, options.signal, into).then((r) => this.got(r, timeout));
  }

  private recvRawSync(options: RecvSyncOptions, into?: Uint8Array): Uint8Array | MovedValue {
    this.checkRead();
    const ms = checkedTimeout(options.timeout);
    return this.takeHeld() ?? this.got(this.transport.recvSync(ms, into), options.timeout);
  }

  private takeHeld(): Uint8Array | undefined {
    const held = this.held;
    this.held = undefined;
    return held;
  }

  private got(r: Received, timeout: number | null | undefined): Uint8Array | MovedValue {
    if (r === 'eof') throw new EOFError();
    if (r === 'timeout') throw new TimeoutError(`nothing was received within ${timeout} ms`);
    return r;
  }

  private checkRead(): void {
    if (this.isClosed) throw new StateError('handle is closed');
    if (!this.transport.readable) throw new StateError('connection is write-only');
  }

  private checkWrite(): void {
    if (this.isClosed) throw new StateError('handle is closed');
    if (!this.transport.writable) throw new StateError('connection is read-only');
  }
}

/** A received value message, decoded (a v8 one may need modules loaded first, so it may be a promise). */
function decodeValue(raw: Uint8Array | MovedValue): unknown {
  if (raw instanceof MovedValue) return decode(movedTree(raw), 'process');
  const bytes = valueMessage(raw);
  return bytes[0] === 0x80 ? loads(bytes) : bytes[0] === PLAIN_TAG ? decodePlain(bytes) : decode(v8Deserialize(bytes), 'process');
}

/** A value message is a pickle (0x80), v8 (0xFF) or core's plain form (0xFE); anything else was sent as raw bytes. */
function valueMessage(bytes: Uint8Array): Uint8Array {
  if (bytes[0] === 0x80 || bytes[0] === 0xff || bytes[0] === PLAIN_TAG) return bytes;
  throw new StateError(`the message is ${bytes.byteLength} raw bytes (sent with sendBytes / send_bytes), not a value: receive it with recvBytes()`);
}

const movedTree = (m: MovedValue): unknown => deserializeMoving(m.bytes, m.buffers);

/** A message as bytes: a moved value in the form a copied one has (what `recvBytes` gives of any value message). */
const asBytes = (m: Uint8Array | MovedValue): Uint8Array => (m instanceof MovedValue ? copiedForm(m.bytes, m.buffers) : m);

/** `send`'s transfer list, checked before anything is encoded or taken. */
function checkTransferList(list: readonly ArrayBuffer[]): readonly ArrayBuffer[] {
  if (!Array.isArray(list)) throw new ArgumentError('transfer must be an array of ArrayBuffers');
  const seen = new Set<ArrayBuffer>();
  for (const item of list as unknown[]) {
    if (!(item instanceof ArrayBuffer)) {
      const what = item instanceof SharedArrayBuffer ? 'a SharedArrayBuffer (it is shared, not moved: send it without transfer)' : ArrayBuffer.isView(item) ? `a ${item.constructor.name} (list its .buffer)` : isPort(item) ? 'a MessagePort (it cannot travel in a Connection’s message: pass it to a Thread at its start)' : typeof item;
      throw new ArgumentError(`transfer takes ArrayBuffers, not ${what}`);
    }
    if (seen.has(item)) throw new ArgumentError('transfer lists an ArrayBuffer twice');
    seen.add(item);
  }
  return [...seen];
}

const isPort = (item: unknown): boolean => typeof item === 'object' && item !== null && item.constructor?.name === 'MessagePort';

function checkedTimeout(timeout: number | null | undefined): number | undefined {
  const ms = checkTimeout(timeout);
  return ms === Infinity ? undefined : ms;
}

function slice(buf: ArrayBufferView | ArrayBuffer, offset: number, size: number | undefined): Uint8Array {
  const isView = ArrayBuffer.isView(buf);
  if (!isView && !(buf instanceof ArrayBuffer)) throw new ArgumentError('sendBytes takes a Buffer, a typed array, a DataView or an ArrayBuffer');
  const length = buf.byteLength;
  if (!Number.isInteger(offset) || offset < 0) throw new RangeError('offset is negative or not an integer');
  if (offset > length) throw new RangeError('buffer length < offset');
  const n = size ?? length - offset;
  if (!Number.isInteger(n) || n < 0) throw new RangeError('size is negative or not an integer');
  if (offset + n > length) throw new RangeError('buffer length < offset + size');
  // The common case, a whole Uint8Array (or Buffer), goes as it is: no view to make per message.
  if (buf instanceof Uint8Array && offset === 0 && n === length) return buf;
  return isView ? new Uint8Array(buf.buffer, buf.byteOffset + offset, n) : new Uint8Array(buf, offset, n);
}

function checkMax(maxLength: number | undefined): void {
  if (maxLength !== undefined && (!Number.isInteger(maxLength) || maxLength < 0)) throw new RangeError('negative maxLength');
}

function limit(bytes: Uint8Array, maxLength: number | undefined): Buffer {
  if (maxLength !== undefined && bytes.byteLength > maxLength) throw new MessageTooLongError(`bad message length: ${bytes.byteLength} bytes, more than maxLength ${maxLength}; the message was dropped`, bytes.byteLength);
  return asBuffer(bytes);
}

/** The received bytes as a Buffer. They are a fresh copy that is ours alone, so they become one in place: `Buffer.from(ab, …)` costs more than the receive. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : (Object.setPrototypeOf(bytes, Buffer.prototype as object) as Buffer);
}

/** The buffer as a view (an ArrayBuffer is taken whole, as sendBytes takes it), once the offset is known to fit. */
function checkInto(buf: ArrayBufferView | ArrayBufferLike, offset: number): ArrayBufferView {
  const view = ArrayBuffer.isView(buf) ? buf : buf instanceof ArrayBuffer || buf instanceof SharedArrayBuffer ? new Uint8Array(buf) : undefined;
  if (view === undefined) throw new ArgumentError('recvBytesInto takes a Buffer, a typed array, a DataView or an ArrayBuffer');
  if (!Number.isInteger(offset) || offset < 0) throw new RangeError('negative offset');
  if (offset > view.byteLength) throw new RangeError('offset too large');
  return view;
}

/** The bytes of `buf` from `offset` on, where a big message may be read straight to. */
function room(buf: ArrayBufferView, offset: number): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset + offset, buf.byteLength - offset);
}

function into(bytes: Uint8Array, buf: ArrayBufferView, offset: number): number {
  if (bytes.buffer === buf.buffer && bytes.byteOffset === buf.byteOffset + offset) return bytes.byteLength; // read straight there
  const target = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  if (offset + bytes.byteLength > target.byteLength) throw new BufferTooShort(`the message (${bytes.byteLength} bytes) does not fit the buffer after offset ${offset}`, asBuffer(bytes));
  target.set(bytes, offset);
  return bytes.byteLength;
}
