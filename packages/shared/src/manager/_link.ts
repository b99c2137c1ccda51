/**
 * A heap's connection to a manager: one per manager address, opened on the
 * first call, shared by every proxy of that manager in this heap. When the
 * manager goes away every call under way fails with `ManagerGoneError`, and
 * so do later ones (each tries to connect again first).
 */
import { EOFError } from '@ipc/core';
import { BrokenPipeError, Client, type Connection } from '@ipc/pipe';
import { ManagerGoneError } from '../errors.js';
import type { Cancel, Reply, Request, Target } from './_protocol.js';

export interface CallOptions {
  /** Aborting rejects the call with the signal's reason and stops it at the manager. */
  signal?: AbortSignal;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

class Link {
  private readonly conn: Promise<Connection>;
  /** The connection, once made. */
  private ready: Connection | undefined;
  private readonly where: string;
  private readonly pending = new Map<number, Pending>();
  private nextCall = 1;
  private gone: Error | undefined;

  constructor(
    private readonly key: string,
    target: Target,
  ) {
    const where = (this.where = describe(target));
    this.conn = Client(target.address, { authkey: target.authkey === undefined ? undefined : Buffer.from(target.authkey, 'hex'), serializer: 'v8' }).catch((err: unknown) => {
      links.delete(this.key);
      if ((err as { code?: unknown } | null)?.code === 'ERR_IPC_AUTHENTICATION') throw err;
      throw new ManagerGoneError(`cannot reach the manager at ${where}: ${(err as Error).message}`, { cause: err });
    });
    this.conn.then(
      (conn) => {
        this.ready = conn;
        void this.readLoop(conn);
      },
      () => undefined,
    );
  }

  /**
   * Once connected, a call without a signal is one request written at once and
   * one promise settled by the reply: no `await` before the send (each is a
   * turn of the microtask queue), no closure but the promise's own.
   */
  call(object: number, op: string, args: unknown[], options?: CallOptions): Promise<unknown> {
    const conn = this.ready;
    if (conn === undefined || options?.signal !== undefined) return this.callSlow(object, op, args, options?.signal);
    if (this.gone !== undefined) return Promise.reject(this.gone);
    const c = this.nextCall++;
    let pending!: Pending;
    const promise = new Promise<unknown>((resolve, reject) => (pending = { resolve, reject }));
    this.pending.set(c, pending);
    this.send(conn, c, { c, o: object, op, a: args });
    return promise;
  }

  /** A call before the connection is made, or with a signal. */
  private async callSlow(object: number, op: string, args: unknown[], signal: AbortSignal | undefined): Promise<unknown> {
    signal?.throwIfAborted();
    const conn = this.ready ?? (await this.conn);
    if (this.gone !== undefined) throw this.gone;
    signal?.throwIfAborted();
    const c = this.nextCall++;
    return new Promise<unknown>((resolve, reject) => {
      const onAbort = (): void => {
        this.pending.delete(c);
        conn.send({ c, cancel: true } satisfies Cancel).catch(() => undefined);
        reject(asError(signal!.reason));
      };
      this.pending.set(c, {
        resolve: (v) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(v);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.send(conn, c, { c, o: object, op, a: args });
    });
  }

  /** Sends a request at once (the socket buffers it): no wait for the socket to drain. */
  private send(conn: Connection, c: number, req: Request): void {
    try {
      conn.sendSync(req);
    } catch (err) {
      // The connection broke under the send: as the reader would find, the manager is gone.
      if (err instanceof BrokenPipeError) return void this.fail(conn, err);
      const p = this.pending.get(c);
      this.pending.delete(c);
      p?.reject(asError(err));
    }
  }

  close(): void {
    links.delete(this.key);
    this.conn.then(
      (conn) => conn.close(),
      () => undefined,
    );
  }

  private async readLoop(conn: Connection): Promise<void> {
    try {
      for (;;) {
        this.dispatch(await conn.recv<Reply>());
        // What arrived with it is taken now, without a promise turn each.
        while (conn.pollSync(0)) this.dispatch(conn.recvSync<Reply>());
      }
    } catch (err) {
      this.fail(conn, err);
    }
  }

  private dispatch(reply: Reply): void {
    const p = this.pending.get(reply.c);
    if (p === undefined) return; // a cancelled call's
    this.pending.delete(reply.c);
    if (reply.ok) p.resolve(reply.v);
    else p.reject(asError(reply.v));
  }

  /** The connection broke: the manager is gone for every call under way and to come. */
  private fail(conn: Connection, err: unknown): void {
    if (this.gone !== undefined) return;
    const why = err instanceof EOFError || err instanceof BrokenPipeError || conn.closed ? 'it has shut down, or its host went away' : (err as Error).message;
    this.gone = new ManagerGoneError(`the manager at ${this.where} is gone: ${why}`, { cause: err });
    if (links.get(this.key) === this) links.delete(this.key);
    conn.close();
    for (const p of this.pending.values()) p.reject(this.gone);
    this.pending.clear();
  }
}

const links = new Map<string, Link>();

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

function describe(target: Target): string {
  return typeof target.address === 'string' ? target.address : `${target.address[0]}:${target.address[1]}`;
}

function keyOf(target: Target): string {
  return `${JSON.stringify(target.address)}#${target.authkey ?? ''}`;
}

/** Each target's key, made once: a call should not stringify an address. */
const keys = new WeakMap<Target, string>();

/** Performs `op` on object `object` of the manager at `target`. */
export function callManager(target: Target, object: number, op: string, args: unknown[], options?: CallOptions): Promise<unknown> {
  let key = keys.get(target);
  if (key === undefined) keys.set(target, (key = keyOf(target)));
  let link = links.get(key);
  if (link === undefined) links.set(key, (link = new Link(key, target)));
  return link.call(object, op, args, options);
}

/** Closes this heap's connection to the manager at `target` (proxies reconnect on their next call). */
export function closeLink(target: Target): void {
  links.get(keyOf(target))?.close();
}
