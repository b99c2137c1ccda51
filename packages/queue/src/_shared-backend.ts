/**
 * A queue in shared memory: the items in a SharedRing, the counts in a small
 * Int32Array beside it. Every thread of the process that holds the queue
 * works on the same memory; other processes come through `serve`.
 */
import { SharedRing, StateError, heapId, isHeapAlive, isMainProcess, waitWord, waitWordSync, wakeWord, type ServedRef } from '@ipc/core';
import type { QueueBackend, SharedBuffers } from './_backend.js';
import { serveQueue } from './_serve-queue.js';
import { deadline, tryRead, tryWrite, waitInLine } from './_waits.js';
import { Fifo } from './_fifo.js';
import { Empty, Full } from './errors.js';

// Python's qsize is PUT − TAKEN, two counts that only grow (wrapping): producers change one, consumers
// the other, each on a cache line of its own (128 bytes apart). One shared count bounced its line
// between the producer's and the consumer's cores on every item.
const PUT = 0; // items accepted (and given back)
const UNFINISHED = 1; // items put and not yet marked done (JoinableQueue)
const TAKEN = 32; // items taken (and lost with a dead thread's buffer); producers waiting for room wait on it
const COUNT_WAITERS = 33;
const FRONT_ITEMS = 34; // items given back (a remote consumer never got them) waiting in the front ring
// A remote consumer's lease (`_lease-home.ts`) and the takers of this process, through one gate: ≥ 0, no
// lease is out and that many threads are taking an item right now; < 0, a lease is out (its number, a
// multiple of 1,024 far below 0, plus threads that are backing off) and nobody takes an item behind it,
// for its items not handed out go back to the front. A taker counts itself in with one add.
const GATE = 35;
const WANT = 36; // bumped by a taker waiting for the lease to end: the lease's home revokes it
const LEASES = 37; // leases opened so far: the next one's number
const LEASE_HOME = 38; // the heap id of the lease's home (0 while unknown): a taker ends a lease whose home died
// [heap id, items] rows: what each thread accepted and still holds in its own buffer. If that
// thread dies, those items die with it (as with Python's feeder thread), and the counts must say so.
const BUFFERED = 64;
const BUFFER_ROWS = 64;
const STATE_WORDS = BUFFERED + BUFFER_ROWS * 2;

/** Big enough that producers rarely wait for bytes; items larger than it stream through. */
const RING_BYTES = 1 << 20;
/** Room for what leases give back (one takes at most `LEASE_BYTES` beyond its first item); beyond it, items go to the end. */
const FRONT_BYTES = 1 << 19;
/** The most bytes a lease takes out of the ring beyond its first item. */
const LEASE_BYTES = 1 << 16;
/** How long a taker waits for the front ring's lock while another taker reads it, before it takes nothing this time. */
const FRONT_LOCK_MS = 1;
/** What `takeNow` says when a remote lease is out: wait for it to end. */
const GATED = Symbol('a lease is out');
/** The lease a gate's value names (< 0), without the takers backing off. */
const leaseOf = (gate: number): number => gate & ~1023;
/** How long a wait for a lease's end sleeps before it looks whether the lease's home died. */
const HOME_CHECK_MS = 100;
/** An item this big or smaller is written whole once there is room (bigger ones stream through the ring). */
const FITS_BYTES = RING_BYTES >> 1;
/** How often a drain that keeps nothing alive (after `cancelJoinThread()`) looks for room. */
const CANCELLED_RETRY_MS = 2;
/** A message of no bytes in the ring: wakes the waiting consumers to look at the front ring (an item is never empty). */
const POKE = new Uint8Array(0);
const RESOLVED = Promise.resolve();

/** An item accepted and not yet written; `written` resolves the put of a child that waits for it. */
interface Pending {
  readonly bytes: Uint8Array;
  readonly written?: () => void;
}

export class SharedBackend implements QueueBackend {
  private readonly ring: SharedRing;
  private readonly state: Int32Array;
  /** Items given back go here, and every get looks here first: they keep their place at the front. */
  private readonly front: SharedRing;
  /** Items this heap accepted and could not write yet: Python's feeder-thread buffer. */
  private readonly pending = new Fifo<Pending>();
  /** The row of `BUFFERED` this heap counts its buffered items in, once it has one. */
  private row = -1;
  private flushing: Promise<void> | undefined;
  private serving: ServedRef | undefined;
  /** The gate's value while this heap's lease is out, else 0. */
  private heldGate = 0;
  /** `cancelJoinThread()` was called: puts never wait for the buffer, and its drain keeps nothing alive. */
  private joinCancelled = false;
  /** Aborts the flush's wait for room (it keeps the event loop alive) when `cancelJoinThread()` comes. */
  private flushWait: AbortController | undefined;

  constructor(
    readonly maxsize: number,
    buffers?: SharedBuffers,
  ) {
    this.ring = buffers ? SharedRing.attach(buffers.ring) : SharedRing.create(RING_BYTES);
    this.state = new Int32Array(buffers?.state ?? new SharedArrayBuffer(STATE_WORDS * 4));
    this.front = buffers ? SharedRing.attach(buffers.front) : SharedRing.create(FRONT_BYTES);
  }

  sharedBuffers(): SharedBuffers {
    return { ring: this.ring.buffer, state: this.state.buffer as SharedArrayBuffer, front: this.front.buffer };
  }

  qsize(): number {
    this.forgetDeadBuffers();
    return this.count();
  }

  /**
   * Items accepted and not yet taken. PUT is read between two reads of TAKEN:
   * when they agree, the two counts are of one instant (a get and a put in
   * between would over-state it by one, even past maxsize).
   */
  private count(): number {
    let taken = Atomics.load(this.state, TAKEN);
    for (let tries = 0; ; tries++) {
      const put = Atomics.load(this.state, PUT);
      const again = Atomics.load(this.state, TAKEN);
      if (again === taken || tries >= 8) return Math.max(0, (put - again) | 0);
      taken = again;
    }
  }

  /** This heap's puts waiting for room, in the order they were made: the next one waits for this promise. */
  private line: Promise<void> = Promise.resolve();
  private inLine = 0;

  /** Not an async function: a put that finds room costs no promise of its own (most of a put's cost, between threads). */
  put(bytes: Uint8Array, block: boolean, timeout: number | undefined, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if ((this.inLine === 0 || !block) && this.reserve()) return this.accept(bytes) ?? RESOLVED;
    if (!block) return Promise.reject(new Full());
    return this.putWaiting(bytes, deadline(block, timeout), signal);
  }

  private async putWaiting(bytes: Uint8Array, until: number, signal: AbortSignal | undefined): Promise<void> {
    // Puts made together and not awaited one by one keep their order: each waits for room after the one before.
    const before = this.line;
    let done!: () => void;
    this.line = new Promise<void>((resolve) => (done = resolve));
    this.inLine++;
    try {
      await waitInLine(before, until, signal);
      await this.reserveWaiting(until, signal);
    } finally {
      this.inLine--;
      done();
    }
    const written = this.accept(bytes);
    if (written !== undefined) await written;
  }

  /**
   * A put that never waits (a remote producer's batch, at home): false when
   * the queue has no room now, or puts of this heap already wait in line;
   * else the item is accepted, and the promise (a child's buffered item)
   * resolves once it is written.
   */
  putNow(bytes: Uint8Array): boolean | Promise<void> {
    if (this.inLine > 0 || !this.reserve()) return false;
    return this.accept(bytes) ?? true;
  }

  private async reserveWaiting(until: number, signal: AbortSignal | undefined): Promise<void> {
    while (!this.reserve()) {
      this.forgetDeadBuffers();
      const seen = Atomics.load(this.state, TAKEN);
      if (this.count() < this.maxsize) continue;
      const left = until - performance.now();
      if (left <= 0) throw new Full();
      Atomics.add(this.state, COUNT_WAITERS, 1);
      try {
        await waitWord(this.state, TAKEN, seen, { timeout: Math.min(left, 100), signal });
      } finally {
        Atomics.sub(this.state, COUNT_WAITERS, 1);
      }
    }
  }

  putSync(bytes: Uint8Array, block: boolean, timeout: number | undefined): void {
    const until = deadline(block, timeout);
    while (!this.reserve()) {
      this.forgetDeadBuffers();
      const seen = Atomics.load(this.state, TAKEN);
      if (this.count() < this.maxsize) continue;
      const left = until - performance.now();
      if (left <= 0) throw new Full();
      Atomics.add(this.state, COUNT_WAITERS, 1);
      try {
        waitWordSync(this.state, TAKEN, seen, Math.min(left, 100));
      } finally {
        Atomics.sub(this.state, COUNT_WAITERS, 1);
      }
    }
    // Sync code may never give the event loop a turn to flush a buffer: wait for bytes here instead.
    if (this.pending.length === 0) this.ring.writeSync(bytes);
    else void this.accept(bytes);
  }

  /** Takes a place for one item if the queue has room; false when it is full. */
  private reserve(): boolean {
    Atomics.add(this.state, UNFINISHED, 1);
    if (this.maxsize <= 0) {
      Atomics.add(this.state, PUT, 1);
      return true;
    }
    // TAKEN only grows: read before PUT, a stale value under-states the room, so maxsize is never passed.
    const taken = Atomics.load(this.state, TAKEN);
    const put = Atomics.load(this.state, PUT);
    if (((put - taken) | 0) < this.maxsize && Atomics.compareExchange(this.state, PUT, put, (put + 1) | 0) === put) return true;
    Atomics.sub(this.state, UNFINISHED, 1);
    return false;
  }

  /**
   * Writes an item whose place is taken: now if it fits, else in order after
   * what is buffered. The main thread buffers it and goes on, as Python's
   * feeder thread does (its event loop stays alive until the buffer is
   * written). A child's runtime ends it as soon as its target returns, so
   * there a put resolves only once its item is written (the promise returned).
   */
  private accept(bytes: Uint8Array): Promise<void> | undefined {
    if (this.pending.length === 0 && tryWrite(this.ring, bytes)) return undefined;
    let written: Promise<void> | undefined;
    if (isMainProcess() || this.joinCancelled) this.pending.push({ bytes });
    else written = new Promise<void>((resolve) => this.pending.push({ bytes, written: resolve }));
    this.buffered(1);
    this.flushing ??= this.flush();
    return written;
  }

  private async flush(): Promise<void> {
    // Not a step before `this.flushing` holds this promise: its `finally` must not run first.
    await Promise.resolve();
    try {
      for (let next = this.pending.peek(); next !== undefined; next = this.pending.peek()) {
        // What fits now goes at once; then wait for room for the next one.
        let wrote = 0;
        while (next !== undefined && tryWrite(this.ring, next.bytes)) {
          this.pending.shift();
          next.written?.();
          wrote++;
          next = this.pending.peek();
        }
        if (wrote > 0) this.buffered(-wrote);
        if (next === undefined) break;
        if (this.joinCancelled && next.bytes.byteLength <= FITS_BYTES) {
          // Python's feeder after cancel_join_thread: it still drains, but this heap may end without it.
          await new Promise<void>((resolve) => setTimeout(resolve, CANCELLED_RETRY_MS).unref());
          continue;
        }
        // An item that fits is written whole once there is room: the wait may be aborted (cancelJoinThread).
        const wait = next.bytes.byteLength <= FITS_BYTES ? (this.flushWait = new AbortController()) : undefined;
        try {
          await this.ring.write(next.bytes, { signal: wait?.signal });
        } catch (err) {
          if (wait?.signal.aborted === true) continue;
          throw err;
        } finally {
          this.flushWait = undefined;
        }
        this.pending.shift();
        next.written?.();
        this.buffered(-1);
      }
    } finally {
      this.flushing = undefined;
    }
  }

  /** Counts this heap's buffered items in shared memory. */
  private buffered(delta: number): void {
    const me = heapId();
    if (this.row >= 0 && Atomics.load(this.state, this.row) === me) {
      Atomics.add(this.state, this.row + 1, delta);
      return;
    }
    let free = -1;
    for (let r = 0; r < BUFFER_ROWS; r++) {
      const at = BUFFERED + r * 2;
      const who = Atomics.load(this.state, at);
      if (who === me) {
        this.row = at;
        Atomics.add(this.state, at + 1, delta);
        return;
      }
      if (who === 0 && free < 0) free = at;
    }
    if (delta > 0 && free >= 0 && Atomics.compareExchange(this.state, free, 0, me) === 0) Atomics.store(this.state, free + 1, delta);
  }

  /** Items buffered by threads that died are gone: take them out of the counts (and give their places back). */
  private forgetDeadBuffers(): void {
    for (let r = 0; r < BUFFER_ROWS; r++) {
      const at = BUFFERED + r * 2;
      const who = Atomics.load(this.state, at);
      if (who === 0 || isHeapAlive(who)) continue;
      const lost = Atomics.exchange(this.state, at + 1, 0);
      if (Atomics.compareExchange(this.state, at, who, 0) !== who || lost <= 0) continue;
      Atomics.sub(this.state, UNFINISHED, lost);
      this.taken(lost);
    }
  }

  flushed(): Promise<void> {
    if (this.joinCancelled) return RESOLVED;
    return this.flushing ?? RESOLVED;
  }

  cancelJoin(): void {
    this.joinCancelled = true;
    // A child's puts waiting for their items to be written return (Python's put never waited); the items stay, in order.
    for (const item of this.pending) item.written?.();
    this.flushWait?.abort();
  }

  /*
   * A get never waits inside the ring's read: that holds the readers' lock
   * while it waits, and every other consumer would queue up behind it (and
   * behind its event loop). It takes a message if one is there, else waits
   * for one with the lock free, and tries again.
   */
  async get(block: boolean, timeout: number | undefined, signal: AbortSignal | undefined): Promise<Uint8Array> {
    if (signal?.aborted) throw signal.reason;
    const until = deadline(block, timeout);
    for (let misses = 0; ; misses++) {
      const got = this.takeNow();
      if (got === GATED) {
        await this.leaseEnded(until, signal);
        continue;
      }
      if (got !== undefined) return this.took(got);
      const left = until - performance.now();
      if (left <= 0) throw new Empty();
      // A message there and the lock busy again and again: wait for the lock, briefly, rather than spin.
      if (misses > 8 && this.ring.hasMessage() && this.enter()) {
        let slow: Uint8Array | 'eof' | 'timeout' | undefined;
        try {
          // Items given back come first: the ring only once the front is empty (looked at inside the gate, where it stays so).
          slow = this.frontHasItems() ? this.readNext() : await this.ring.read({ timeout: Math.min(left, 1), signal });
        } finally {
          this.leave();
        }
        if (slow instanceof Uint8Array && slow.byteLength > 0) return this.took(slow);
      } else await this.ring.poll({ timeout: left, signal });
    }
  }

  getSync(block: boolean, timeout: number | undefined): Uint8Array {
    const until = deadline(block, timeout);
    for (let misses = 0; ; misses++) {
      let got = this.takeNow();
      // This thread gave the lease out: it cannot hear its holder while it blocks, so it takes behind it (README: Order).
      if (got === GATED && this.heldGate !== 0 && leaseOf(Atomics.load(this.state, GATE)) === this.heldGate) got = this.readNext();
      if (got === GATED) {
        this.leaseEndedSync(until);
        continue;
      }
      if (got !== undefined) return this.took(got);
      const left = until - performance.now();
      if (left <= 0) throw new Empty();
      if (misses > 8 && this.ring.hasMessage() && this.enter()) {
        let slow: Uint8Array | 'eof' | 'timeout' | undefined;
        try {
          // As in get(): the front first.
          slow = this.frontHasItems() ? this.readNext() : this.ring.readSync({ timeout: Math.min(left, 1) });
        } finally {
          this.leave();
        }
        if (slow instanceof Uint8Array && slow.byteLength > 0) return this.took(slow);
      } else this.ring.pollSync({ timeout: left });
    }
  }

  takeReady(): Uint8Array | undefined {
    return this.tryTake();
  }

  /** The next item if there is one now, taken out of the counts; undefined if none, or while a remote lease is out. */
  tryTake(): Uint8Array | undefined {
    const got = this.takeNow();
    return got === undefined || got === GATED ? undefined : this.took(got);
  }

  /** The next item if there is one now, through the gate: `GATED` while a remote lease is out. */
  private takeNow(): Uint8Array | undefined | typeof GATED {
    if (!this.enter()) return GATED;
    try {
      return this.readNext();
    } finally {
      this.leave();
    }
  }

  /** Counts this thread in as a taker; false while a remote lease is out. */
  private enter(): boolean {
    // Looked at first: a taker that waits for a lease must not stir the word the others sleep on.
    if (Atomics.load(this.state, GATE) < 0) return false;
    if (Atomics.add(this.state, GATE, 1) >= 0) return true;
    Atomics.sub(this.state, GATE, 1);
    return false;
  }

  private leave(): void {
    Atomics.sub(this.state, GATE, 1);
  }

  /**
   * Asks the home of the lease that is out to revoke it, and waits for it to
   * end (or for another lease to start: the caller looks again). `Empty` at
   * the deadline; a lease whose home died is ended here.
   */
  private async leaseEnded(until: number, signal: AbortSignal | undefined): Promise<void> {
    const gate = this.wantLease();
    if (gate >= 0) return;
    await this.gateMoved(gate, until, signal);
  }

  private leaseEndedSync(until: number): void {
    const gate = this.wantLease();
    if (gate >= 0) return;
    const left = until - performance.now();
    if (left <= 0) throw new Empty();
    waitWordSync(this.state, GATE, gate, Math.min(left, HOME_CHECK_MS));
  }

  /** The gate now (< 0: a lease is out, whose home has been asked to revoke it). */
  wantLease(): number {
    const gate = this.gate();
    if (gate >= 0) return gate;
    const home = Atomics.load(this.state, LEASE_HOME);
    if (home !== 0 && home !== heapId() && !isHeapAlive(home)) {
      // Its items died with it (as a thread's buffered puts do): nobody may wait for it.
      this.closeLease(gate);
      return Atomics.load(this.state, GATE);
    }
    Atomics.add(this.state, WANT, 1);
    Atomics.notify(this.state, WANT);
    return gate;
  }

  /** The gate's value: ≥ 0 while no lease is out, else the lease's number. */
  gate(): number {
    const gate = Atomics.load(this.state, GATE);
    return gate < 0 ? leaseOf(gate) : gate;
  }

  /** Whether items given back wait in the front ring (or one was just taken and not yet counted out). */
  private frontHasItems(): boolean {
    return Atomics.load(this.state, FRONT_ITEMS) > 0;
  }

  /** Whether an item may be there (a get would find one, or a poke). */
  hasItem(): boolean {
    return Atomics.load(this.state, FRONT_ITEMS) > 0 || this.ring.hasMessage();
  }

  /** Waits for a message in the ring (an item or a poke), without taking it. */
  async itemCame(until: number, signal: AbortSignal | undefined): Promise<void> {
    const left = until - performance.now();
    if (left <= 0) throw new Empty();
    await this.ring.poll({ timeout: left, signal });
  }

  /** Waits until the gate leaves `gate` (the lease ends, or another starts); `Empty` at the deadline. */
  async gateMoved(gate: number, until: number, signal: AbortSignal | undefined): Promise<void> {
    const left = until - performance.now();
    if (left <= 0) throw new Empty();
    await waitWord(this.state, GATE, gate, { timeout: Math.min(left, HOME_CHECK_MS), signal });
  }

  /**
   * Opens a lease for a remote consumer: the gate closes to every other taker.
   * Its number and the count of wants when it opened (a want after that
   * revokes it), or undefined when threads take or another lease is out.
   */
  openLease(): { gate: number; want: number } | undefined {
    const want = Atomics.load(this.state, WANT);
    const gate = -0x40000000 + ((Atomics.add(this.state, LEASES, 1) & 0xfffff) << 10);
    if (Atomics.compareExchange(this.state, GATE, 0, gate) !== 0) return undefined;
    Atomics.store(this.state, LEASE_HOME, heapId());
    this.heldGate = gate;
    return { gate, want };
  }

  /**
   * Takes a lease's items (its gate closed): what was given back to the
   * front first, then from the ring, up to `max` items or `LEASE_BYTES`
   * bytes beyond the first.
   */
  takeLeased(max: number): Uint8Array[] {
    const items: Uint8Array[] = [];
    let bytes = 0;
    while (items.length < max && (items.length === 0 || bytes < LEASE_BYTES)) {
      const next = this.readNext();
      if (next === undefined) break;
      items.push(next);
      bytes += next.byteLength;
    }
    if (items.length > 0) this.taken(items.length);
    return items;
  }

  /** Ends a lease (if it is still the one out): the gate opens, and those waiting for it look again. */
  closeLease(gate: number): void {
    for (;;) {
      const now = Atomics.load(this.state, GATE);
      if (now >= 0 || leaseOf(now) !== gate) return;
      // Takers backing off leave it in a moment: the gate opens with none of them inside.
      if (now === gate && Atomics.compareExchange(this.state, GATE, gate, 0) === gate) break;
    }
    if (this.heldGate === gate) this.heldGate = 0;
    Atomics.store(this.state, LEASE_HOME, 0);
    Atomics.notify(this.state, GATE);
    Atomics.notify(this.state, WANT);
  }

  /** Calls `then` once a taker has wanted the lease since it opened (`want`: the count of wants then), unless `stillOut()` turns false first. */
  wanted(want: number, stillOut: () => boolean, then: () => void): void {
    const look = (): void => {
      if (!stillOut()) return;
      const now = Atomics.load(this.state, WANT);
      if (now !== want) return then();
      // Not waitWord: this wait must not keep the process alive (a broker never does by itself).
      const waited = Atomics.waitAsync(this.state, WANT, now);
      if (waited.async) void waited.value.then(look);
      else look();
    };
    look();
  }

  /**
   * The next item if there is one now: from the front ring first, then the ring (skipping pokes); undefined
   * if none, or while another taker holds the front ring's lock. The caller holds the gate.
   */
  private readNext(): Uint8Array | undefined {
    // Nothing is given back to the front while a taker is inside the gate: seen empty, it stays empty.
    if (Atomics.load(this.state, FRONT_ITEMS) > 0 && this.front.hasMessage()) {
      // Waits a moment for the lock if another taker is reading the front (its thread may be descheduled there).
      const back = this.front.readSync({ timeout: FRONT_LOCK_MS });
      if (back instanceof Uint8Array) {
        Atomics.sub(this.state, FRONT_ITEMS, 1);
        return back;
      }
      // Still held: nothing now. Not the ring's next item: it came after every item the front holds, and this
      // taker could then take one of those after it (a producer's 195, then its 171).
      if (this.front.hasMessage()) return undefined;
    }
    for (;;) {
      const got = tryRead(this.ring);
      if (got === undefined || got.byteLength > 0) return got;
    }
  }

  private took(got: Uint8Array): Uint8Array {
    this.taken(1);
    return got;
  }

  private taken(n: number): void {
    Atomics.add(this.state, TAKEN, n);
    if (Atomics.load(this.state, COUNT_WAITERS) > 0) wakeWord(this.state, TAKEN);
  }

  /** An item taken for a caller that never got it: back at the front of the queue (at the end if the front ring is full). */
  requeue(bytes: Uint8Array): void {
    Atomics.add(this.state, PUT, 1);
    this.toFront(bytes);
    // Consumers wait on the ring: a poke wakes them (when it is full, none waits).
    tryWrite(this.ring, POKE);
  }

  /**
   * What a lease did not hand out (its gate still closed): back at the very
   * front, ahead of what the front ring holds already (items that came after
   * them, left there when the lease took only the first of them).
   */
  giveBack(items: readonly Uint8Array[]): void {
    if (items.length === 0) return;
    const behind: Uint8Array[] = [];
    while (Atomics.load(this.state, FRONT_ITEMS) > 0) {
      const next = this.front.readSync({ timeout: 0 });
      if (!(next instanceof Uint8Array)) break;
      Atomics.sub(this.state, FRONT_ITEMS, 1);
      behind.push(next);
    }
    Atomics.add(this.state, PUT, items.length);
    for (const bytes of items) this.toFront(bytes);
    for (const bytes of behind) this.toFront(bytes);
    tryWrite(this.ring, POKE);
  }

  /** Into the front ring; at the end of the queue if it is full (its place is counted already). */
  private toFront(bytes: Uint8Array): void {
    if (this.front.writeSync(bytes, { timeout: 0 }) !== 'ok') {
      void this.accept(bytes);
      return;
    }
    Atomics.add(this.state, FRONT_ITEMS, 1);
  }

  taskDone(): void {
    for (;;) {
      const left = Atomics.load(this.state, UNFINISHED);
      if (left <= 0) throw new StateError('taskDone() called more times than there were items');
      if (Atomics.compareExchange(this.state, UNFINISHED, left, left - 1) === left) {
        if (left === 1) wakeWord(this.state, UNFINISHED);
        return;
      }
    }
  }

  async join(timeout: number | null | undefined, signal: AbortSignal | undefined): Promise<boolean> {
    const until = deadline(true, timeout);
    for (;;) {
      const left = Atomics.load(this.state, UNFINISHED);
      if (left === 0) return true;
      const ms = until - performance.now();
      if (ms <= 0) return false;
      await waitWord(this.state, UNFINISHED, left, { timeout: ms, signal });
    }
  }

  servedRef(): ServedRef {
    if (this.serving === undefined) {
      const { ref, unserve } = serveQueue(this);
      void unserve;
      this.serving = ref;
    }
    return this.serving;
  }
}
