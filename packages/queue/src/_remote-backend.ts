import { WriteWindow, connectRemote, flushBeforeExit, type RemoteObject, type ServedRef } from '@ipc/core';
import type { QueueBackend } from './_backend.js';
import { Lease } from './_lease.js';
import { deadline, rejected, waitInLine } from './_waits.js';
import { Empty } from './errors.js';
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
 * This heap's holders of unbounded queues that may have puts not yet home
 * (their puts resolved at once). A sync call of any
 * queue takes them home first: the event loop is about to block, and would
 * send none of them (Python's feeder threads go on sending while a caller
 * blocks — a child that puts 'ready' on one queue and then blocks on
 * another must not keep 'ready' from its reader).
 */
const withPuts = new Set<RemoteBackend>();

/**
 * A queue whose home is another process: every operation is done there,
 * through its broker. Why it batches: each call is a round trip (~100 µs).
 * So a get brings back what else is already waiting (kept here for the next
 * gets: a *lease*; while it is out nobody else takes, so this process tells
 * its home how many it handed out as soon as it has handed out all, or is
 * asked for the lease back (a `watchLease` call kept open), or ends), and a
 * put to an unbounded queue does not wait for its home (as Python's feeder
 * thread does not), within a window. Batches travel packed into one byte
 * string each way (`_packed.ts`).
 */
export class RemoteBackend implements QueueBackend {
  private readonly remote: RemoteObject;
  /** Items of the last batch not handed out yet. */
  private readonly buffered = new Lease();
  private readonly lease = nextLease++;
  /** The number of the last trip for items. */
  private grant = 0;
  /** The trip whose lease (more than one item) is out and not reported yet; 0 when none. */
  private watching = 0;
  /** The open `watchLease` call: one at a time, kept open across leases until the home answers it. */
  private watch: AbortController | undefined;
  /** The last lease reported, and how many of it were handed out: the next trip says it again (it may come first, on another connection). */
  private reported: [grant: number, handed: number] = [0, 0];
  /** Reports on their way home: this process waits for them before it ends. */
  private readonly reports = new Set<Promise<unknown>>();
  private unregisterRelease: (() => void) | undefined;
  /**
   * The batches of puts to an unbounded queue, not waited for one by one: this process waits for them
   * before it ends, and a failure reaches the next put. (Their size, not this, bounds how many are in flight.)
   */
  private readonly puts = new WriteWindow(Infinity, Infinity);
  /** Puts on their way home, so `flushed()` (and process exit, through the pending I/O) waits for them. */
  private readonly inFlight = new Set<Promise<unknown>>();
  /**
   * The number of this holder's last batch or `putSync` sent home. The home puts each one's items in
   * after those of the one before, and a sync call (which cannot let the event loop send what waits)
   * names the last number: its home does it only after those puts (`putsHome()`).
   */
  private issued = 0;
  /** Batches sent and not yet answered, by number: a sync call carries them again (the home does each once). */
  private readonly unanswered = new Map<number, Uint8Array>();

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
    if (block && timeout == null && signal === undefined) {
      if (this.maxsize > 0) return this.batched(bytes);
      return this.windowed(bytes);
    }
    // Any other put waits for the batches before it, then goes alone. Not numbered: a sync call must never wait at home
    // for a call still in this event loop, and its own order is kept here (the batch after it leaves once it is answered).
    return this.track(this.settledBefore().then(() => this.remote.call('put', [own(bytes), block, timeout], { signal })));
  }

  private batch: Gathering | undefined;
  private batchDone: Promise<unknown> | undefined;
  /** Resolves once the gathering batch has left (so the next put starts another). */
  private batchLeaves: Promise<void> = RESOLVED;
  /** The last call of this holder's puts: the next batch leaves once it settles. */
  private last: Promise<unknown> = Promise.resolve();

  private batched(bytes: Uint8Array): Promise<void> {
    if (this.batch === undefined) {
      if (this.maxsize <= 0) withPuts.add(this);
      const gathering: Gathering = { items: new Packer() };
      this.batch = gathering;
      this.batchLeaves = this.settledBefore();
      this.batchDone = this.track(this.batchLeaves.then(() => this.leave(gathering)));
    }
    this.batch.items.push(bytes);
    return this.batchDone as Promise<void>;
  }

  /** Sends a batch home, numbered (once: `putsHome()` may have sent it already); puts from now on make the next batch. */
  private leave(gathering: Gathering): Promise<unknown> {
    if (gathering.sent === undefined) {
      if (this.batch === gathering) this.batch = undefined;
      const seq = ++this.issued;
      const packed = gathering.items.take();
      this.unanswered.set(seq, packed);
      const sent = this.remote.call('putMany', [packed, this.lease, seq]);
      gathering.sent = sent;
      void sent.finally(() => this.unanswered.delete(seq)).catch(() => undefined);
    }
    return gathering.sent;
  }

  /**
   * What a sync call carries so that its home does this holder's puts before
   * it: the batch gathering and the batches not yet answered (numbered; the
   * home does each once, whichever copy comes first), and the number of the
   * last put call. Why: the thread is about to block, so what waits in this
   * event loop would not leave (a connection still opening writes nothing);
   * Python's feeder thread sends them while the caller blocks. Without it a
   * put followed by `getSync()` waited in vain for its own item, and a
   * `putSync()` overtook the puts before it.
   */
  private putsHome(own = this.maxsize <= 0): SyncPuts | [] {
    for (const other of withPuts) if (other !== this) other.sendAlong();
    // A bounded queue's puts resolve once home has them; one still waiting for room must not hold up a get or a qsize().
    return own ? this.ownPuts() : [];
  }

  private ownPuts(): SyncPuts {
    const gathering = this.batch;
    if (gathering !== undefined) {
      this.batch = undefined;
      const seq = ++this.issued;
      this.unanswered.set(seq, gathering.items.take());
      // Its puts resolve: the sync call takes it home (or fails, and the next put hears of it).
      gathering.sent = RESOLVED;
      const carried: SyncPuts = [this.issued, [...this.unanswered]];
      this.unanswered.delete(seq);
      return carried;
    }
    if (this.unanswered.size === 0) withPuts.delete(this);
    return [this.issued, [...this.unanswered]];
  }

  /** Another queue's sync call is about to block this thread: this holder's batches go home now, through a sync call of their own. */
  private sendAlong(): void {
    const [, batches] = this.ownPuts();
    if (batches.length === 0) return;
    try {
      this.remote.callSync('catchUp', [this.lease, batches]);
    } catch {
      // The home is gone: those puts' next call fails as well.
    }
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
    const gathering = this.batch?.items;
    if (gathering === undefined || (gathering.count < PUT_BATCH && gathering.byteLength < PUT_BATCH_BYTES)) return RESOLVED;
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
    // After this holder's puts before it, even those waiting for room.
    const [, batches] = this.putsHome(true);
    this.remote.callSync('put', [own(bytes), block, timeout, this.lease, ++this.issued, batches]);
  }

  takeReady(): Uint8Array | undefined {
    return this.shift();
  }

  async get(block: boolean, timeout: number | undefined, signal: AbortSignal | undefined): Promise<Uint8Array> {
    const next = this.shift();
    if (next !== undefined) return next;
    const grant = ++this.grant;
    return this.opened((await this.remote.call('getMany', this.trip(block, timeout, grant), { signal })) as Uint8Array, grant);
  }

  getSync(block: boolean, timeout: number | undefined): Uint8Array {
    const next = this.shift();
    if (next !== undefined) return next;
    const grant = ++this.grant;
    const first = this.opened(this.remote.callSync('getMany', [...this.trip(block, timeout, grant), ...this.putsHome()]) as Uint8Array, grant);
    if (this.watching !== grant) this.delivered(grant);
    return first;
  }

  /**
   * A lease of one item ends when its home hears that it was delivered. The
   * helper thread of a sync call may not send that before this process ends
   * (its home then took the item back: delivered twice), so it is also said
   * here, and the process waits for it before it ends.
   */
  private delivered(grant: number): void {
    this.sendReport(grant, 1, false);
    this.unregisterRelease ??= flushBeforeExit(() => this.release());
  }

  /** The next item of the lease. The last one ends it, and nobody takes until the home hears so: it hears at once. */
  private shift(): Uint8Array | undefined {
    const item = this.buffered.shift();
    if (item !== undefined && this.watching !== 0 && this.buffered.left === 0) this.report(true);
    return item;
  }

  /** A trip's arguments. Gets made together (not awaited one by one) each make a trip: the home lends to one after the other's lease has ended. */
  private trip(block: boolean, timeout: number | undefined, grant: number): unknown[] {
    const [lastGrant, lastHanded] = this.reported;
    return [block, timeout, this.lease, this.buffered.wanted(), grant, lastGrant, lastHanded];
  }

  /** A new batch: the first item now, the rest next. A lease of more than one stays out until reported: watch for the home wanting it back. */
  private opened(packed: Uint8Array, grant: number): Uint8Array {
    const first = this.buffered.open(unpack(packed));
    if (this.buffered.left > 0) {
      this.watching = grant;
      this.unregisterRelease ??= flushBeforeExit(() => this.release());
      if (this.watch === undefined) this.openWatch();
    }
    return first;
  }

  /** The long poll the home answers when it wants the lease out back (the broker cannot call this process). */
  private openWatch(): void {
    const watch = new AbortController();
    this.watch = watch;
    const closed = (): void => {
      if (this.watch === watch) this.watch = undefined;
    };
    this.remote.call('watchLease', [this.lease], { signal: watch.signal }).then(
      (revoke) => {
        closed();
        if (revoke === true && this.watching !== 0) this.report();
      },
      closed, // aborted here, or the home gone (it takes the lease back itself)
    );
  }

  /**
   * Tells the home how many items of the lease out were handed out (none
   * will be after): it gives the rest back to the queue, in order. `now`
   * writes it at once: this thread may work long without yielding after its
   * last item, and nobody takes until the home hears it.
   */
  private report(now = false): void {
    this.reported = [this.watching, this.buffered.handed];
    this.watching = 0;
    this.buffered.stop();
    this.sendReport(...this.reported, now);
  }

  /** Tells the home how many of lease `grant` were handed out; this process waits for it before it ends. */
  private sendReport(grant: number, handed: number, flush: boolean): void {
    const call = this.remote.call('release', [this.lease, grant, handed], { flush }).catch(() => undefined);
    this.reports.add(call);
    void call.finally(() => this.reports.delete(call));
  }

  /** Before this process ends (a pool worker: after each task): the lease out is reported, and every report has reached home. */
  private async release(): Promise<void> {
    this.unregisterRelease?.();
    this.unregisterRelease = undefined;
    if (this.watching !== 0) this.report();
    this.watch?.abort();
    while (this.reports.size > 0) await Promise.allSettled([...this.reports]);
  }

  qsize(): number {
    // What this holder took and has not handed out is still in the queue, as far as its user knows; what it
    // put is in it already (as Python's put counts at once): the home answers once it has those puts.
    return (this.remote.callSync('qsize', [this.lease, ...this.putsHome()]) as number) + this.buffered.left;
  }

  taskDone(): void {
    this.remote.callSync('taskDone', [this.lease, ...this.putsHome()]);
  }

  /** Waits for this holder's puts to reach home first: a join after a put waits for that item to be done, as in Python. */
  async join(timeout: number | null | undefined, signal: AbortSignal | undefined): Promise<boolean> {
    const until = deadline(true, timeout);
    try {
      await waitInLine(this.settledBefore(), until, signal, () => new Empty());
    } catch (err) {
      if (err instanceof Empty) return false;
      throw err;
    }
    const left = until === Infinity ? undefined : Math.max(0, until - performance.now());
    return (await this.remote.call('join', [left], { signal })) as boolean;
  }

  async flushed(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  cancelJoin(): void {
    // Nothing is buffered here: what is on its way home still arrives (a child waits for it before it ends).
  }

  servedRef(): ServedRef {
    return this.ref;
  }

  sharedBuffers(): undefined {
    return undefined;
  }
}

/** The number of a holder's last numbered put call, and the batches a sync call carries ([number, packed items]). */
export type SyncPuts = [after: number, batches: [number, Uint8Array][]];

/** The batch of plain puts gathering; `sent` once it has left. */
interface Gathering {
  readonly items: Packer;
  sent?: Promise<unknown>;
}

/** The bytes alone: a view into a larger (pooled) buffer would carry the whole buffer across. */
function own(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}
