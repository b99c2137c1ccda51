/**
 * The thread channel: a multi-producer, multi-consumer ring of byte messages
 * in a SharedArrayBuffer. Messages are never split or merged; one that fits
 * the ring is published (and consumed) in one store, so a writer or reader
 * that dies half-way leaves nothing half-done behind it. A message larger
 * than the ring streams through it under the writer's lock.
 *
 * Layout: a header of Int32 words (below), then `capacity` bytes of data
 * (a power of two). Each message is a 4-byte length, then the bytes, padded
 * to 4 so a length never wraps around the end of the ring.
 */
import { ArgumentError, IpcError, StateError } from '../errors.js';
import { registerErrorClass } from '../error-codec.js';
import { heapId, isHeapAlive } from '../heap-registry.js';
import { wakeWord, type WaitOptions } from './atomic-wait.js';
import { deadline, runAsync, runSync, type Steps } from './steps.js';
import { LIVENESS_CHECK_MS, RobustMutex, type Acquired } from './robust-mutex.js';

// Words the writers change, words the readers change, and the waiter counts,
// each on a cache line of its own: sharing one line would make every message
// bounce it between the writer's and the reader's cores.
const W_LOCK = 0; // + 1: the writers' mutex
const TAIL = 2; // bytes published (wrapping); readers wait on it
const WRITTEN = 3; // messages published (wrapping)
const W_LEFT = 4; // bytes of a streamed message still to write
const CAPACITY = 6; // written once, before the ring is shared
const R_LOCK = 16; // + 1: the readers' mutex
const HEAD = 18; // bytes consumed (wrapping); writers wait on it
const TAKEN = 19; // messages taken (wrapping)
const R_LEFT = 20; // bytes of a streamed message still to read
const R_WAITING = 32;
const R_NOTIFIED = 33; // a writer has already woken the sleeping readers: the next writers need not
const W_WAITING = 48;
const W_NOTIFIED = 49;
const FLAGS = 64; // closed / broken: read on every call, so on a line nobody writes in the busy path
const HEADER_WORDS = 80;
const HEADER_BYTES = HEADER_WORDS * 4;

const CLOSED = 1;
const BROKEN = 2;

/**
 * The memory of a received message: a Buffer from Node's pool (a slice of a
 * shared 8 KiB slab below 4 KiB), not zero-filled since every byte is written
 * before anyone sees it. A typed array of its own costs 0.3–0.8 µs to
 * allocate above 64 bytes — more than the whole receive.
 */
const newMessage = (length: number): Buffer => Buffer.allocUnsafe(length);

/**
 * Set on a message that was written `marked`: a note the user of the ring gives a meaning of its
 * own (a pipe's "this message waits on a MessagePort"), told apart from every other message
 * without a byte of the message for it. Its length word is stored inverted (negative).
 */
const MARK: unique symbol = Symbol('@ipc/core.ringMark');
type Marked = Uint8Array & { [MARK]?: true };

/** Whether `message`, read from a SharedRing, was written with `marked: true`. */
export const isMarkedMessage = (message: Uint8Array): boolean => (message as Marked)[MARK] === true;

/** A length word: a marked message's is the inverse of its length (negative), so both forms fit one word. */
const lengthOf = (word: number): number => (word < 0 ? ~word : word);

function taken(message: Buffer, word: number): Buffer {
  if (word < 0) (message as Marked)[MARK] = true;
  return message;
}

/** How long a writer facing a full ring waits for an eighth of it to free before it takes the room its message needs. */
const ROOM_WAIT_MS = 0.05;
export const DEFAULT_RING_CAPACITY = 1 << 16;

/** The outcome of a write that did not throw. */
export type RingWrite = 'ok' | 'timeout' | 'gone';
/** A message, or why there is none: `'eof'` (closed, or the writers are gone, and nothing is left) or `'timeout'`. */
export type RingRead = Uint8Array | 'eof' | 'timeout';

export interface RingWaitOptions extends WaitOptions {
  /** Writes only: the message is a note (see `isMarkedMessage`). It must fit the ring whole. */
  marked?: boolean;
  /**
   * Asked while waiting (at least every `LIVENESS_CHECK_MS`): whether the other
   * side is gone for good — no writer will write again (for reads) or no reader
   * will read again (for writes).
   */
  gone?: () => boolean;
}

export interface RingReadOptions extends RingWaitOptions {
  /**
   * Where the next message may go: when it is too big for the ring (it is
   * streamed) and fits in `into`, its bytes are copied straight there and a
   * view of `into` of its length is returned — one copy instead of two, into
   * memory the caller already has. Otherwise a fresh message, as without it.
   */
  into?: Uint8Array;
}

/** A ring whose stream was cut in the middle of a message by a writer or reader that died. */
export class RingBrokenError extends IpcError {
  constructor(message: string) {
    super(message, 'ERR_IPC_RING_BROKEN');
  }
}

registerErrorClass('ERR_IPC_RING_BROKEN', RingBrokenError);


export class SharedRing {
  readonly buffer: SharedArrayBuffer;
  readonly capacity: number;
  private readonly i32: Int32Array;
  private readonly data: Uint8Array;
  private readonly words: Int32Array;
  private readonly writers: RobustMutex;
  private readonly readers: RobustMutex;
  private readonly me = heapId();
  /** This thread's last look at the other side's position (see writeNow / readNow). */
  private seenHead = 0;
  private seenTail = 0;

  /** A new ring of `capacity` bytes (a power of two, at least 64). */
  static create(capacity = DEFAULT_RING_CAPACITY): SharedRing {
    if (!Number.isInteger(capacity) || capacity < 64 || (capacity & (capacity - 1)) !== 0 || capacity > 2 ** 30) {
      throw new ArgumentError(`ring capacity must be a power of two between 64 and 2**30 bytes (got ${capacity})`);
    }
    const buffer = new SharedArrayBuffer(HEADER_BYTES + capacity);
    new Int32Array(buffer)[CAPACITY] = capacity;
    // `this`, not the class's name: a class naming itself inside its body is built as `class _SharedRing`, and `.name` shows it.
    return new this(buffer);
  }

  /** The same ring, seen from another thread that was given its buffer. */
  static attach(buffer: SharedArrayBuffer): SharedRing {
    return new this(buffer);
  }

  private constructor(buffer: SharedArrayBuffer) {
    if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength < HEADER_BYTES + 64) throw new ArgumentError('not the buffer of a SharedRing');
    this.buffer = buffer;
    this.i32 = new Int32Array(buffer, 0, HEADER_WORDS);
    this.capacity = this.i32[CAPACITY]!;
    if (buffer.byteLength !== HEADER_BYTES + this.capacity) throw new ArgumentError('not the buffer of a SharedRing');
    this.data = new Uint8Array(buffer, HEADER_BYTES, this.capacity);
    this.words = new Int32Array(buffer, HEADER_BYTES, this.capacity >> 2);
    this.writers = new RobustMutex(this.i32, W_LOCK);
    this.readers = new RobustMutex(this.i32, R_LOCK);
  }

  /** Messages in the ring, not yet taken (a streamed message counts from its first byte). */
  size(): number {
    return Math.max(0, (Atomics.load(this.i32, WRITTEN) - Atomics.load(this.i32, TAKEN)) | 0);
  }

  /** Whether a message is there to read (Python's `poll()`); never consumes. */
  hasMessage(): boolean {
    return this.used() > 0;
  }

  get closed(): boolean {
    return (Atomics.load(this.i32, FLAGS) & CLOSED) !== 0;
  }

  /** No more writes; readers get what is in the ring, then `'eof'`. Wakes every waiter. */
  close(): void {
    Atomics.or(this.i32, FLAGS, CLOSED);
    this.wakeAll();
  }

  /** Wakes every waiter to look again (for example at its `gone()` condition). */
  wakeAll(): void {
    wakeWord(this.i32, TAIL);
    wakeWord(this.i32, HEAD);
  }

  write(message: Uint8Array, options: RingWaitOptions = {}): Promise<RingWrite> {
    const marked = options.marked === true;
    if (options.timeout == null && this.writeNow(message, marked)) return RESOLVED_OK;
    return runAsync(this.writeSteps(message, deadline(options.timeout), options.gone, marked), options.signal, options.spin);
  }

  writeSync(message: Uint8Array, options: Omit<RingWaitOptions, 'signal'> = {}): RingWrite {
    const marked = options.marked === true;
    if (options.timeout == null && this.writeNow(message, marked)) return 'ok';
    return runSync(this.writeSteps(message, deadline(options.timeout), options.gone, marked));
  }

  read(options: RingReadOptions = {}): Promise<RingRead> {
    const now = this.readNow();
    if (now !== undefined) return Promise.resolve(now);
    return runAsync(this.readSteps(deadline(options.timeout), options.gone, options.into), options.signal, options.spin);
  }

  readSync(options: Omit<RingReadOptions, 'signal'> = {}): RingRead {
    const now = this.readNow();
    if (now !== undefined) return now;
    return runSync(this.readSteps(deadline(options.timeout), options.gone, options.into));
  }

  /** Waits until a message is there (`true`), the ring is at its end (`'eof'`) or the timeout passes (`false`). Consumes nothing. */
  poll(options: RingWaitOptions = {}): Promise<boolean | 'eof'> {
    return runAsync(this.pollSteps(deadline(options.timeout), options.gone), options.signal, options.spin);
  }

  pollSync(options: Omit<RingWaitOptions, 'signal'> = {}): boolean | 'eof' {
    return runSync(this.pollSteps(deadline(options.timeout), options.gone));
  }

  /** The length of the next message without taking it, or undefined when there is none. */
  peekLength(): number | undefined {
    if (this.used() < 4) return undefined;
    return lengthOf(this.words[(Atomics.load(this.i32, HEAD) & (this.capacity - 1)) >> 2]!);
  }

  /**
   * A write that never waits and never counts itself a waiter: `true` when
   * the lock was free, nothing is wrong and the message fit now (it is
   * written); `false` otherwise, with nothing written. No generator, no timer,
   * no allocation — the fast path of `writeSync`, and of structures that try
   * a few times before they wait (a failed try costs no one a wake-up call).
   */
  writeNow(message: Uint8Array, marked = false): boolean {
    if (!(message instanceof Uint8Array)) return false;
    const length = message.byteLength;
    const whole = 4 + pad4(length);
    if (whole > this.capacity || Atomics.load(this.i32, FLAGS) !== 0) return false;
    if (Atomics.compareExchange(this.i32, W_LOCK, 0, this.me) !== 0) return false;
    const tail = Atomics.load(this.i32, TAIL);
    // HEAD only grows, so a stale copy under-states the free space: reading the readers' cache line only when it looks full.
    let done = this.capacity - ((tail - this.seenHead) | 0) >= whole;
    if (!done) {
      this.seenHead = Atomics.load(this.i32, HEAD);
      done = this.capacity - ((tail - this.seenHead) | 0) >= whole;
    }
    if (done) {
      this.words[(tail & (this.capacity - 1)) >> 2] = marked ? ~length : length;
      this.copyIn(tail + 4, message, 0, length);
      this.count(WRITTEN);
      Atomics.store(this.i32, TAIL, (tail + whole) | 0);
      this.published();
    }
    this.writers.unlock(this.me);
    return done;
  }

  /**
   * A read that never waits: the next message when the lock was free and a
   * whole message is there, else `undefined` (a message too big for the ring,
   * streamed, and a lock a dead reader left are for `readSync`).
   */
  readNow(): Uint8Array | undefined {
    if (Atomics.load(this.i32, FLAGS) & BROKEN) return undefined;
    if (Atomics.compareExchange(this.i32, R_LOCK, 0, this.me) !== 0) return undefined;
    let message: Uint8Array | undefined;
    const head = Atomics.load(this.i32, HEAD);
    // TAIL only grows: a stale copy under-states what is there.
    if (((this.seenTail - head) | 0) < 4) this.seenTail = Atomics.load(this.i32, TAIL);
    if (((this.seenTail - head) | 0) >= 4) {
      const word = this.words[(head & (this.capacity - 1)) >> 2]!;
      const length = lengthOf(word);
      const whole = 4 + pad4(length);
      if (whole <= this.capacity) {
        message = taken(newMessage(length), word);
        this.copyOut(head + 4, message, 0, length);
        this.count(TAKEN);
        Atomics.store(this.i32, HEAD, (head + whole) | 0);
        this.consumed();
      }
    }
    this.readers.unlock(this.me);
    return message;
  }

  /**
   * One more message written (WRITTEN) or taken (TAKEN). Only the holder of
   * that side's lock changes the word, so a plain store does — a locked add
   * per message is dear — and the atomic store of TAIL / HEAD that follows
   * publishes it.
   */
  private count(word: typeof WRITTEN | typeof TAKEN): void {
    this.i32[word] = (this.i32[word]! + 1) | 0;
  }

  private used(): number {
    return (Atomics.load(this.i32, TAIL) - Atomics.load(this.i32, HEAD)) | 0;
  }

  private check(): void {
    if (Atomics.load(this.i32, FLAGS) & BROKEN) throw new RingBrokenError('the channel is broken: a thread or process died in the middle of a message that did not fit the ring');
  }

  private breakRing(why: string): never {
    Atomics.or(this.i32, FLAGS, BROKEN);
    this.wakeAll();
    throw new RingBrokenError(`the channel is broken: ${why}`);
  }

  private *writeSteps(message: Uint8Array, until: number, gone: (() => boolean) | undefined, marked = false): Steps<RingWrite> {
    if (!(message instanceof Uint8Array)) throw new ArgumentError('a ring message must be a Uint8Array');
    if (marked && 4 + pad4(message.byteLength) > this.capacity) throw new ArgumentError('a marked ring message must fit the ring whole');
    this.check();
    if (this.closed) throw new StateError('write to a closed channel');
    const got = yield* this.writers.lockSteps(this.me, until);
    if (got === false) return 'timeout';
    try {
      if (got === 'abandoned' && Atomics.load(this.i32, W_LEFT) !== 0) this.breakRing('a writer died in the middle of a message');
      const length = message.byteLength;
      const whole = 4 + pad4(length);
      if (whole <= this.capacity) {
        if (this.capacity - this.used() < whole) {
          // Full: wait a moment for a good stretch of room (an eighth of the ring), not just for this
          // message's. Writing one message each time the reader takes one moves the ring's counters
          // between the two cores at every message; a burst after a stretch frees moves them once.
          yield* this.waitSpace(Math.max(whole, this.capacity >> 3), Math.min(until, performance.now() + ROOM_WAIT_MS), gone);
        }
        const waited = yield* this.waitSpace(whole, until, gone);
        if (waited !== 'ok') return waited;
        const tail = Atomics.load(this.i32, TAIL);
        this.words[(tail & (this.capacity - 1)) >> 2] = marked ? ~length : length;
        this.copyIn(tail + 4, message, 0, length);
        this.count(WRITTEN);
        Atomics.store(this.i32, TAIL, (tail + whole) | 0);
        this.published();
        return 'ok';
      }
      // Too big for the ring: stream it. The timeout applies only until it starts, so no message is left half-written.
      const waited = yield* this.waitSpace(4, until, gone);
      if (waited !== 'ok') return waited;
      let tail = Atomics.load(this.i32, TAIL);
      this.words[(tail & (this.capacity - 1)) >> 2] = length;
      let left = pad4(length);
      Atomics.store(this.i32, W_LEFT, left);
      tail = (tail + 4) | 0;
      this.count(WRITTEN);
      Atomics.store(this.i32, TAIL, tail);
      this.published();
      let from = 0;
      while (left > 0) {
        // An eighth of the ring at a time, published as it goes: chunks of a byte or two would cost a
        // wake-up each, and a whole ring at once would leave the reader idle while it is copied (and
        // then the writer while the reader copies it) — longer than either watches before it sleeps.
        const space = yield* this.waitSpace(Math.min(left, this.capacity >> 3), Infinity, gone);
        if (space !== 'ok') this.breakRing('every reader went away in the middle of a message');
        const n = Math.min(left, this.capacity >> 3, this.capacity - this.used(), this.capacity - (tail & (this.capacity - 1)));
        this.copyIn(tail, message, from, Math.max(0, Math.min(n, length - from)));
        from += n;
        left -= n;
        tail = (tail + n) | 0;
        Atomics.store(this.i32, W_LEFT, left);
        Atomics.store(this.i32, TAIL, tail);
        this.published();
      }
      return 'ok';
    } finally {
      this.writers.unlock(this.me);
    }
  }

  private *waitSpace(need: number, until: number, gone: (() => boolean) | undefined): Steps<RingWrite> {
    for (;;) {
      // Waiting on HEAD itself: a read moves it, so a wake-up cannot be missed between this check and the wait.
      const head = Atomics.load(this.i32, HEAD);
      this.check();
      if (this.capacity - ((Atomics.load(this.i32, TAIL) - head) | 0) >= need) return 'ok';
      if (gone?.()) return 'gone';
      if (performance.now() >= until) return 'timeout';
      Atomics.add(this.i32, W_WAITING, 1);
      Atomics.store(this.i32, W_NOTIFIED, 0);
      try {
        yield { i32: this.i32, index: HEAD, expected: head, until: Math.min(until, performance.now() + LIVENESS_CHECK_MS) };
      } finally {
        Atomics.sub(this.i32, W_WAITING, 1);
      }
    }
  }

  /**
   * Waits for `need` bytes. Whole messages are published at once, so between
   * messages `used < need` means an empty ring; inside a streamed message
   * (`streaming`) it means the writer has not caught up, and only its death
   * (`gone`) ends the wait — closing the ring does not cut a message short.
   */
  private *waitData(need: number, until: number, gone: (() => boolean) | undefined, streaming = false): Steps<'ok' | 'eof' | 'timeout'> {
    for (;;) {
      const tail = Atomics.load(this.i32, TAIL);
      this.check();
      const used = (tail - Atomics.load(this.i32, HEAD)) | 0;
      if (used >= need) return 'ok';
      if (streaming ? gone?.() : this.closed || gone?.()) return 'eof';
      if (performance.now() >= until) return 'timeout';
      Atomics.add(this.i32, R_WAITING, 1);
      Atomics.store(this.i32, R_NOTIFIED, 0);
      try {
        yield { i32: this.i32, index: TAIL, expected: tail, until: Math.min(until, performance.now() + LIVENESS_CHECK_MS) };
      } finally {
        Atomics.sub(this.i32, R_WAITING, 1);
      }
    }
  }

  private *pollSteps(until: number, gone: (() => boolean) | undefined): Steps<boolean | 'eof'> {
    const waited = yield* this.waitData(4, until, gone);
    return waited === 'ok' ? true : waited === 'eof' ? 'eof' : false;
  }

  private *readSteps(until: number, gone: (() => boolean) | undefined, into?: Uint8Array): Steps<RingRead> {
    this.check();
    let got: Acquired | false;
    for (;;) {
      // Nothing there: wait for it with the lock free. A reader that slept holding it would
      // make every other reader sleep on the lock too, and each of its unlocks a wake-up call.
      const waited = yield* this.waitData(4, until, gone);
      if (waited !== 'ok') return waited;
      got = yield* this.readers.lockSteps(this.me, until);
      if (got === false) return 'timeout';
      if (got === 'abandoned' && Atomics.load(this.i32, R_LEFT) !== 0) break; // the dead reader's message first
      if (this.used() >= 4) break;
      this.readers.unlock(this.me); // another reader took it first
    }
    try {
      if (got === 'abandoned' && Atomics.load(this.i32, R_LEFT) !== 0) {
        // A reader died in the middle of a streamed message: the rest of it is skipped (the message died with it).
        yield* this.stream(undefined, Atomics.load(this.i32, R_LEFT), gone);
      }
      const waited = yield* this.waitData(4, until, gone);
      if (waited !== 'ok') return waited;
      const head = Atomics.load(this.i32, HEAD);
      const word = this.words[(head & (this.capacity - 1)) >> 2]!;
      const length = lengthOf(word);
      const whole = 4 + pad4(length);
      if (whole <= this.capacity) {
        const message = taken(newMessage(length), word);
        this.copyOut(head + 4, message, 0, length);
        this.count(TAKEN);
        Atomics.store(this.i32, HEAD, (head + whole) | 0);
        this.consumed();
        return message;
      }
      // Streamed: straight into the caller's memory when it fits (the fresh message is never touched then).
      const target = into !== undefined && length <= into.byteLength ? into.subarray(0, length) : newMessage(length);
      Atomics.store(this.i32, R_LEFT, pad4(length));
      this.count(TAKEN);
      Atomics.store(this.i32, HEAD, (head + 4) | 0);
      this.consumed();
      yield* this.stream(target, pad4(length), gone);
      return target;
    } finally {
      this.readers.unlock(this.me);
    }
  }

  /** Reads `left` bytes of a streamed message into `into` (or drops them). */
  private *stream(into: Uint8Array | undefined, left: number, gone: (() => boolean) | undefined): Steps<void> {
    let at = into === undefined ? 0 : pad4(into.byteLength) - left;
    let head = Atomics.load(this.i32, HEAD);
    while (left > 0) {
      const writerDead = (): boolean => {
        const owner = this.writers.owner();
        return (owner !== 0 && !isHeapAlive(owner)) || (gone?.() ?? false);
      };
      // As the writer: an eighth of the ring at a time, so the two copy side by side.
      const waited = yield* this.waitData(Math.min(left, this.capacity >> 3), Infinity, writerDead, true);
      if (waited !== 'ok') this.breakRing('a writer died in the middle of a message');
      const n = Math.min(left, this.capacity >> 3, this.used(), this.capacity - (head & (this.capacity - 1)));
      if (into !== undefined) this.copyOut(head, into, at, Math.max(0, Math.min(n, into.byteLength - at)));
      at += n;
      left -= n;
      head = (head + n) | 0;
      Atomics.store(this.i32, R_LEFT, left);
      Atomics.store(this.i32, HEAD, head);
      this.consumed();
    }
  }

  /** After TAIL moved: wake readers, if any wait (they wait on TAIL, so one that is about to wait sees it moved). */
  private published(): void {
    // One wake-up per sleep: a reader clears R_NOTIFIED before it sleeps, so a burst of writes costs one notify
    // (a notify is dear — tens of µs when the waiter is an Atomics.waitAsync).
    if (Atomics.load(this.i32, R_WAITING) > 0 && Atomics.compareExchange(this.i32, R_NOTIFIED, 0, 1) === 0) wakeWord(this.i32, TAIL);
  }

  /** After HEAD moved: wake writers waiting for space. */
  private consumed(): void {
    if (Atomics.load(this.i32, W_WAITING) > 0 && Atomics.compareExchange(this.i32, W_NOTIFIED, 0, 1) === 0) wakeWord(this.i32, HEAD);
  }

  /** Copies `n` bytes of `src` from `from` into the ring at stream position `pos`, wrapping at the end. */
  private copyIn(pos: number, src: Uint8Array, from: number, n: number): void {
    const at = pos & (this.capacity - 1);
    const first = Math.min(n, this.capacity - at);
    if (first === n && from === 0 && n === src.byteLength) this.data.set(src, at); // the common case, without a view
    else this.data.set(src.subarray(from, from + first), at);
    if (first < n) this.data.set(src.subarray(from + first, from + n), 0);
  }

  private copyOut(pos: number, dst: Uint8Array, to: number, n: number): void {
    const at = pos & (this.capacity - 1);
    const first = Math.min(n, this.capacity - at);
    if (first === n && n <= 64) {
      // A few bytes: a loop costs less than the view `set` needs.
      for (let i = 0; i < n; i++) dst[to + i] = this.data[at + i]!;
      return;
    }
    dst.set(this.data.subarray(at, at + first), to);
    if (first < n) dst.set(this.data.subarray(0, n - first), to + first);
  }
}

const RESOLVED_OK: Promise<RingWrite> = Promise.resolve('ok');

function pad4(n: number): number {
  return (n + 3) & ~3;
}

