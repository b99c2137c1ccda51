import { once } from 'node:events';
import { lookup } from 'node:dns/promises';
import { createConnection, createServer, isIP, type Server, type Socket } from 'node:net';
import { ArgumentError, IpcError, StateError, TimeoutError } from '@ipc/core';
import { answerChallenge, deliverChallenge, type FrameIO } from './_handshake.js';
import { SocketEnd } from './_socket-end.js';
import { arbitraryUnixAddress } from './_unix-address.js';
import { Connection } from './connection.js';

/** A Unix socket path, or `[host, port]` for TCP (Python's `('localhost', 6000)`). */
export type Address = string | readonly [host: string, port: number];

export interface ConnectionOptions {
  /** The shared secret; both sides must have it. Strings are taken as UTF-8. Without it, no authentication (as in Python). */
  authkey?: Uint8Array | string;
  /** How `send()` encodes values: `'pickle'` (default: a Python peer reads it) or `'v8'` (richer, for @ipc peers). `recv()` reads either. */
  serializer?: 'pickle' | 'v8';
  /** The largest message accepted from the peer, in bytes (default 64 MiB); a larger one closes that connection. */
  maxMessage?: number;
  /** How long the authentication may take, in ms (default 10 000); a peer that does not finish in time is dropped. */
  handshakeTimeout?: number;
}

export interface ListenerOptions extends ConnectionOptions {
  /** Where to listen. Default: a fresh Unix socket path for `'AF_UNIX'`, `['127.0.0.1', 0]` (a free port) for `'AF_INET'`. */
  address?: Address;
  family?: 'AF_INET' | 'AF_UNIX';
  backlog?: number;
}

type Ready = { conn: Connection } | { error: Error };

/** Failed handshakes kept for accept() to report; older ones are dropped past this. */
const MAX_QUEUED_FAILURES = 100;

/**
 * Python's `multiprocessing.connection.Listener`: accepts connections from
 * `Client`s — ours, or a Python program's — authenticated with `authkey`.
 */
export class Listener implements AsyncIterable<Connection> {
  /** Resolves once listening; rejects if the address cannot be bound (in use, no permission). */
  readonly ready: Promise<void>;
  private readonly server: Server;
  private readonly options: ConnectionOptions;
  private readonly queue: Ready[] = [];
  private queuedFailures = 0;
  private readonly waiters: ((r: Ready) => void)[] = [];
  private readonly pending = new Set<Socket>();
  private bound: Address;
  private isClosed = false;

  constructor(options: ListenerOptions = {}) {
    const { address, family = address === undefined || Array.isArray(address) ? (address === undefined ? 'AF_UNIX' : 'AF_INET') : 'AF_UNIX', backlog = 511 } = options;
    this.options = checkOptions(options);
    // Python refuses a family it does not know, and an address of the other family (AF_UNIX takes a path, AF_INET a tuple).
    if (family !== 'AF_INET' && family !== 'AF_UNIX') throw new ArgumentError(`family must be 'AF_INET' or 'AF_UNIX', not ${String(family)}`);
    if (address !== undefined && (typeof address === 'string') !== (family === 'AF_UNIX')) throw new ArgumentError(`an ${family} address is ${family === 'AF_UNIX' ? 'a socket path' : '[host, port]'}, not ${JSON.stringify(address)}`);
    if (address === undefined) {
      if (family === 'AF_INET') this.bound = ['127.0.0.1', 0];
      else this.bound = arbitraryUnixAddress();
    } else this.bound = checkAddress(address);
    this.server = createServer((socket) => this.onSocket(socket));
    // A server error after listening (a failed accept) must not end the program; listen() reports the ones before.
    this.server.on('error', () => undefined);
    this.ready = this.listen(backlog);
    this.ready.catch(() => undefined);
  }

  /** The address listened on (with the real port once `ready`). */
  get address(): Address {
    return this.bound;
  }

  /** The next authenticated connection. A client that fails the handshake rejects this call (the Listener goes on). */
  async accept(): Promise<Connection> {
    await this.ready;
    if (this.isClosed) throw new StateError('the listener is closed');
    const queued = this.queue.shift();
    if (queued !== undefined && 'error' in queued) this.queuedFailures--;
    const next = queued ?? (await new Promise<Ready>((resolve) => this.waiters.push(resolve)));
    if ('error' in next) throw next.error;
    return next.conn;
  }

  /** Accepts for ever (until closed), skipping clients that fail the handshake. */
  async *[Symbol.asyncIterator](): AsyncIterator<Connection> {
    while (!this.isClosed) {
      let conn: Connection;
      try {
        conn = await this.accept();
      } catch (err) {
        if (this.isClosed) return;
        if (err instanceof StateError) return;
        continue;
      }
      yield conn;
    }
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.server.close();
    for (const s of this.pending) s.destroy();
    for (const w of this.waiters.splice(0)) w({ error: new StateError('the listener is closed') });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await once(this.server, 'close').catch(() => undefined);
  }

  private async listen(backlog: number): Promise<void> {
    const b = this.bound;
    try {
      // Python binds (host, port) with an AF_INET socket: a name is an IPv4 address, '' any. (Node takes the
      // resolver's first answer, often ::1 for localhost, where a Python client cannot reach us.)
      const host = typeof b === 'string' ? undefined : b[0] === '' ? '0.0.0.0' : isIP(b[0]) !== 0 ? b[0] : (await lookup(b[0], { family: 4 })).address;
      if (this.isClosed) throw new StateError('the listener is closed');
      this.server.listen(host === undefined ? { path: b as string, backlog } : { host, port: b[1] as number, backlog });
      await once(this.server, 'listening');
    } catch (err) {
      if (err instanceof StateError) throw err;
      const e = err as NodeJS.ErrnoException;
      const inUse = e.code === 'EADDRINUSE';
      throw new IpcError(`cannot listen on ${describe(b)}: ${inUse ? 'the address is already in use' : e.message}`, inUse ? 'ERR_IPC_ADDRESS_IN_USE' : 'ERR_IPC_LISTEN', { cause: e });
    }
    // As Python's getsockname(): the numeric address and the real port.
    const a = this.server.address();
    if (a !== null && typeof a === 'object') this.bound = [a.address, a.port];
  }

  private onSocket(socket: Socket): void {
    if (this.isClosed) return void socket.destroy();
    this.pending.add(socket);
    void authenticate(socket, this.options, 'server').then(
      (conn) => {
        // Accepted: from now on it belongs to the caller, and outlives the listener (as in Python).
        this.pending.delete(socket);
        this.deliver({ conn });
      },
      (error: Error) => {
        socket.destroy();
        this.deliver({ error });
      },
    );
    socket.once('close', () => this.pending.delete(socket));
  }

  private deliver(r: Ready): void {
    const w = this.waiters.shift();
    if (w) return w(r);
    this.queue.push(r);
    // Failed handshakes wait for accept() to report them, but a flood of bad clients with nobody
    // accepting must not grow memory for ever: past the bound the oldest failure is dropped.
    if ('error' in r && ++this.queuedFailures > MAX_QUEUED_FAILURES) {
      this.queue.splice(this.queue.findIndex((q) => 'error' in q), 1);
      this.queuedFailures--;
    }
  }
}

/** Python's `multiprocessing.connection.Client(address, authkey)`: connects to a Listener (ours or Python's). */
export async function Client(address: Address, options: ConnectionOptions = {}): Promise<Connection> {
  const checked = checkOptions(options);
  const where = checkAddress(address);
  const socket = typeof where === 'string' ? createConnection(where) : createConnection(where[1], where[0]);
  try {
    await once(socket, 'connect');
  } catch (err) {
    // once() rejects with the socket's error: ours names the address and keeps it as the cause.
    socket.destroy();
    const e = err as NodeJS.ErrnoException;
    throw new IpcError(`cannot connect to ${describe(where)}: ${e.code ?? e.message}`, 'ERR_IPC_CONNECT', { cause: e });
  }
  return authenticate(socket, checked, 'client');
}

async function authenticate(socket: Socket, options: ConnectionOptions, side: 'server' | 'client'): Promise<Connection> {
  const end = new SocketEnd(socket, { maxFrame: options.maxMessage, pickles: options.serializer !== 'v8' });
  const conn = new Connection(end);
  if (options.authkey === undefined) return conn;
  const key = Buffer.from(options.authkey);
  const ms = options.handshakeTimeout ?? 10_000;
  const io: FrameIO = {
    send: (bytes) => end.sendSync(bytes),
    recv: async () => {
      const r = await end.recv(ms, undefined);
      if (r === 'timeout') throw new TimeoutError(`the peer did not finish the handshake within ${ms} ms`);
      if (r === 'eof') throw new IpcError('the peer closed the connection during the handshake', 'ERR_IPC_HANDSHAKE');
      if (!(r instanceof Uint8Array)) throw new IpcError('a socket brought a moved value', 'ERR_IPC_HANDSHAKE'); // never: only pipe ends move
      return r;
    },
  };
  try {
    if (side === 'server') {
      await deliverChallenge(io, key);
      await answerChallenge(io, key);
    } else {
      await answerChallenge(io, key);
      await deliverChallenge(io, key);
    }
  } catch (err) {
    end.close();
    throw err;
  }
  return conn;
}

function checkOptions(options: ConnectionOptions): ConnectionOptions {
  if (options === null || typeof options !== 'object') throw new ArgumentError('options must be an object');
  const { authkey, serializer, maxMessage, handshakeTimeout } = options;
  if (authkey !== undefined && typeof authkey !== 'string' && !(authkey instanceof Uint8Array)) throw new ArgumentError('authkey must be bytes (a Uint8Array) or a string');
  if (serializer !== undefined && serializer !== 'pickle' && serializer !== 'v8') throw new ArgumentError(`serializer must be 'pickle' or 'v8', not ${String(serializer)}`);
  if (maxMessage !== undefined && (!Number.isInteger(maxMessage) || maxMessage <= 0)) throw new ArgumentError('maxMessage must be a positive integer');
  if (handshakeTimeout !== undefined && !(handshakeTimeout > 0)) throw new ArgumentError('handshakeTimeout must be a positive number of ms');
  return { ...options, maxMessage: maxMessage ?? 64 << 20 };
}

function checkAddress(address: Address): Address {
  if (typeof address === 'string' && address.length > 0) return address;
  if (Array.isArray(address) && address.length === 2 && typeof address[0] === 'string' && Number.isInteger(address[1]) && address[1] >= 0 && address[1] < 65536) return [address[0], address[1]];
  throw new ArgumentError(`an address is a Unix socket path or [host, port], not ${JSON.stringify(address)}`);
}

function describe(a: Address): string {
  return typeof a === 'string' ? a : `${a[0]}:${a[1]}`;
}
