/**
 * A queue in shared memory: the items in a SharedRing, the counts in a small
 * Int32Array beside it. Every thread of the process that holds the queue
 * works on the same memory; other processes come through `serve`.
 */
import { ArgumentError, SharedRing, StateError, acknowledged, checkTimeout, heapId, isHeapAlive, serve, waitWord, waitWordSync, wakeWord, type BrokerCaller, type Served, type ServedRef } from '@ipc/core';
import type { QueueBackend } from './_backend.js';
import { Empty, Full } from './errors.js';

const COUNT = 0; // items accepted and not yet taken (Python's qsize)
const UNFINISHED = 1; // items put and not yet marked done (JoinableQueue)
const COUNT_WAITERS = 2;
// [heap id, items] rows: what each thread accepted and still holds in its own buffer. If that
// thread dies, those items die with it (as with Python's feeder thread), and the counts must say so.
const BUFFERED = 4;
const BUFFER_ROWS = 64;
const STATE_WORDS = BUFFERED + BUFFER_ROWS * 2;

/** Big enough that producers rarely wait for bytes; items larger than it stream through. */
const RING_BYTES = 1 << 20;

export class SharedBackend implements QueueBackend {
  private readonly ring: SharedRing;
  private readonly state: Int32Array;
  /** Items this heap accepted and could not write yet: Python's feeder-thread buffer. */
  private readonly pending: Uint8Array[] = [];
  private flushing: Promise<void> | undefined;
  private serving: ServedRef | undefined;

  constructor(
    readonly maxsize: number,
    buffers?: { ring: SharedArrayBuffer; state: SharedArrayBuffer },
  ) {
    this.ring = buffers ? SharedRing.attach(buffers.ring) : SharedRing.create(RING_BYTES);
    this.state = new Int32Array(buffers?.state ?? new SharedArrayBuffer(STATE_WORDS * 4));
  }

  sharedBuffers(): { ring: SharedArrayBuffer; state: SharedArrayBuffer } {
    return { ring: this.ring.buffer, state: this.state.buffer as SharedArrayBuffer };
  }

  qsize(): number {
    this.forgetDeadBuffers();
    return Atomics.load(this.state, COUNT);
  }

  async put(bytes: Uint8Array, block: boolean, timeout: number | undefined, signal: AbortSignal | undefined): Promise<void> {
    const until = deadline(block, timeout);
    if (signal?.aborted) throw signal.reason;
    while (!this.reserve()) {
      this.forgetDeadBuffers();
      const seen = Atomics.load(this.state, COUNT);
      if (seen < this.maxsize) continue;
      const left = until - performance.now();
      if (left <= 0) throw new Full();
      Atomics.add(this.state, COUNT_WAITERS, 1);
      try {
        await waitWord(this.state, COUNT, seen, { timeout: Math.min(left, 100), signal });
      } finally {
        Atomics.sub(this.state, COUNT_WAITERS, 1);
      }
    }
    this.accept(bytes);
  }

  putSync(bytes: Uint8Array, block: boolean, timeout: number | undefined): void {
    const until = deadline(block, timeout);
    while (!this.reserve()) {
      this.forgetDeadBuffers();
      const seen = Atomics.load(this.state, COUNT);
      if (seen < this.maxsize) continue;
      const left = until - performance.now();
      if (left <= 0) throw new Full();
      Atomics.add(this.state, COUNT_WAITERS, 1);
      try {
        waitWordSync(this.state, COUNT, seen, Math.min(left, 100));
      } finally {
        Atomics.sub(this.state, COUNT_WAITERS, 1);
      }
    }
    // Sync code may never give the event loop a turn to flush a buffer: wait for bytes here instead.
    if (this.pending.length === 0) this.ring.writeSync(bytes);
    else this.accept(bytes);
  }

  /** Takes a place for one item if the queue has room; false when it is full. */
  private reserve(): boolean {
    Atomics.add(this.state, UNFINISHED, 1);
    if (this.maxsize <= 0) {
      Atomics.add(this.state, COUNT, 1);
      return true;
    }
    const seen = Atomics.load(this.state, COUNT);
    if (seen < this.maxsize && Atomics.compareExchange(this.state, COUNT, seen, seen + 1) === seen) return true;
    Atomics.sub(this.state, UNFINISHED, 1);
    return false;
  }

  /** Writes an item whose place is taken: now if it fits, else in order after what is buffered. */
  private accept(bytes: Uint8Array): void {
    if (this.pending.length === 0 && this.ring.writeSync(bytes, { timeout: 0 }) === 'ok') return;
    this.pending.push(bytes);
    this.buffered(1);
    this.flushing ??= this.flush();
  }

  private async flush(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        await this.ring.write(this.pending[0]!);
        this.pending.shift();
        this.buffered(-1);
      }
    } finally {
      this.flushing = undefined;
    }
  }

  /** Counts this heap's buffered items in shared memory. */
  private buffered(delta: number): void {
    const me = heapId();
    let free = -1;
    for (let r = 0; r < BUFFER_ROWS; r++) {
      const at = BUFFERED + r * 2;
      const who = Atomics.load(this.state, at);
      if (who === me) {
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
    const dropped = this.pending.splice(0);
    if (dropped.length > 0) {
      this.buffered(-dropped.length);
      Atomics.sub(this.state, UNFINISHED, dropped.length);
      this.taken(dropped.length);
    }
  }

  async get(block: boolean, timeout: number | undefined, signal: AbortSignal | undefined): Promise<Uint8Array> {
    const got = await this.ring.read({ timeout: block ? timeout : 0, signal });
    return this.took(got);
  }

  getSync(block: boolean, timeout: number | undefined): Uint8Array {
    return this.took(this.ring.readSync({ timeout: block ? timeout : 0 }));
  }

  private took(got: Uint8Array | 'eof' | 'timeout'): Uint8Array {
    if (!(got instanceof Uint8Array)) throw new Empty();
    this.taken(1);
    return got;
  }

  private taken(n: number): void {
    Atomics.sub(this.state, COUNT, n);
    if (Atomics.load(this.state, COUNT_WAITERS) > 0) wakeWord(this.state, COUNT);
  }

  /** An item taken for a caller that never got it: back into the queue (at the end: a ring has no front door). */
  requeue(bytes: Uint8Array): void {
    Atomics.add(this.state, COUNT, 1);
    this.accept(bytes);
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

function deadline(block: boolean, timeout: number | undefined): number {
  if (!block) return 0;
  const ms = checkTimeout(timeout);
  return ms === Infinity ? Infinity : performance.now() + ms;
}

/** The queue as other processes reach it: each operation done here, on their behalf. */
function serveQueue(queue: SharedBackend): { ref: ServedRef; unserve: () => void } {
  const served: Served & { queue: SharedBackend } = {
    queue,
    async call(op: string, args: readonly unknown[], _caller: BrokerCaller, signal: AbortSignal): Promise<unknown> {
      switch (op) {
        case 'put': {
          const [bytes, block, timeout] = args as [Uint8Array, boolean, number | undefined];
          await queue.put(bytes, block, timeout, signal);
          return undefined;
        }
        case 'get': {
          const [block, timeout] = args as [boolean, number | undefined];
          const bytes = await queue.get(block, timeout, signal);
          // If the caller never receives it (it died, or gave up), the item goes back into the queue.
          return acknowledged(bytes, () => queue.requeue(bytes));
        }
        case 'qsize':
          return queue.qsize();
        case 'taskDone':
          return queue.taskDone();
        case 'join': {
          const [timeout] = args as [number | undefined];
          return queue.join(timeout, signal);
        }
        default:
          throw new ArgumentError(`no queue operation ${op}`);
      }
    },
  };
  const serving = serve(served);
  return { ref: { address: serving.address, id: serving.id, token: serving.token }, unserve: () => serving.unserve() };
}
