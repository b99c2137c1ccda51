import type { Socket } from 'node:net';
import { NOT_LOADED, decode, decodeLoaded, encode } from '../codec.js';
import { IpcError, TimeoutError } from '../errors.js';
import { FrameDecoder } from '../framing.js';
import { claimHeapId, markHeapDead } from '../heap-registry.js';
import { perHeap } from '../_global.js';
import { isAcknowledged, type Acknowledged } from './acknowledged.js';
import { UnreachableError } from './errors.js';
import type { BrokerCaller, Served } from './server.js';
import { ACK, AUTH, CALL, CANCEL, type ClientMessage, HELLO, NACK, REPLY } from './_wire.js';
import { FrameWriter, readMessage } from './_frame-writer.js';

export interface Entry {
  readonly id: string;
  readonly target: Served;
  readonly token: Buffer;
}

/** What a session needs of its home. */
export interface Home {
  readonly address: string;
  /** Open sessions, so that closing the broker can end them. */
  readonly sessions: Set<Session>;
  lookup(id: string): Entry | undefined;
  tokenMatches(entry: Entry, token: unknown): boolean;
}

/** One remote heap: its identity here, the connections it has open, the objects it has touched. */
interface CallerRecord {
  readonly key: string;
  readonly caller: BrokerCaller;
  sessions: number;
  readonly touched: Set<Entry>;
}

const callers = perHeap('brokerCallers', () => ({ byKey: new Map<string, CallerRecord>(), next: 0 }));

/** A remote heap opens one connection for its async calls and one from its callSync helper thread: both are one caller. */
function join(key: string, pid: number, threadId: number): CallerRecord {
  let rec = callers.byKey.get(key);
  if (rec === undefined) {
    const caller: BrokerCaller = Object.freeze({ heapId: claimHeapId(), pid, threadId, connectionId: ++callers.next });
    rec = { key, caller, sessions: 0, touched: new Set() };
    callers.byKey.set(key, rec);
  }
  rec.sessions++;
  return rec;
}

function leave(rec: CallerRecord): void {
  if (--rec.sessions > 0) return;
  callers.byKey.delete(rec.key);
  // Dead first: a waiter on a lock the caller held sees it as abandoned from now on.
  markHeapDead(rec.caller.heapId);
  for (const entry of rec.touched) {
    if (entry.target.callerGone !== undefined) runCallback('callerGone()', () => entry.target.callerGone?.(rec.caller));
  }
}

/** Runs a callback of a served object; its failure must not take the broker down. */
export function runCallback(what: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    process.emitWarning(`@ipc/core broker: ${what} threw: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
}

interface Running {
  readonly controller: AbortController;
  cancelled: boolean;
}

/** The home's side of one connection from a remote heap. */
export class Session {
  private readonly decoder = new FrameDecoder();
  private readonly writer: FrameWriter;
  private caller: CallerRecord | undefined;
  /** What each handle of this connection names: an object its token opened, or why it was refused. */
  private readonly handles = new Map<number, Entry | { refused: string }>();
  private readonly running = new Map<number, Running>();
  private readonly unacked = new Map<number, { readonly undelivered: () => void; readonly delivered: (() => void) | undefined }>();
  /** Frames held back while a call's args wait for modules to load, so that calls start in the order sent. */
  private backlog: Buffer[] | undefined;
  private closed = false;

  constructor(
    private readonly socket: Socket,
    private readonly home: Home,
  ) {
    this.writer = new FrameWriter(socket);
    home.sessions.add(this);
    socket.unref();
    socket.on('data', (chunk: Buffer) => {
      let frames: Buffer[];
      try {
        frames = this.decoder.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const frame of frames) {
        if (this.backlog !== undefined) this.backlog.push(frame);
        else this.handle(frame);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.close());
  }

  private handle(frame: Buffer): void {
    if (this.closed) return;
    try {
      const msg = readMessage(frame) as ClientMessage;
      if (!Array.isArray(msg)) throw new TypeError('not a message');
      if (msg[0] !== HELLO && this.caller === undefined) throw new TypeError('no hello');
      this.dispatch(msg);
    } catch {
      // Not our protocol: drop this connection, nothing else.
      this.socket.destroy();
    }
  }

  private dispatch(msg: ClientMessage): void {
    switch (msg[0]) {
      case HELLO:
        if (this.caller === undefined) this.caller = join(String(msg[3]), Number(msg[1]), Number(msg[2]));
        this.writer.fast = msg[4] === true;
        return;
      case AUTH:
        return this.auth(msg[1], msg[2], msg[3]);
      case CALL: {
        const [, callId, handle, op, tree] = msg;
        const entry = this.handles.get(handle);
        if (entry === undefined || 'refused' in entry || this.home.lookup(entry.id) !== entry) {
          this.reply(callId, false, new UnreachableError(entry === undefined ? `no object was opened as handle ${handle} on this connection to ${this.home.address}` : 'refused' in entry ? entry.refused : `object ${entry.id} at ${this.home.address} is unreachable: it is no longer served there`));
          return;
        }
        const args = decodeLoaded(tree, 'process');
        if (args === NOT_LOADED) {
          // Modules to load first (a handle or task type new to this heap): nothing is rebuilt yet; decode holds later calls back.
          this.backlog = [];
          decode(tree, 'process')
            .then(
              (value) => this.start(callId, entry, op, value),
              (err: unknown) => void this.reply(callId, false, err),
            )
            .finally(() => this.drain());
          return;
        }
        return this.start(callId, entry, op, args);
      }
      case CANCEL: {
        const run = this.running.get(msg[1]);
        if (run !== undefined && !run.cancelled) {
          run.cancelled = true;
          run.controller.abort(msg[2] === 'timeout' ? new TimeoutError('the remote caller timed out') : new IpcError('the remote caller aborted the call', 'ERR_IPC_ABORTED'));
        }
        return;
      }
      case ACK:
        for (const callId of msg[1]) {
          const delivered = this.unacked.get(callId)?.delivered;
          this.unacked.delete(callId);
          if (delivered !== undefined) runCallback('delivered()', delivered);
        }
        return;
      case NACK:
        for (const callId of msg[1]) {
          const undelivered = this.unacked.get(callId)?.undelivered;
          this.unacked.delete(callId);
          if (undelivered !== undefined) runCallback('undelivered()', undelivered);
        }
        return;
    }
  }

  private drain(): void {
    const frames = this.backlog ?? [];
    this.backlog = undefined;
    for (let i = 0; i < frames.length; i++) {
      // handle() may start another asynchronous decode: the rest wait behind it.
      const held = this.backlog as Buffer[] | undefined;
      if (held !== undefined) {
        held.push(...frames.slice(i));
        return;
      }
      this.handle(frames[i]!);
    }
  }

  private auth(handle: number, id: string, token: string): void {
    const entry = this.home.lookup(id);
    if (entry !== undefined && this.home.tokenMatches(entry, token)) {
      this.handles.set(handle, entry);
      this.caller!.touched.add(entry);
      return;
    }
    const where = `object ${id} at ${this.home.address} is unreachable`;
    this.handles.set(handle, { refused: entry === undefined ? `${where}: it is not served there (never, or no longer)` : `${where}: the token given for it is wrong` });
  }

  private start(callId: number, entry: Entry, op: string, args: unknown): void {
    if (this.closed) return;
    if (!Array.isArray(args)) {
      this.reply(callId, false, new IpcError('a broker call needs an array of args', 'ERR_IPC_BAD_FRAME'));
      return;
    }
    const run: Running = { controller: new AbortController(), cancelled: false };
    this.running.set(callId, run);
    let result: unknown;
    try {
      result = entry.target.call(op, args, this.caller!.caller, run.controller.signal);
    } catch (err) {
      return this.finish(callId, run, false, err);
    }
    if (typeof (result as PromiseLike<unknown> | null)?.then === 'function') {
      (result as PromiseLike<unknown>).then(
        (value) => this.finish(callId, run, true, value),
        (err: unknown) => this.finish(callId, run, false, err),
      );
    } else {
      this.finish(callId, run, true, result);
    }
  }

  private finish(callId: number, run: Running, ok: boolean, value: unknown): void {
    this.running.delete(callId);
    const ack = ok && isAcknowledged(value) ? value : undefined;
    if (run.cancelled || this.closed) {
      // Nobody will receive it: an item goes back where it came from.
      if (ack !== undefined) runCallback('undelivered()', ack.undelivered);
      return;
    }
    if (ack === undefined) this.reply(callId, ok, value);
    else if (!this.reply(callId, true, ack.value, ack)) runCallback('undelivered()', ack.undelivered);
  }

  /**
   * Sends a reply; an unsendable result becomes an error reply. With
   * `ack`, the reply waits for the caller's ack. Returns whether the
   * value itself went out.
   */
  private reply(callId: number, ok: boolean, value: unknown, ack?: Acknowledged): boolean {
    try {
      this.writer.send([REPLY, callId, ok, encode(value, 'process', ok ? 'result' : 'error').tree, ack !== undefined]);
      if (ack !== undefined) this.unacked.set(callId, { undelivered: ack.undelivered, delivered: ack.delivered });
      return true;
    } catch (err) {
      let tree: unknown;
      try {
        tree = encode(err, 'process', 'error').tree;
      } catch {
        tree = encode(new IpcError(String(err)), 'process', 'error').tree;
      }
      this.writer.send([REPLY, callId, false, tree, false]);
      return false;
    }
  }

  /** The connection is gone: abort what runs for it, take back what it never acknowledged, and let go of the caller. */
  /** Ends the connection (the broker is closing): the caller's calls fail with BrokerGoneError. */
  destroy(): void {
    this.socket.destroy();
    this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.home.sessions.delete(this);
    this.backlog = undefined;
    const why = new IpcError('the remote caller went away', 'ERR_IPC_CALLER_GONE');
    for (const run of this.running.values()) {
      run.cancelled = true;
      run.controller.abort(why);
    }
    this.running.clear();
    for (const { undelivered } of this.unacked.values()) runCallback('undelivered()', undelivered);
    this.unacked.clear();
    if (this.caller !== undefined) leave(this.caller);
  }
}
