import { NOT_LOADED, decode, decodeLoaded, decodePlain, encodePlain, heapId, isHeapAlive, serialize, waitWordSync } from '@ipc/core';
import { deserialize as v8Deserialize } from 'node:v8';
import { PLAIN_TAG } from './_protocol.js';

/**
 * The door: how the manager and the threads of its own process talk without
 * the socket. Why: a round trip on the socket costs each side an
 * `epoll_wait`, a `read` and a `write` — and the host, which serves every
 * caller on one thread, spends most of its time there. Through the door a
 * caller writes its request into shared memory and blocks in `Atomics.wait`;
 * the host, while it watches the door, takes it, performs it and writes the
 * reply beside it.
 *
 * The host makes one shared buffer: a header and SLOTS slots. A caller heap
 * claims a slot (`OWNER` 0 → its heap id) and names it on its connection; the
 * host frees it when that connection ends. A slot whose owner died before the
 * host heard of it (or before the host saw its connection end) is taken over
 * by a heap that finds the door full.
 *
 * A request goes through the door only when the caller has no call under way
 * on the socket, so a caller's calls are performed in the order it made them.
 * The caller stores the request and its id in `REQ`, raises the `PENDING`
 * flag (the host lowers it before it looks at the slots, so a flag, unlike a
 * count, cannot drift when a thread dies between two steps), and, if the host is not `WATCHING`, rings it on the socket (a `bell`
 * frame): the host then watches the door for a while. Whoever swaps `REQ`
 * first decides: the host taking it, or the caller taking it back when it
 * gave up waiting (it then sends the request on the socket).
 *
 * A reply: the caller stores the call id in `CALL` before it asks, and waits
 * a bounded time for `SEQ` to become the id. The host, with the reply
 * encoded, claims the call (`CALL` id → -id) — or finds the caller gave up
 * (`CALL` 0) and sends the reply on the socket instead — writes it, then
 * stores `SEQ` and wakes the caller. So a reply, too, goes exactly one way.
 */
const PENDING = 0;
const WATCHING = 1;
const HEADER_BYTES = 64;

const OWNER = 0;
const CALL = 1;
const SEQ = 2;
const LEN = 3;
const REQ = 4;
const REQ_LEN = 5;
const SLOT_HEAD_BYTES = 32;
/** A request or reply longer than this goes on the socket. */
export const DOOR_BYTES = 1024;
const SLOT_BYTES = SLOT_HEAD_BYTES + 2 * DOOR_BYTES;
const SLOTS = 64;
const DOOR_SIZE = HEADER_BYTES + SLOTS * SLOT_BYTES;

/** How long a caller blocks for a reply before it goes back to its event loop and takes the reply from the socket. */
const WAIT_MS = 2;
/** Once the host has claimed a call it is writing the reply: this long without it means the host thread ended mid-write. */
const CLAIMED_MS = 1000;

/** Doors that this heap serves: a caller here must not block for a reply this very thread would write. */
const servedHere = new WeakSet<SharedArrayBuffer>();

export function createDoors(): SharedArrayBuffer {
  const sab = new SharedArrayBuffer(DOOR_SIZE);
  servedHere.add(sab);
  return sab;
}

/** A request or reply as `Connection.sendSync` writes it: core's plain form, or v8 with the codec. Throws if it cannot be copied. */
export function encodeMessage(value: unknown): Uint8Array {
  return encodePlain(value, PLAIN_TAG) ?? serialize(value, 'obj');
}

/** Bytes of `encodeMessage`, decoded as `Connection.recv` would (a v8 one may need modules loaded first: then a promise). */
export function decodeMessage(bytes: Uint8Array): unknown {
  if (bytes[0] === PLAIN_TAG) return decodePlain(bytes);
  const tree = v8Deserialize(bytes) as unknown;
  const value = decodeLoaded(tree, 'process');
  // A module to load first: nothing is rebuilt yet, the tree is as it came.
  return value === NOT_LOADED ? decode(tree, 'process') : value;
}

/** What `DoorSlot.wait` found: the reply's bytes; `'socket'` (the reply comes there); `'withdrawn'` (the host never took the request: send it on the socket); `'lost'`. */
export type DoorWait = Uint8Array | 'socket' | 'withdrawn' | 'lost';

/** One slot of a door, as its caller or the host sees it. */
export class DoorSlot {
  private readonly head: Int32Array;
  private readonly i32: Int32Array;
  private readonly replyBytes: Uint8Array;
  private readonly requestBytes: Uint8Array;

  private constructor(
    sab: SharedArrayBuffer,
    readonly index: number,
  ) {
    const at = HEADER_BYTES + index * SLOT_BYTES;
    this.head = new Int32Array(sab, 0, HEADER_BYTES / 4);
    this.i32 = new Int32Array(sab, at, SLOT_HEAD_BYTES / 4);
    this.replyBytes = new Uint8Array(sab, at + SLOT_HEAD_BYTES, DOOR_BYTES);
    this.requestBytes = new Uint8Array(sab, at + SLOT_HEAD_BYTES + DOOR_BYTES, DOOR_BYTES);
  }

  /** A free slot for this heap (or one a dead heap held), or undefined (the door is full, or this heap serves it). */
  static claim(sab: SharedArrayBuffer): DoorSlot | undefined {
    if (servedHere.has(sab) || sab.byteLength !== DOOR_SIZE) return undefined;
    const me = heapId();
    for (const free of [true, false]) {
      for (let i = 0; i < SLOTS; i++) {
        const slot = new DoorSlot(sab, i);
        const owner = Atomics.load(slot.i32, OWNER);
        if (free ? owner !== 0 : isHeapAlive(owner)) continue;
        if (Atomics.compareExchange(slot.i32, OWNER, owner, me) !== owner) continue;
        if (!free) slot.clear();
        return slot;
      }
    }
    return undefined;
  }

  /** The heap that holds the slot now (0: free). */
  get owner(): number {
    return Atomics.load(this.i32, OWNER);
  }

  /** The host's view of a slot a caller named; undefined for a bad index. */
  static at(sab: SharedArrayBuffer, index: unknown): DoorSlot | undefined {
    return typeof index === 'number' && Number.isInteger(index) && index >= 0 && index < SLOTS ? new DoorSlot(sab, index) : undefined;
  }

  /** Caller: call `c` will wait here for its reply (before its request is sent). */
  expect(c: number): void {
    Atomics.store(this.i32, CALL, c);
  }

  /**
   * Caller: leaves request `c` at the door, or says to send it on the socket:
   * one that does not fit, or that is not in core's plain form (a v8 one may
   * need modules loaded to decode, and the host must take a caller's requests
   * one after the other, each performed before it looks again). Posted, it
   * says whether the host must be rung: not watching the door, it would not
   * see the request by itself.
   */
  post(c: number, request: Uint8Array): 'posted' | 'ring' | 'socket' {
    if (request.byteLength > DOOR_BYTES || request[0] !== PLAIN_TAG) return 'socket';
    this.requestBytes.set(request);
    Atomics.store(this.i32, REQ_LEN, request.byteLength);
    Atomics.store(this.i32, REQ, c);
    Atomics.store(this.head, PENDING, 1);
    // After the request is out (sequentially consistent): either the host still watches and will
    // see it, or its last look after it stopped watching sees it, or the caller rings.
    return Atomics.load(this.head, WATCHING) === 1 ? 'posted' : 'ring';
  }

  /**
   * Caller: blocks up to WAIT_MS for call `c`'s reply. If it is not there by
   * then, a request left at the door that the host has not taken is taken back.
   */
  wait(c: number, posted: boolean): DoorWait {
    if (this.answered(c, WAIT_MS)) return this.reply();
    if (posted && this.withdraw(c)) return 'withdrawn';
    // Not claimed (or the slot was freed: the connection ended, and the socket says so): the reply, if any, comes on the socket.
    if (Atomics.compareExchange(this.i32, CALL, c, 0) !== -c) return 'socket';
    // The host claimed it: it is writing the reply now.
    return this.answered(c, CLAIMED_MS) ? this.reply() : 'lost';
  }

  /** Caller: takes request `c` back from the door unless the host took it first; then no reply comes here. */
  withdraw(c: number): boolean {
    if (Atomics.compareExchange(this.i32, REQ, c, 0) !== c) return false;
    Atomics.store(this.i32, CALL, 0);
    return true;
  }

  /**
   * Whether call `c`'s reply is there within `ms` (core's wait: a short watch,
   * then a futex sleep). The watch matters: a host watching the door answers
   * within it, and waking a caller that sleeps costs the host ~15 µs of a
   * futex wake-up on a small VM — more than the call itself.
   */
  private answered(c: number, ms: number): boolean {
    const until = performance.now() + ms;
    for (;;) {
      const seq = Atomics.load(this.i32, SEQ);
      if (seq === c) return true;
      const left = until - performance.now();
      if (left <= 0) return false;
      waitWordSync(this.i32, SEQ, seq, left);
    }
  }

  private reply(): Uint8Array {
    return this.replyBytes.slice(0, Atomics.load(this.i32, LEN));
  }

  /** Host: the request waiting here, taken (its id and bytes, in core's plain form), or undefined. */
  take(): { c: number; bytes: Uint8Array } | undefined {
    const c = Atomics.load(this.i32, REQ);
    if (c <= 0) return undefined;
    const bytes = this.requestBytes.slice(0, Atomics.load(this.i32, REQ_LEN));
    // The caller may have taken it back meanwhile (and may be posting another): then it is not ours.
    if (Atomics.compareExchange(this.i32, REQ, c, 0) !== c) return undefined;
    return { c, bytes };
  }

  /** Host: hands call `c` its reply here if the caller still waits for it and it fits; false → send it on the socket. */
  answer(c: number, reply: Uint8Array): boolean {
    if (reply.byteLength > DOOR_BYTES) return false;
    if (Atomics.compareExchange(this.i32, CALL, c, -c) !== c) return false;
    this.replyBytes.set(reply);
    Atomics.store(this.i32, LEN, reply.byteLength);
    Atomics.store(this.i32, SEQ, c);
    Atomics.notify(this.i32, SEQ);
    return true;
  }

  /** Host: the connection of the heap `owner` ended; the slot is free for another heap, unless one took it over meanwhile. */
  free(owner: number): void {
    if (Atomics.load(this.i32, OWNER) !== owner) return;
    this.clear();
    Atomics.compareExchange(this.i32, OWNER, owner, 0);
  }

  /** What a dead holder may have left: a request, a call, a reply. */
  private clear(): void {
    Atomics.store(this.i32, REQ, 0);
    Atomics.store(this.i32, CALL, 0);
    Atomics.store(this.i32, SEQ, 0);
  }
}

/** The host's side of the door as a whole: whether requests wait, and whether it is watching. */
export class DoorWatch {
  private readonly head: Int32Array;

  constructor(sab: SharedArrayBuffer) {
    this.head = new Int32Array(sab, 0, HEADER_BYTES / 4);
  }

  /** Whether a request may have come since the last `lookAtSlots()`. */
  get pending(): boolean {
    return Atomics.load(this.head, PENDING) === 1;
  }

  /** Lowers the flag before the host looks at the slots: whether it was up (a request posted after this raises it again). */
  lookAtSlots(): boolean {
    return Atomics.exchange(this.head, PENDING, 0) === 1;
  }

  set watching(on: boolean) {
    Atomics.store(this.head, WATCHING, on ? 1 : 0);
  }
}
