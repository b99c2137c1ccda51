import { WriteWindow, connectRemote, flushBeforeExit, type RemoteObject, type ServedRef } from '@ipc/core';
import type { QueueBackend } from './_backend.js';
import { Lease } from './_lease.js';
import { rejected } from './_waits.js';
import { Packer, unpack } from './_packed.js';

/**
 * Puts to an unbounded queue gather in a batch while the batch before it is
 * on its way home; a put waits only when the gathering batch is this full.
 * So at most two batches are in flight.
 */
const PUT_BATCH = 1024;
const PUT_BATCH_BYTES = 1 << 20;
const RESOLVED = Promise.resolve();

let nextLease = 1;

/**
 * A queue whose home is another process: every operation is done there,
 * through its broker. Why it batches: each call is a round trip (~100 µs).
 * So a get brings back what else is already waiting (kept here for the next
 * gets: a *lease* the home takes back if this process goes away, and that
 * this process gives back, less what it handed out, before it ends), and a
 * put to an unbounded queue does not wait for its home (as Python's feeder
 * thread does not), within a window. Batches travel packed into one byte
 * string each way (`_packed.ts`).
 */
export class RemoteBackend implements QueueBackend {
  private readonly remote: RemoteObject;
  /** Items of the last batch not handed out yet. */
  private readonly buffered = new Lease();
  private readonly lease = nextLease++;
  private leaseOpen = false;
  private unregisterRelease: (() => void) | undefined;
  /**
   * The batches of puts to an unbounded queue, not waited for one by one: this process waits for them
   * before it ends, and a failure reaches the next put. (Their size, not this, bounds how many are in flight.)
   */
  private readonly puts = new WriteWindow(Infinity, Infinity);
  /** Puts on their way home, so `flushed()` (and process exit, through the pending I/O) waits for them. */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    readonly maxsize: number,
    private readonly ref: ServedRef,
  ) {
    this.remote = connectRemote(ref);
  }

  /**
   * A plain put (blocking, no timeout, no signal) joins the batch of this
   * tick: the puts of one tick travel home as one call, and each resolves
   * when its home has them all. One batch is on its way at a time, so the
   * items arrive in the order they were put.
   */
  put(bytes: Uint8Array, block: boolean, timeout: number | undefined, signal: AbortSignal | undefined): Promise<void> {
    if (block && timeout === undefined && signal === undefined) {
      if (this.maxsize > 0) return this.batched(bytes);
      return this.windowed(bytes);
    }
    // Any other put waits for the batches before it, then goes alone.
    return this.track(this.settledBefore().then(() => this.remote.call('put', [own(bytes), block, timeout], { signal })));
  }

  private batch: Packer | undefined;
  private batchDone: Promise<unknown> | undefined;
  /** Resolves once the gathering batch has left (so the next put starts another). */
  private batchLeaves: Promise<void> = RESOLVED;
  /** The last call of this holder's puts: the next batch leaves once it settles. */
  private last: Promise<unknown> = Promise.resolve();

  private batched(bytes: Uint8Array): Promise<void> {
    if (this.batch === undefined) {
      const items = new Packer();
      this.batch = items;
      this.batchLeaves = this.settledBefore();
      this.batchDone = this.track(
        this.batchLeaves.then(() => {
          this.batch = undefined; // puts from now on make the next batch
          return this.remote.call('putMany', [items.take()]);
        }),
      );
    }
    this.batch.push(bytes);
    return this.batchDone as Promise<void>;
  }

  /** An unbounded queue cannot be full: the put is on its way, and only a full batch waits (for it to leave). */
  private windowed(bytes: Uint8Array): Promise<void> {
    try {
      this.puts.throwFailure();
    } catch (err) {
      return rejected(err);
    }
    const fresh = this.batch === undefined;
    const done = this.batched(bytes);
    if (fresh) this.puts.track(done, 0);
    const gathering = this.batch!;
    if (gathering.count < PUT_BATCH && gathering.byteLength < PUT_BATCH_BYTES) return RESOLVED;
    return this.batchLeaves.then(() => this.puts.throwFailure());
  }

  private settledBefore(): Promise<void> {
    const before = this.last;
    return before.then(
      () => undefined,
      () => undefined,
    );
  }

  private track(call: Promise<unknown>): Promise<void> {
    this.last = call;
    this.inFlight.add(call);
    const done = call.then(() => undefined);
    void call.finally(() => this.inFlight.delete(call)).catch(() => undefined);
    return done;
  }

  putSync(bytes: Uint8Array, block: boolean, timeout: number | undefined): void {
    this.remote.callSync('put', [own(bytes), block, timeout]);
  }

  takeReady(): Uint8Array | undefined {
    return this.buffered.shift();
  }

  async get(block: boolean, timeout: number | undefined, signal: AbortSignal | undefined): Promise<Uint8Array> {
    const next = this.buffered.shift();
    if (next !== undefined) return next;
    return this.opened((await this.remote.call('getMany', [block, timeout, this.lease, this.buffered.wanted()], { signal })) as Uint8Array);
  }

  getSync(block: boolean, timeout: number | undefined): Uint8Array {
    const next = this.buffered.shift();
    if (next !== undefined) return next;
    return this.opened(this.remote.callSync('getMany', [block, timeout, this.lease, this.buffered.wanted()]) as Uint8Array);
  }

  /** A new batch: the first item now, the rest next; before this process ends, the home hears what was not used. */
  private opened(packed: Uint8Array): Uint8Array {
    const first = this.buffered.open(unpack(packed));
    this.leaseOpen = true;
    this.unregisterRelease ??= flushBeforeExit(() => this.release());
    return first;
  }

  /** Ends the lease: what was not handed out goes back to the queue, in order. */
  private async release(): Promise<void> {
    this.unregisterRelease?.();
    this.unregisterRelease = undefined;
    if (!this.leaseOpen) return;
    this.leaseOpen = false;
    const unused = new Packer();
    for (const item of this.buffered.takeRest()) unused.push(item);
    await this.remote.call('release', [this.lease, unused.take()]).catch(() => undefined);
  }

  qsize(): number {
    // What this holder took and has not handed out is still in the queue, as far as its user knows.
    return (this.remote.callSync('qsize') as number) + this.buffered.left;
  }

  taskDone(): void {
    this.remote.callSync('taskDone');
  }

  join(timeout: number | undefined, signal: AbortSignal | undefined): Promise<boolean> {
    return this.remote.call('join', [timeout], { signal }) as Promise<boolean>;
  }

  async flushed(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  dropBuffered(): void {
    // Nothing is buffered here: a put resolves once its home has the item.
  }

  servedRef(): ServedRef {
    return this.ref;
  }

  sharedBuffers(): undefined {
    return undefined;
  }
}

/** The bytes alone: a view into a larger (pooled) buffer would carry the whole buffer across. */
function own(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}
