import type { Server } from 'node:net';
import { nodeCrypto, nodeNet } from '../_builtins.js';
import { perHeap } from '../_global.js';
import { ArgumentError } from '../errors.js';
import { Session, type Entry, type Home } from './_session.js';
import { socketPlace } from './_socket-path.js';

/** Who is calling: one remote heap (a thread of another process), as the home sees it. */
export interface BrokerCaller {
  /**
   * A heap id claimed in this process's heap registry for the remote heap:
   * record it as the owner of what the caller holds; `isHeapAlive(heapId)`
   * turns false once the caller is gone.
   */
  readonly heapId: number;
  /** The caller's OS process id. */
  readonly pid: number;
  /** The caller's thread id in its process (0 for a main thread). */
  readonly threadId: number;
  /** A number unique to this caller at this home: one per remote heap, shared by the connections that heap opens. */
  readonly connectionId: number;
}

/** An object that other processes reach through this heap's broker. */
export interface Served {
  /**
   * Performs one operation for a remote caller and returns (or resolves with)
   * its result; a thrown error reaches the caller with its class and code.
   * Return `acknowledged(value, undelivered)` for a result that carries an
   * item out of this heap. `signal` aborts when the caller cancels, times out
   * or goes away.
   */
  call(op: string, args: readonly unknown[], caller: BrokerCaller, signal: AbortSignal): unknown;
  /** The caller went away (its process died, or its thread ended): release what it held. */
  callerGone?(caller: BrokerCaller): void;
}

/** Plain data naming a served object: what a handle's 'process' descriptor carries. */
export interface ServedRef {
  /** The broker's address: a Unix socket path (a named pipe on Windows). */
  readonly address: string;
  readonly id: string;
  /** The secret a caller presents to reach the object. */
  readonly token: string;
}

/** What `serve` returns: the reference (plain, enumerable data only) and a way to stop serving. */
export interface Serving extends ServedRef {
  /** Stops serving: later calls fail with `UnreachableError`; calls under way finish. */
  unserve(): void;
}

interface HomeState extends Home {
  readonly address: string;
  readonly server: Server;
  readonly objects: Map<string, Entry>;
  nextId: number;
  readonly cleanup: () => void;
  readonly exitCleanup: () => void;
}

const state = perHeap<{ home: HomeState | undefined }>('brokerHome', () => ({ home: undefined }));

/**
 * Serves an object to other processes through this heap's broker, started on
 * first use: a Unix socket in a private directory (mode 0700) that never
 * keeps the process alive by itself and is removed when the process exits.
 */
export function serve(target: Served): Serving {
  if (target === null || typeof target !== 'object' || typeof target.call !== 'function') {
    throw new ArgumentError('serve() takes an object with a call(op, args, caller, signal) method');
  }
  const home = (state.home ??= startHome());
  const id = String(++home.nextId);
  const token = nodeCrypto().randomBytes(16);
  const entry: Entry = { id, target, token };
  home.objects.set(id, entry);
  const ref = { address: home.address, id, token: token.toString('hex') };
  // Not enumerable, so the object crosses (and spreads) as its plain reference.
  Object.defineProperty(ref, 'unserve', {
    value: () => {
      if (home.objects.get(id) === entry) home.objects.delete(id);
    },
  });
  return ref as Serving;
}

/** The served object a reference names when it is served by this very heap, else undefined: a handle rebuilt at home uses it directly. */
export function servedHere(ref: ServedRef): Served | undefined {
  const home = state.home;
  if (home === undefined || ref.address !== home.address) return undefined;
  const entry = home.objects.get(ref.id);
  return entry !== undefined && tokenMatches(entry, ref.token) ? entry.target : undefined;
}

/**
 * Stops this heap's broker: every served object becomes unreachable, remote
 * callers' pending and later calls fail with `BrokerGoneError`, and each
 * caller counts as gone (`callerGone`, `undelivered`). A later `serve()`
 * starts a new broker at a new address. The broker also stops by itself
 * when the process exits.
 */
export function closeBroker(): void {
  const home = state.home;
  if (home === undefined) return;
  state.home = undefined;
  home.objects.clear();
  for (const session of [...home.sessions]) session.destroy();
  home.cleanup();
  process.removeListener('exit', home.exitCleanup);
}

/** This heap's broker address, or undefined before its first `serve()`. */
export function brokerAddress(): string | undefined {
  return state.home?.address;
}

export function tokenMatches(entry: Entry, token: unknown): boolean {
  if (typeof token !== 'string') return false;
  const given = Buffer.from(token, 'hex');
  return given.length === entry.token.length && nodeCrypto().timingSafeEqual(given, entry.token);
}

function startHome(): HomeState {
  const { address, remove } = socketPlace();
  const server = nodeNet().createServer((socket) => void new Session(socket, home));
  const home: HomeState = {
    address,
    server,
    objects: new Map(),
    sessions: new Set(),
    nextId: 0,
    lookup: (id) => home.objects.get(id),
    tokenMatches,
    cleanup: () => {
      server.close();
      remove(false);
    },
    exitCleanup: () => {
      server.close();
      remove(true);
    },
  };
  server.on('error', (err) => process.emitWarning(`@ipc/core broker at ${address}: ${err.message}`));
  // Binding a Unix socket is synchronous, so the address works as soon as serve() returns.
  server.listen(address);
  server.unref();
  process.once('exit', home.exitCleanup);
  return home;
}
