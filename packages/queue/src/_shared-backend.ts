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
// [heap id, items] rows: what each thread accepted and still holds in its own buffer. If that
// thread dies, those items die with it (as with Python's feeder thread), and the counts must say so.
const BUFFERED = 64;
const BUFFER_ROWS = 64;
const STATE_WORDS = BUFFERED + BUFFER_ROWS * 2;

/** Big enough that producers rarely wait for bytes; items larger than it stream through. */
const RING_BYTES = 1 << 20;
/** Room for the items of a few consumers that died with their item on the way; beyond it they go to the end. */
const FRONT_BYTES = 1 << 16;
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
    if (isMainProcess()) this.pending.push({ bytes });
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
        await this.ring.write(next.bytes);
        // cancelJoinThread() may have dropped the buffer while this write waited.
        if (this.pending.peek() === next) {
          this.pending.shift();
          next.written?.();
          this.buffered(-1);
        }
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
    return this.flushing ?? Promise.resolve();
  }

  dropBuffered(): void {
    // The first item may be in the middle of its write: that one goes on.
    const writing = this.flushing === undefined ? undefined : this.pending.shift();
    const dropped = this.pending.clear();
    if (writing !== undefined) this.pending.push(writing);
    for (const item of dropped) item.written?.();
    if (dropped.length > 0) {
      this.buffered(-dropped.length);
      Atomics.sub(this.state, UNFINISHED, dropped.length);
      this.taken(dropped.length);
    }
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
      if (got !== undefined) return this.took(got);
      const left = until - performance.now();
      if (left <= 0) throw new Empty();
      // A message there and the lock busy again and again: wait for the lock, briefly, rather than spin.
      if (misses > 8 && this.ring.hasMessage()) {
        const slow = await this.ring.read({ timeout: Math.min(left, 1), signal });
        if (slow instanceof Uint8Array && slow.byteLength > 0) return this.took(slow);
      } else await this.ring.poll({ timeout: left, signal });
    }
  }

  getSync(block: boolean, timeout: number | undefined): Uint8Array {
    const until = deadline(block, timeout);
    for (let misses = 0; ; misses++) {
      const got = this.takeNow();
      if (got !== undefined) return this.took(got);
      const left = until - performance.now();
      if (left <= 0) throw new Empty();
      if (misses > 8 && this.ring.hasMessage()) {
        const slow = this.ring.readSync({ timeout: Math.min(left, 1) });
        if (slow instanceof Uint8Array && slow.byteLength > 0) return this.took(slow);
      } else this.ring.pollSync({ timeout: left });
    }
  }

  takeReady(): Uint8Array | undefined {
    return this.tryTake();
  }

  /** The next item if there is one now, taken out of the counts; undefined if none (a remote consumer's batch). */
  tryTake(): Uint8Array | undefined {
    const got = this.takeNow();
    return got === undefined ? undefined : this.took(got);
  }

  /** The next item if there is one now: from the front ring first, then the ring (skipping pokes). */
  private takeNow(): Uint8Array | undefined {
    if (Atomics.load(this.state, FRONT_ITEMS) > 0) {
      const back = this.front.readSync({ timeout: 0 });
      if (back instanceof Uint8Array) {
        Atomics.sub(this.state, FRONT_ITEMS, 1);
        return back;
      }
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
    if (this.front.writeSync(bytes, { timeout: 0 }) !== 'ok') {
      void this.accept(bytes);
      return;
    }
    Atomics.add(this.state, FRONT_ITEMS, 1);
    // Consumers wait on the ring: a poke wakes them (when it is full, none waits).
    tryWrite(this.ring, POKE);
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

  async join(timeout: number | undefined, signal: AbortSignal | undefined): Promise<boolean> {
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
