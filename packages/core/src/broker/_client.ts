import type { Socket } from 'node:net';
import { nodeCrypto, nodeNet } from '../_builtins.js';
import { threadId } from 'node:worker_threads';
import { perHeap } from '../_global.js';
import { FrameDecoder } from '../framing.js';
import { BrokerGoneError } from './errors.js';
import { AUTH, CALL, CANCEL, type CancelWhy, HELLO, type ReplyMessage } from './_wire.js';
import { FrameWriter, readMessage } from './_frame-writer.js';
import { isFastBody } from './_fast-form.js';

/** How this heap presents itself to a home: its callSync helper thread presents the same, so both count as one caller. */
export interface CallerIdentity {
  readonly pid: number;
  readonly threadId: number;
  readonly key: string;
}

/** A reply as it arrives: the codec tree not yet decoded, and the frame to decode afresh if a first synchronous try fails. */
export interface RawReply {
  readonly ok: boolean;
  readonly tree: unknown;
  readonly needsAck: boolean;
  readonly frame: Buffer;
}

export interface PendingCall {
  settle(reply: RawReply, callId: number): void;
  gone(err: BrokerGoneError): void;
}

interface Pool {
  identity: CallerIdentity | undefined;
  readonly byAddress: Map<string, Connection>;
}

const pool = perHeap<Pool>('brokerConnections', () => ({ identity: undefined, byAddress: new Map() }));

/** Adopts another heap's identity (the callSync helper thread adopts its parent's); before any connection. */
export function adoptIdentity(identity: CallerIdentity): void {
  pool.identity = identity;
}

export function identity(): CallerIdentity {
  return (pool.identity ??= { pid: process.pid, threadId, key: nodeCrypto().randomBytes(16).toString('hex') });
}

/** The one connection of this heap to a home, opened on first use. One that has gone stays, so later calls fail fast. */
export function connectionTo(address: string): Connection {
  let conn = pool.byAddress.get(address);
  if (conn === undefined) {
    conn = new Connection(address, identity());
    pool.byAddress.set(address, conn);
  }
  return conn;
}

const EMPTY = Buffer.alloc(0);

/** The caller's side of a connection to a home's broker. Values stay encoded here: decoding is the caller's. */
export class Connection {
  private readonly socket: Socket;
  private readonly writer: FrameWriter;
  private readonly decoder = new FrameDecoder();
  /** A number per (object, token) presented on this connection: calls name it, so two references to one object with different tokens never mix. */
  private readonly handles = new Map<string, number>();
  private readonly pending = new Map<number, PendingCall>();
  private nextCallId = 1;
  private cause: unknown;
  /** Set once the connection has closed: every call fails with it. */
  gone: BrokerGoneError | undefined;

  constructor(
    readonly address: string,
    me: CallerIdentity,
  ) {
    this.socket = nodeNet().createConnection(address);
    // Unref'd while idle: only a pending call keeps this process alive, as any pending I/O does.
    this.socket.unref();
    this.writer = new FrameWriter(this.socket);
    this.writer.send([HELLO, me.pid, me.threadId, me.key, true]);
    this.socket.on('data', (chunk: Buffer) => {
      let frames: Buffer[];
      try {
        frames = this.decoder.push(chunk);
      } catch (err) {
        this.cause = err;
        this.socket.destroy();
        return;
      }
      for (const frame of frames) this.onReply(frame);
    });
    this.socket.on('error', (err) => (this.cause ??= err));
    this.socket.on('close', () => this.onClose());
  }

  /** Sends a call and returns its id; throws (sending nothing) if the message cannot be serialized or the home is gone. `now` writes it before anything else can run. */
  call(id: string, token: string, op: string, tree: unknown, pending: PendingCall, now = false): number {
    if (this.gone !== undefined) throw this.gone;
    const callId = this.nextCallId++;
    const key = `${id}\u0000${token}`;
    let handle = this.handles.get(key);
    if (handle === undefined) {
      handle = this.handles.size + 1;
      this.writer.send([AUTH, handle, id, token]);
      this.handles.set(key, handle);
    }
    this.writer.send([CALL, callId, handle, op, tree]);
    if (now) this.writer.flush();
    if (this.pending.size === 0) this.socket.ref();
    this.pending.set(callId, pending);
    return callId;
  }

  /** Gives up on a call: the home aborts it, and a reply that still comes is refused (its item goes back). */
  cancel(callId: number, why: CancelWhy): void {
    if (!this.pending.delete(callId)) return;
    if (this.pending.size === 0) this.socket.unref();
    if (this.gone === undefined) this.writer.send([CANCEL, callId, why]);
  }

  /** Acknowledges a reply that carried an item; `now` writes it before anything else can run. */
  ack(callId: number, now = false): void {
    this.writer.ack(callId);
    if (now) this.writer.flush();
  }

  /** Refuses a reply that carried an item: the home takes the item back. */
  nack(callId: number): void {
    this.writer.nack(callId);
  }

  /** Writes what is queued now and runs `done` once the kernel has all of it (at once when the connection is gone: nothing more can leave). */
  afterWritten(done: () => void): void {
    this.writer.flush();
    if (this.socket.destroyed || this.socket.writableLength === 0) done();
    // Writes complete in order: an empty one's callback comes after the ones queued before it.
    else this.socket.write(EMPTY, () => done());
  }

  private onReply(frame: Buffer): void {
    let msg: ReplyMessage;
    try {
      msg = readMessage(frame) as ReplyMessage;
      if (!this.writer.fast && isFastBody(frame)) this.writer.fast = true;
    } catch (err) {
      this.cause = err;
      this.socket.destroy();
      return;
    }
    const [, callId, ok, tree, needsAck] = msg;
    const pending = this.pending.get(callId);
    if (pending === undefined) {
      // A late reply to a call given up on.
      if (needsAck) this.writer.nack(callId);
      return;
    }
    this.pending.delete(callId);
    if (this.pending.size === 0) this.socket.unref();
    pending.settle({ ok, tree, needsAck, frame }, callId);
  }

  private onClose(): void {
    const gone = new BrokerGoneError(this.address, this.cause === undefined ? undefined : { cause: this.cause });
    this.gone = gone;
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.gone(gone);
  }
}

/** The reply's tree decoded afresh from its frame (a failed synchronous decode may have changed the first copy). */
export function freshTree(reply: RawReply): unknown {
  return (readMessage(reply.frame) as ReplyMessage)[3];
}
