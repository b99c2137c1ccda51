import type { MessagePort } from 'node:worker_threads';
import { encode } from '../codec.js';
import { adoptIdentity, type CallerIdentity, type Connection, connectionTo } from './_client.js';
import { ANSWERED, type BridgeReply, type BridgeRequest, DEAD, SEQ } from './_sync-bridge.js';

/** What the helper thread is started with (its workerData). */
export interface SyncBridgeData {
  port: MessagePort;
  flags: Int32Array;
  identity: CallerIdentity;
}

interface Sent {
  readonly conn: Connection;
  readonly callId: number;
}

/**
 * The helper thread of `RemoteObject.callSync` (run by the broker-sync-worker
 * build entry): it does the socket I/O for a thread blocked on `Atomics.wait`,
 * under that thread's identity, and hands it each reply through the port.
 */
export function serveSyncBridge({ port, flags, identity }: SyncBridgeData): void {
  adoptIdentity(identity);
  /** Calls on the wire, and replies with an item handed over but not yet acknowledged by the blocked thread, by bridge id. */
  const inFlight = new Map<number, Sent>();
  const handedOver = new Map<number, Sent>();

  const post = (reply: BridgeReply): void => {
    port.postMessage(reply);
    Atomics.add(flags, SEQ, 1);
    Atomics.notify(flags, SEQ);
  };

  /** An ack or nack is on the wire: a thread waiting at its exit for it may go. */
  const answered = (): void => {
    Atomics.add(flags, ANSWERED, 1);
    Atomics.notify(flags, ANSWERED);
  };

  const postError = (id: number, err: unknown): void => {
    let tree: unknown;
    try {
      tree = encode(err, 'process', 'error').tree;
    } catch {
      tree = encode(new Error(String(err)), 'process', 'error').tree;
    }
    post({ id, ok: false, tree, needsAck: false });
  };

  port.on('message', (req: BridgeRequest) => {
    switch (req.t) {
      case 'call': {
        const conn = connectionTo(req.address);
        try {
          if (conn.gone !== undefined) throw conn.gone;
          const callId = conn.call(req.object, req.token, req.op, req.args, {
            settle: (reply, wireId) => {
              inFlight.delete(req.id);
              if (reply.needsAck) handedOver.set(req.id, { conn, callId: wireId });
              post({ id: req.id, ok: reply.ok, tree: reply.tree, needsAck: reply.needsAck });
            },
            gone: (err) => {
              inFlight.delete(req.id);
              postError(req.id, err);
            },
          });
          inFlight.set(req.id, { conn, callId });
        } catch (err) {
          postError(req.id, err);
        }
        return;
      }
      case 'cancel': {
        const sent = inFlight.get(req.id);
        inFlight.delete(req.id);
        sent?.conn.cancel(sent.callId, 'timeout');
        return;
      }
      case 'ack':
      case 'nack': {
        const sent = handedOver.get(req.id);
        handedOver.delete(req.id);
        if (sent === undefined) return answered();
        if (req.t === 'ack') sent.conn.ack(sent.callId);
        else sent.conn.nack(sent.callId);
        sent.conn.afterWritten(answered);
        return;
      }
    }
  });

  // However this thread ends, the blocked thread must not wait for it.
  process.once('exit', () => {
    Atomics.store(flags, DEAD, 1);
    Atomics.notify(flags, SEQ);
  });
}
