import { decode, decodeSync, encode } from '../codec.js';
import { ArgumentError, StateError, TimeoutError } from '../errors.js';
import { connectionTo, freshTree, type Connection, type RawReply } from './_client.js';
import { callThroughBridge } from './_sync-bridge.js';
import { armTimeout } from '../_timers.js';
import { brokerAddress, type ServedRef } from './server.js';

export interface RemoteCallOptions {
  /** Milliseconds to wait for the reply before rejecting with `TimeoutError` (the home's operation is aborted). */
  timeout?: number | null;
  /** Aborting rejects with the signal's reason and aborts the home's operation. */
  signal?: AbortSignal;
  /**
   * Writes the call at once rather than with the rest of this tick's calls:
   * for a call that must reach the home even if this thread then runs long
   * without yielding (a queue consumer ending its lease).
   */
  flush?: boolean;
}

/** A served object as another process reaches it. */
export interface RemoteObject {
  /** The reference it was made from. */
  readonly ref: ServedRef;
  /** Performs `op` at the object's home and resolves with its result, or rejects with its error (same class and code). */
  call(op: string, args?: readonly unknown[], options?: RemoteCallOptions): Promise<unknown>;
  /**
   * As `call`, blocking the calling thread until the reply (for sync twins:
   * `acquireSync`, `getSync`, `recvSync`). A helper thread does the I/O.
   */
  callSync(op: string, args?: readonly unknown[], options?: { timeout?: number | null }): unknown;
  /** Makes later calls fail with `StateError`; calls under way finish. */
  close(): void;
}

/**
 * Reaches a served object from another process (or another thread) through
 * its home's broker. Connections are shared by every remote object of a
 * home, opened on first call.
 */
export function connectRemote(ref: ServedRef): RemoteObject {
  if (ref === null || typeof ref !== 'object' || typeof ref.address !== 'string' || typeof ref.id !== 'string' || typeof ref.token !== 'string') {
    throw new ArgumentError('connectRemote() takes a served reference { address, id, token }');
  }
  return new Remote({ address: ref.address, id: ref.id, token: ref.token });
}

class Remote implements RemoteObject {
  private closed = false;

  constructor(readonly ref: ServedRef) {}

  call(op: string, args: readonly unknown[] = [], options: RemoteCallOptions = {}): Promise<unknown> {
    const { timeout, signal, flush = false } = options;
    let tree: unknown;
    let conn: Connection;
    try {
      this.check(op, args, timeout);
      tree = encode(args, 'process', 'args').tree;
      conn = connectionTo(this.ref.address);
      if (conn.gone !== undefined) throw conn.gone;
    } catch (err) {
      return Promise.reject(asError(err));
    }
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    return new Promise<unknown>((resolve, reject) => {
      let disarm: (() => void) | undefined;
      let callId = 0;
      const onAbort = (): void => {
        cleanup();
        conn.cancel(callId, 'abort');
        reject(signal!.reason as Error);
      };
      const cleanup = (): void => {
        disarm?.();
        signal?.removeEventListener('abort', onAbort);
      };
      try {
        callId = conn.call(this.ref.id, this.ref.token, op, tree, {
          settle: (reply, id) => {
            cleanup();
            settle(conn, reply, id, resolve, reject);
          },
          gone: (err) => {
            cleanup();
            reject(err);
          },
        }, flush);
      } catch (err) {
        reject(asError(err));
        return;
      }
      if (timeout != null) {
        disarm = armTimeout(timeout, () => {
          cleanup();
          conn.cancel(callId, 'timeout');
          reject(new TimeoutError(`the remote call '${op}' timed out after ${timeout} ms`));
        });
      }
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  callSync(op: string, args: readonly unknown[] = [], options: { timeout?: number | null } = {}): unknown {
    const { timeout } = options;
    this.check(op, args, timeout);
    if (this.ref.address === brokerAddress()) {
      throw new StateError(`callSync('${op}') would wait on this very thread, which serves the object: use call(), or the object itself`);
    }
    const tree = encode(args, 'process', 'args').tree;
    return callThroughBridge(this.ref, op, tree, timeout);
  }

  close(): void {
    this.closed = true;
  }

  private check(op: string, args: readonly unknown[], timeout: number | null | undefined): void {
    if (this.closed) throw new StateError('the remote object is closed');
    if (typeof op !== 'string') throw new ArgumentError('op must be a string');
    if (!Array.isArray(args)) throw new ArgumentError('args must be an array');
    if (timeout != null && (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0)) {
      throw new ArgumentError(`timeout must be a number of milliseconds ≥ 0, not ${String(timeout)}`);
    }
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * Decodes a reply and settles the call. A reply that carried an item is
 * acknowledged before the caller's code can see the item, and refused if it
 * cannot be decoded here, so that its home takes the item back.
 */
function settle(conn: Connection, reply: RawReply, callId: number, resolve: (v: unknown) => void, reject: (e: unknown) => void): void {
  let value: unknown;
  try {
    value = decodeSync(reply.tree, 'process');
  } catch {
    // Modules to load first (a handle or task type new to this heap).
    decode(freshTree(reply), 'process').then(
      (v) => {
        if (reply.needsAck) conn.ack(callId, true);
        (reply.ok ? resolve : reject)(v);
      },
      (err: unknown) => {
        if (reply.needsAck) conn.nack(callId);
        reject(err);
      },
    );
    return;
  }
  // The ack's write is queued with process.nextTick, which runs before the promise reactions of the caller.
  if (reply.needsAck) conn.ack(callId);
  (reply.ok ? resolve : reject)(value);
}
