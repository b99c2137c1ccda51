/**
 * A heap's connection to a manager: one per manager address, opened on the
 * first call, shared by every proxy of that manager in this heap. When the
 * manager goes away every call under way fails with `ManagerGoneError`, and
 * so do later ones (each tries to connect again first).
 */
import { EOFError } from '@ipc/core';
import { BrokenPipeError, Client, type Connection } from '@ipc/pipe';
import { ManagerGoneError } from '../errors.js';
import { DoorSlot, decodeMessage, encodeMessage } from './_door.js';
import type { Cancel, Reply, Request, Target } from './_protocol.js';

/** Tells the host a request waits at the door (it was not watching it). */
const BELL: Request = { c: 0, o: 0, op: 'bell', a: [] };

export interface CallOptions {
  /** Aborting rejects the call with the signal's reason and stops it at the manager. */
  signal?: AbortSignal;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
}

class Link {
  private readonly conn: Promise<Connection>;
  /** The connection, once made. */
  private ready: Connection | undefined;
  private readonly where: string;
  private readonly pending = new Map<number, Pending>();
  private nextCall = 1;
  private gone: Error | undefined;
  /** This heap's slot of the host's reply door, when the host is a thread of this process (see _door.ts). */
  private slot: DoorSlot | undefined;
  private doorTurn = false;
  private readonly endDoorTurn = (): void => {
    this.doorTurn = false;
  };

  constructor(
    private readonly key: string,
    target: Target,
  ) {
    const where = (this.where = describe(target));
    const slot = (this.slot = target.door === undefined ? undefined : DoorSlot.claim(target.door));
    this.conn = Client(target.address, { authkey: target.authkey === undefined ? undefined : Buffer.from(target.authkey, 'hex'), serializer: 'v8' }).catch((err: unknown) => {
      links.delete(this.key);
      // The host never heard of the slot: free it here.
      slot?.free(slot.owner);
      this.slot = undefined;
      if ((err as { code?: unknown } | null)?.code === 'ERR_IPC_AUTHENTICATION') throw err;
      throw new ManagerGoneError(`cannot reach the manager at ${where}: ${(err as Error).message}`, { cause: err });
    });
    this.conn.then(
      (conn) => {
        // Names the slot before any call can use it (no reply comes).
        if (slot !== undefined) conn.sendSync({ c: 0, o: 0, op: 'door', a: [slot.index, slot.owner] } satisfies Request);
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
  call(object: number, op: string, args: unknown[], options?: CallOptions, quick = false): Promise<unknown> {
    const conn = this.ready;
    if (conn === undefined || options?.signal !== undefined) return this.callSlow(object, op, args, options?.signal);
    if (this.gone !== undefined) return Promise.reject(this.gone);
    if (quick && this.slot !== undefined && !this.doorTurn) {
      // One call a turn blocks at the door: the rest of a burst sent in one go (none awaited) goes out together, as before.
      this.doorTurn = true;
      queueMicrotask(this.endDoorTurn);
      return this.callThroughDoor(conn, this.slot, object, op, args);
    }
    const c = this.nextCall++;
    let pending!: Pending;
    const promise = new Promise<unknown>((resolve, reject) => (pending = { resolve, reject }));
    this.pending.set(c, pending);
    this.send(conn, c, { c, o: object, op, a: args });
    return promise;
  }

  /**
   * A call that never waits at the manager (a list's append, a dict's get) from
   * a thread of the host's process: the request goes through the door when no
   * call of this heap is under way on the socket (else on the socket, so calls
   * keep their order), and this thread blocks briefly in `Atomics.wait` for the
   * reply at the door. If it is not there in time, a request the host has not
   * taken goes on the socket, and the reply comes there, as for any call.
   */
  private callThroughDoor(conn: Connection, slot: DoorSlot, object: number, op: string, args: unknown[]): Promise<unknown> {
    const c = this.nextCall++;
    let request: Uint8Array;
    try {
      request = encodeMessage({ c, o: object, op, a: args } satisfies Request);
    } catch (err) {
      // A request that cannot be copied: nothing is sent.
      return Promise.reject(asError(err));
    }
    slot.expect(c);
    const door = this.pending.size === 0 ? slot.post(c, request) : 'socket';
    const posted = door !== 'socket';
    try {
      if (door === 'ring') conn.sendSync(BELL);
      else if (!posted) conn.sendBytesSync(request);
      // Out now: this thread is about to block, and the socket would write it at the end of the tick.
      if (door !== 'posted') conn.flush();
    } catch (err) {
      // The connection broke (nothing else can fail here): the manager is gone, unless the host already took the request.
      if (!posted || slot.withdraw(c)) {
        slot.expect(0);
        return Promise.reject(err instanceof BrokenPipeError ? this.fail(conn, err) : asError(err));
      }
    }
    const got = slot.wait(c, posted);
    if (got === 'lost') return Promise.reject(this.fail(conn, new Error('its thread ended while answering')));
    if (got === 'socket' || got === 'withdrawn') {
      let pending!: Pending;
      const promise = new Promise<unknown>((resolve, reject) => (pending = { resolve, reject }));
      this.pending.set(c, pending);
      if (got === 'withdrawn') this.send(conn, c, request);
      return promise;
    }
    let reply: unknown;
    try {
      reply = decodeMessage(got);
    } catch (err) {
      return Promise.reject(asError(err));
    }
    return reply instanceof Promise ? reply.then(settled) : settled(reply as Reply);
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

  /** Sends a request (or one already encoded) at once (the socket buffers it): no wait for the socket to drain. */
  private send(conn: Connection, c: number, req: Request | Uint8Array): void {
    try {
      if (req instanceof Uint8Array) conn.sendBytesSync(req);
      else conn.sendSync(req);
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
    // The host frees the slot when the connection ends.
    this.slot = undefined;
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
  private fail(conn: Connection, err: unknown): Error {
    if (this.gone !== undefined) return this.gone;
    const why = err instanceof EOFError || err instanceof BrokenPipeError || conn.closed ? 'it has shut down, or its host went away' : (err as Error).message;
    this.gone = new ManagerGoneError(`the manager at ${this.where} is gone: ${why}`, { cause: err });
    if (links.get(this.key) === this) links.delete(this.key);
    this.slot = undefined;
    conn.close();
    for (const p of this.pending.values()) p.reject(this.gone);
    this.pending.clear();
    return this.gone;
  }
}

const links = new Map<string, Link>();

function settled(reply: Reply): Promise<unknown> {
  return reply.ok ? Promise.resolve(reply.v) : Promise.reject(asError(reply.v));
}

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
export function callManager(target: Target, object: number, op: string, args: unknown[], options?: CallOptions, quick?: boolean): Promise<unknown> {
  let key = keys.get(target);
  if (key === undefined) keys.set(target, (key = keyOf(target)));
  let link = links.get(key);
  if (link === undefined) links.set(key, (link = new Link(key, target)));
  return link.call(object, op, args, options, quick);
}

/** Closes this heap's connection to the manager at `target` (proxies reconnect on their next call). */
export function closeLink(target: Target): void {
  links.get(keyOf(target))?.close();
}
