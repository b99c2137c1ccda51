import { waitWordSync } from '@ipc/core';

/**
 * The reply door: how the manager answers a thread of its own process without
 * that thread's event loop. Why: a round trip on the socket costs each side
 * an `epoll_wait` (two, with Node's idle-time metrics), a `read` and a
 * `write`; a caller that blocks in `Atomics.wait` for the reply costs one
 * futex wait, and the host one `Atomics.notify`, instead of the caller's
 * wake-up, poll and read. Requests still go on the socket, so the order of a
 * caller's calls, the handshake and the end of a caller stay as they are.
 *
 * The host makes one shared buffer of SLOTS slots; a caller heap claims one
 * (`OWNER` 0 → 1) and names it on its connection; the host frees it when that
 * connection ends. Per call: the caller stores the call id in `CALL`, sends the
 * request, and waits a bounded time for `SEQ` to become the id. The host,
 * with the reply encoded, claims the call (`CALL` id → -id) — or finds the
 * caller gave up (`CALL` 0) and sends the reply on the socket instead —
 * writes it, then stores `SEQ` and wakes the caller. Whoever swaps `CALL`
 * first decides the way the reply goes, so it goes exactly one way.
 */
const OWNER = 0;
const CALL = 1;
const SEQ = 2;
const LEN = 3;
const HEAD_BYTES = 16;
/** A reply longer than this goes on the socket. */
export const DOOR_BYTES = 1024;
const SLOT_BYTES = HEAD_BYTES + DOOR_BYTES;
const SLOTS = 64;

/** How long a caller blocks for a reply before it goes back to its event loop and takes the reply from the socket. */
const WAIT_MS = 2;
/** Once the host has claimed a call it is writing the reply: this long without it means the host thread ended mid-write. */
const CLAIMED_MS = 1000;

/** Doors that this heap serves: a caller here must not block for a reply this very thread would write. */
const servedHere = new WeakSet<SharedArrayBuffer>();

export function createDoors(): SharedArrayBuffer {
  const sab = new SharedArrayBuffer(SLOTS * SLOT_BYTES);
  servedHere.add(sab);
  return sab;
}

/** One slot of a door, as its caller or the host sees it. */
export class DoorSlot {
  private readonly i32: Int32Array;
  private readonly bytes: Uint8Array;

  private constructor(
    sab: SharedArrayBuffer,
    readonly index: number,
  ) {
    this.i32 = new Int32Array(sab, index * SLOT_BYTES, HEAD_BYTES / 4);
    this.bytes = new Uint8Array(sab, index * SLOT_BYTES + HEAD_BYTES, DOOR_BYTES);
  }

  /** A free slot for this heap, or undefined (the door is full, or this heap serves it). */
  static claim(sab: SharedArrayBuffer): DoorSlot | undefined {
    if (servedHere.has(sab) || sab.byteLength !== SLOTS * SLOT_BYTES) return undefined;
    for (let i = 0; i < SLOTS; i++) {
      const slot = new DoorSlot(sab, i);
      if (Atomics.compareExchange(slot.i32, OWNER, 0, 1) === 0) return slot;
    }
    return undefined;
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
   * Caller: blocks up to WAIT_MS for call `c`'s reply. Returns its bytes, or
   * undefined when the caller gave up first (the reply then comes on the socket),
   * or 'lost' when the host claimed it and never finished.
   */
  wait(c: number): Uint8Array | undefined | 'lost' {
    if (this.answered(c, WAIT_MS)) return this.reply();
    // Not claimed (or the slot was freed: the connection ended, and the socket says so): the reply, if any, comes on the socket.
    if (Atomics.compareExchange(this.i32, CALL, c, 0) !== -c) return undefined;
    // The host claimed it: it is writing the reply now.
    return this.answered(c, CLAIMED_MS) ? this.reply() : 'lost';
  }

  /** Whether call `c`'s reply is there within `ms` (core's wait: a short watch, then a futex sleep). */
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
    return this.bytes.slice(0, Atomics.load(this.i32, LEN));
  }

  /** Host: hands call `c` its reply here if the caller still waits for it and it fits; false → send it on the socket. */
  answer(c: number, reply: Uint8Array): boolean {
    if (reply.byteLength > DOOR_BYTES) return false;
    if (Atomics.compareExchange(this.i32, CALL, c, -c) !== c) return false;
    this.bytes.set(reply);
    Atomics.store(this.i32, LEN, reply.byteLength);
    Atomics.store(this.i32, SEQ, c);
    Atomics.notify(this.i32, SEQ);
    return true;
  }

  /** Host: the caller's connection ended; the slot is free for another heap. */
  free(): void {
    Atomics.store(this.i32, CALL, 0);
    Atomics.store(this.i32, SEQ, 0);
    Atomics.store(this.i32, OWNER, 0);
  }
}
