import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { decodeSync } from '../codec.js';
import { ModuleNotLoadedError, SerializationError, TimeoutError, WorkerCrashedError } from '../errors.js';
import { perHeap } from '../_global.js';
import { identity } from './_client.js';
import type { ServedRef } from './server.js';

/** What the calling thread asks its helper thread. */
export type BridgeRequest =
  | { t: 'call'; id: number; address: string; object: string; token: string; op: string; args: unknown }
  | { t: 'cancel' | 'ack' | 'nack'; id: number };

/** What the helper thread answers: a reply's codec tree, not yet decoded. */
export interface BridgeReply {
  id: number;
  ok: boolean;
  tree: unknown;
  needsAck: boolean;
}

/**
 * Slots of the shared signal: [0] bumped at every reply posted, [1] set once the helper thread has
 * ended, [2] bumped at every ack or nack the helper thread has written to its socket.
 */
export const SEQ = 0;
export const DEAD = 1;
export const ANSWERED = 2;

/** How long a thread that ends waits for its last acks to be written (they are written within a turn of the helper's loop). */
const EXIT_WAIT_MS = 2000;

interface Bridge {
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly flags: Int32Array;
  nextId: number;
  /** Acks and nacks posted to the helper thread. */
  answers: number;
}

const state = perHeap<{ bridge: Bridge | undefined; waitsAtExit: boolean }>('brokerSyncBridge', () => ({ bridge: undefined, waitsAtExit: false }));

// A separate build entry next to the built chunk, as the thread runtime's worker.js.
const WORKER_URL = new URL('./broker-sync-worker.js', import.meta.url);

function bridge(): Bridge {
  const live = state.bridge;
  if (live !== undefined && Atomics.load(live.flags, DEAD) === 0) return live;
  const { port1, port2 } = new MessageChannel();
  const flags = new Int32Array(new SharedArrayBuffer(12));
  const worker = new Worker(WORKER_URL, {
    workerData: { port: port2, flags, identity: identity() },
    transferList: [port2],
    name: '@ipc/core broker callSync',
  });
  // Never keeps the process alive; read only with receiveMessageOnPort, so no listener on the port.
  worker.unref();
  worker.on('error', () => undefined);
  worker.once('exit', () => {
    Atomics.store(flags, DEAD, 1);
    if (state.bridge?.worker === worker) state.bridge = undefined;
  });
  const created: Bridge = { worker, port: port1, flags, nextId: 0, answers: 0 };
  state.bridge = created;
  return created;
}

/**
 * Performs a call with this thread blocked on `Atomics.wait` while the
 * helper thread does the socket I/O; returns the decoded result or throws.
 */
export function callThroughBridge(ref: ServedRef, op: string, args: unknown, timeout: number | null | undefined): unknown {
  const b = bridge();
  const id = ++b.nextId;
  b.port.postMessage({ t: 'call', id, address: ref.address, object: ref.id, token: ref.token, op, args } satisfies BridgeRequest);
  const deadline = timeout == null ? Infinity : performance.now() + timeout;
  for (;;) {
    const seen = Atomics.load(b.flags, SEQ);
    const got = receiveMessageOnPort(b.port);
    if (got !== undefined) {
      const reply = got.message as BridgeReply;
      if (reply.id === id) return settle(b, reply);
      // The reply to an earlier call that timed out here: refused, so an item in it goes home.
      if (reply.needsAck) answer(b, 'nack', reply.id);
      continue;
    }
    if (Atomics.load(b.flags, DEAD) === 1) throw new WorkerCrashedError('the helper thread of callSync ended unexpectedly', null, null);
    const left = deadline - performance.now();
    if (left <= 0) {
      b.port.postMessage({ t: 'cancel', id } satisfies BridgeRequest);
      throw new TimeoutError(`the remote call '${op}' timed out after ${timeout} ms`);
    }
    Atomics.wait(b.flags, SEQ, seen, left === Infinity ? undefined : left);
  }
}

function settle(b: Bridge, reply: BridgeReply): unknown {
  let value: unknown;
  try {
    value = decodeSync(reply.tree, 'process');
  } catch (err) {
    if (reply.needsAck) answer(b, 'nack', reply.id);
    // A module decodeSync could not load at once says so itself (refused, an item in it went home).
    if (err instanceof ModuleNotLoadedError) throw err;
    throw new SerializationError(
      `the reply cannot be rebuilt in this thread (${(err as Error).message})`,
      'result',
      { cause: err },
    );
  }
  if (reply.needsAck) answer(b, 'ack', reply.id);
  if (!reply.ok) throw value;
  return value;
}

/**
 * Tells the home (through the helper thread) that an item was received, or refused. A thread that
 * ends right after must not lose it — the home would give the item to another caller as well — so
 * the first one makes this thread wait at its exit until the helper has written them all.
 */
function answer(b: Bridge, t: 'ack' | 'nack', id: number): void {
  b.port.postMessage({ t, id } satisfies BridgeRequest);
  b.answers++;
  if (!state.waitsAtExit) {
    state.waitsAtExit = true;
    process.once('exit', waitForAnswers);
  }
}

function waitForAnswers(): void {
  const b = state.bridge;
  if (b === undefined) return;
  const end = performance.now() + EXIT_WAIT_MS;
  for (;;) {
    const written = Atomics.load(b.flags, ANSWERED);
    if (written >= b.answers || Atomics.load(b.flags, DEAD) === 1) return;
    const left = end - performance.now();
    if (left <= 0) return;
    Atomics.wait(b.flags, ANSWERED, written, left);
  }
}
