/**
 * The manager's server: a Listener of @ipc/pipe (Python's handshake when an
 * authkey is set) whose connections send requests `(call, object, op, args)`
 * and get replies; calls of one connection run concurrently, so a waiting
 * `acquire` does not hold up the others.
 */
import { randomInt } from 'node:crypto';
import { StateError, decodePlain } from '@ipc/core';
import type { Listener} from '@ipc/pipe';
import { type Address, type Connection } from '@ipc/pipe';
import { ArrayObj, BarrierObj, ConditionObj, DictObj, EventObj, ListObj, LockObj, NamespaceObj, QueueObj, SemaphoreObj, ValueObj, type Caller, type Held } from './_objects.js';
import { DoorSlot, DoorWatch, encodeMessage } from './_door.js';
import type { Cancel, Kind, Reply, Request } from './_protocol.js';

/** How long the host watches the door after a request, for the next one (a caller in a loop sends it within tens of µs). */
const WATCH_MS = 0.05;
/** The longest the host watches the door at a time, before its event loop takes a turn. */
const WATCH_TURN_MS = 1;

export class ManagerServer {
  private readonly objects = new Map<number, Held>();
  private readonly names = new Map<string, { kind: Kind; id: number }>();
  private readonly kinds = new Map<number, Kind>();
  private readonly connections = new Set<Connection>();
  // From a random start: a proxy of an earlier manager at the same address (restarted there)
  // then names no object of this one, and fails, instead of working on another's object.
  private nextObject = 1 + randomInt(2 ** 30);
  private nextConnection = 1;
  private closed = false;
  /** The callers with a slot of the door, by slot. */
  private readonly doorPeers = new Map<number, Peer>();
  private readonly doorWatch: DoorWatch;
  private watching = false;
  /** Resolves when `close()` ran (by the host or by a client's `shutdown` request). */
  readonly done: Promise<void>;
  private markDone!: () => void;

  constructor(
    private readonly listener: Listener,
    /** Where threads of this process may take their replies (see _door.ts). */
    private readonly door: SharedArrayBuffer,
  ) {
    this.done = new Promise((resolve) => (this.markDone = resolve));
    this.doorWatch = new DoorWatch(door);
    void this.acceptLoop();
  }

  get address(): Address {
    return this.listener.address;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.listener.close();
    for (const conn of this.connections) conn.close();
    this.connections.clear();
    this.objects.clear();
    this.markDone();
  }

  private async acceptLoop(): Promise<void> {
    for (;;) {
      let conn: Connection;
      try {
        conn = await this.listener.accept();
      } catch {
        if (this.closed) return;
        continue; // a client that failed the handshake: refused, the others go on
      }
      if (this.closed) {
        conn.close();
        return;
      }
      void this.serve(conn, this.nextConnection++);
    }
  }

  private async serve(conn: Connection, owner: number): Promise<void> {
    this.connections.add(conn);
    const peer: Peer = { conn, owner, calls: new Map(), slot: undefined, slotOwner: 0, gone: false };
    try {
      for (;;) {
        const msg = await conn.recv<Request | Cancel>();
        this.take(peer, msg);
        // What arrived with it is taken now, without a promise turn each.
        while (conn.pollSync(0)) this.take(peer, conn.recvSync<Request | Cancel>());
      }
    } catch {
      // EOF or a broken connection: the caller went away.
    } finally {
      this.connections.delete(conn);
      conn.close();
      peer.gone = true;
      if (peer.slot !== undefined) {
        if (this.doorPeers.get(peer.slot.index) === peer) this.doorPeers.delete(peer.slot.index);
        peer.slot.free(peer.slotOwner);
      }
      const { calls } = peer;
      for (const ac of calls.values()) ac.abort(new StateError('the caller went away'));
      for (const obj of this.objects.values()) obj.ownerGone?.(owner);
    }
  }

  private take(peer: Peer, msg: Request | Cancel): void {
    if ('cancel' in msg) peer.calls.get(msg.c)?.abort(new StateError('cancelled by the caller'));
    else if (msg.o === 0 && msg.op === 'bell') this.watchDoor();
    // A thread of this process names its slot of the door (no reply).
    else if (msg.o === 0 && msg.op === 'door') this.openDoor(peer, msg.a[0], msg.a[1]);
    else this.perform(peer, msg);
  }

  /** Binds a caller to the slot it names, if it holds it: one that took over a dead heap's slot replaces that heap's binding. */
  private openDoor(peer: Peer, index: unknown, owner: unknown): void {
    const slot = DoorSlot.at(this.door, index);
    if (peer.slot !== undefined || slot === undefined || typeof owner !== 'number' || slot.owner !== owner) return;
    const before = this.doorPeers.get(slot.index);
    if (before !== undefined) before.slot = undefined;
    peer.slot = slot;
    peer.slotOwner = owner;
    this.doorPeers.set(slot.index, peer);
  }

  /**
   * Takes the requests waiting at the door, and those that follow within
   * WATCH_MS of the last, for at most WATCH_TURN_MS: callers that see the
   * host watching leave their requests without a word on the socket. Then
   * the event loop takes a turn (this is the user's thread too).
   */
  private watchDoor(): void {
    if (this.watching || this.closed) return;
    this.watching = true;
    this.doorWatch.watching = true;
    const start = performance.now();
    let last = start;
    for (;;) {
      if (this.takeAtDoor() > 0) last = performance.now();
      for (let i = 0; i < 64 && !this.doorWatch.pending; i++);
      const now = performance.now();
      if ((!this.doorWatch.pending && now - last > WATCH_MS) || now - start > WATCH_TURN_MS || this.closed) break;
    }
    this.doorWatch.watching = false;
    this.watching = false;
    // A request left as the watch ended saw the host watching and rang no bell: a last look.
    if (this.takeAtDoor() > 0) setImmediate(() => this.watchDoor());
  }

  /** Performs the requests waiting at the door; how many. */
  private takeAtDoor(): number {
    if (this.closed || !this.doorWatch.lookAtSlots()) return 0;
    let taken = 0;
    for (const peer of this.doorPeers.values()) {
      const got = peer.slot?.take();
      if (got === undefined) continue;
      taken++;
      let req: Request;
      try {
        req = decodePlain(got.bytes) as Request;
      } catch (err) {
        // Not a request: answered with why.
        this.answer(peer, { c: got.c, o: -1, op: '', a: [] }, new CallerOf(got.c, peer), false, err);
        continue;
      }
      this.perform(peer, req);
    }
    return taken;
  }

  /** Performs a call; one that does not wait (a list's append, a dict's get) is answered before this returns, without a promise. */
  private perform(peer: Peer, req: Request): void {
    // Most calls never wait: their controller, which only a waiting call's cancel needs, is made when the object first asks for the signal.
    const caller = new CallerOf(req.c, peer);
    let got: unknown;
    try {
      got = req.o === 0 ? this.manage(req.op, req.a) : this.objectOf(req.o).call(req.op, req.a, caller);
    } catch (err) {
      return this.answer(peer, req, caller, false, err);
    }
    if (got instanceof Promise) {
      (got as Promise<unknown>).then(
        (v) => this.answer(peer, req, caller, true, v),
        (err: unknown) => this.answer(peer, req, caller, false, err),
      );
    } else {
      this.answer(peer, req, caller, true, got);
    }
  }

  private answer(peer: Peer, req: Request, caller: CallerOf, ok: boolean, v: unknown): void {
    const { conn } = peer;
    const ac = caller.controller;
    if (ac !== undefined) caller.calls.delete(req.c);
    if (ac?.signal.aborted === true || conn.closed) return;
    // No `v` for undefined: the smallest reply (plain data travels in core's plain form, see @ipc/pipe).
    const reply: Reply = !ok ? { c: req.c, ok: false, v: asError(v) } : v === undefined ? { c: req.c, ok: true } : { c: req.c, ok: true, v };
    let bytes: Uint8Array;
    try {
      bytes = encodeMessage(reply);
    } catch (err) {
      // A result that cannot be copied back: say so instead.
      try {
        bytes = encodeMessage({ c: req.c, ok: false, v: asError(err) });
      } catch {
        bytes = encodeMessage({ c: req.c, ok: false, v: new Error(String(err)) });
      }
    }
    // A caller thread of this process may be waiting at the door; else sent at once (the
    // socket buffers it), as Python's server does: the async send's wait for the socket to
    // drain cost two promise turns per call, on the one thread that serves every caller.
    if (peer.slot === undefined || !peer.slot.answer(req.c, bytes)) {
      try {
        conn.sendBytesSync(bytes);
      } catch {
        // The connection broke: its reader ends the serving.
      }
    }
    if (req.o === 0 && req.op === 'shutdown') this.close();
  }

  private objectOf(id: number): Held {
    const obj = this.objects.get(id);
    if (obj === undefined) throw new StateError(`the manager has no object ${id} (it was shut down, or the id is wrong)`);
    return obj;
  }

  private manage(op: string, a: unknown[]): unknown {
    switch (op) {
      case 'create': {
        const kind = a[0] as Kind;
        const obj = this.make(kind, a[1] as unknown[]);
        const id = this.nextObject++;
        this.objects.set(id, obj);
        this.kinds.set(id, kind);
        return id;
      }
      case 'publish': {
        const [name, id] = a as [string, number];
        const kind = this.kinds.get(id);
        if (typeof name !== 'string' || kind === undefined) throw new TypeError('publish() takes a name and a proxy of this manager');
        this.names.set(name, { kind, id });
        return;
      }
      case 'lookup': {
        const found = this.names.get(a[0] as string);
        if (found === undefined) throw new RangeError(`the manager has nothing published as '${String(a[0])}'`);
        return found;
      }
      case 'ping':
      case 'shutdown':
        return;
      default:
        throw new StateError(`the manager has no operation '${op}'`);
    }
  }

  private make(kind: Kind, a: unknown[]): Held {
    switch (kind) {
      case 'list':
        return new ListObj(a[0] === undefined ? [] : [...(a[0] as unknown[])]);
      case 'dict':
        return new DictObj(new Map(a[0] as [unknown, unknown][] | undefined));
      case 'Namespace':
        return new NamespaceObj(new Map(Object.entries((a[0] as Record<string, unknown> | undefined) ?? {})));
      case 'Value':
        return new ValueObj(a[0], a[1]);
      case 'Array':
        return new ArrayObj(a[0], a[1]);
      case 'Queue':
      case 'JoinableQueue':
        return new QueueObj((a[0] as number | undefined) ?? 0, kind === 'JoinableQueue');
      case 'Lock':
      case 'RLock':
        return new LockObj(kind === 'RLock');
      case 'Semaphore':
      case 'BoundedSemaphore': {
        const value = (a[0] as number | undefined) ?? 1;
        return new SemaphoreObj(value, kind === 'BoundedSemaphore' ? value : undefined);
      }
      case 'Condition': {
        if (a[0] === undefined) return new ConditionObj(new LockObj(true));
        const lock = this.objects.get(a[0] as number);
        if (!(lock instanceof LockObj)) throw new TypeError('Condition() takes a Lock or RLock of the same manager');
        return new ConditionObj(lock);
      }
      case 'Event':
        return new EventObj();
      case 'Barrier':
        return new BarrierObj(a[0] as number, a[1] as number | undefined);
      default:
        throw new TypeError(`a manager cannot make a '${String(kind)}'`);
    }
  }
}

/** What an object learns of the call it performs: its owner, and a signal made only if asked for. */
class CallerOf implements Caller {
  controller: AbortController | undefined;

  constructor(
    private readonly c: number,
    private readonly peer: Peer,
  ) {}

  get owner(): number {
    return this.peer.owner;
  }

  get calls(): Map<number, AbortController> {
    return this.peer.calls;
  }

  get gone(): boolean {
    return this.peer.gone;
  }

  get signal(): AbortSignal {
    if (this.controller === undefined) this.calls.set(this.c, (this.controller = new AbortController()));
    return this.controller.signal;
  }
}

/** One caller's connection, as the server keeps it. */
interface Peer {
  readonly conn: Connection;
  /** What owns the locks it takes. */
  readonly owner: number;
  /** Its calls under way that asked for a signal. */
  readonly calls: Map<number, AbortController>;
  /** Its slot of the door, if it is a thread of this process that named one. */
  slot: DoorSlot | undefined;
  /** The heap id it holds that slot as. */
  slotOwner: number;
  /** Its connection has ended. */
  gone: boolean;
}

function asError(v: unknown): Error {
  return v instanceof Error ? v : new Error(String(v));
}
