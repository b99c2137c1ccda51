/**
 * One end of a pipe whose home is this process: it reads one ring and writes
 * the other (a one-way pipe's ends have one of each). Threads of this process
 * work on the rings directly; other processes come through the broker, which
 * does their sends and receives here.
 */
import { EOFError, SharedRing, StateError, acknowledged, heapId, isMarkedMessage, serve, type ReduceContext, type RingWrite, type Served, type ServedRef } from '@ipc/core';
import { Holders } from './_holders.js';
import { serialize as v8Serialize } from 'node:v8';
import { detach, movable, takeOver } from './_detach.js';
import { MovedValue, canMoveTo, cancelMove, closeLanes, joinPipe, leavePipe, moveTo, openLanes, rescue, takeMoved, type LaneDescriptor, type Rescued } from './_lanes.js';
import { copiedForm, serializeMoving } from './_moving-codec.js';
import type { FrameTransport, Received } from './_transport.js';
import { BrokenPipeError } from './errors.js';

/**
 * Pipes (by their holder table) that this thread serves to other processes. The broker answers
 * them in this thread's event loop, so a sync twin here must never block: the message it would
 * wait for could only come through the loop it blocks.
 */
const servedByThisThread = new WeakSet<SharedArrayBuffer>();

const wouldHang = (what: string, instead: string): StateError =>
  new StateError(`${what} would wait here for a process that this very thread serves the pipe to, and so never return: use ${instead} (the async form), or look with pollSync(0) first`);

/** The most messages one remote receive takes at once. */
const MAX_BATCH = 256;

/** `op()` as a promise, a throw as its rejection. */
function startNow<T>(op: () => T | Promise<T>): Promise<T> {
  try {
    return Promise.resolve(op());
  } catch (err) {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what was thrown, as an async function would reject
    return Promise.reject(err);
  }
}

/** A received message as bytes for another process: a value moved here goes on in the form a copied one has. */
const wireForm = (got: Received): Uint8Array | 'eof' | 'timeout' => (got instanceof MovedValue ? copiedForm(got.bytes, got.buffers) : got);

const fitsRing = (ring: SharedRing, length: number): boolean => 4 + ((length + 3) & ~3) <= ring.capacity;

export interface RingEndData {
  /** The pipe's id, the same in every thread (its lanes are found by it). */
  id: number;
  inRing: SharedArrayBuffer | undefined;
  outRing: SharedArrayBuffer | undefined;
  holders: SharedArrayBuffer;
  end: number;
}

/** A ring end as it crosses to another thread. */
export interface RingEndDescriptor {
  t: 'ring';
  data: RingEndData;
  ticket: number;
  lanes?: LaneDescriptor[];
  rescued?: Rescued[];
}

/** How long a move waits for the lane lock (held only for a few sync steps) before it copies instead. */
const LANE_LOCK_MS = 50;
/**
 * Smaller messages are copied through the ring, cheaper than a port; and so a Buffer of Node's
 * shared pool (always smaller: `Buffer.poolSize >>> 1`) never goes through a lane, where the
 * whole 8 KiB pool would be copied and handed over with it.
 */
const MOVE_AT_LEAST = 4096;

export class RingEnd implements FrameTransport {
  private readonly inRing: SharedRing | undefined;
  private readonly outRing: SharedRing | undefined;
  private readonly holders: Holders;
  private closed = false;
  /** Messages taken for a remote reader that never got them: read again before the ring. */
  private readonly returned: Uint8Array[] = [];
  private serving: ServedRef | undefined;
  /** The last of the remote holders' sends still under way, and how many are. */
  private remoteWrites: Promise<void> = Promise.resolve();
  private remoteWritesRunning = 0;
  /** Whether no one holds the other end any more. */
  private readonly gone: (often?: boolean) => boolean;

  constructor(
    private readonly data: RingEndData,
    ticket?: number,
    crossed?: Pick<RingEndDescriptor, 'lanes' | 'rescued'>,
  ) {
    this.inRing = data.inRing && SharedRing.attach(data.inRing);
    this.outRing = data.outRing && SharedRing.attach(data.outRing);
    this.holders = new Holders(new Int32Array(data.holders));
    this.gone = this.holders.goneCheck(1 - data.end);
    joinPipe(data.id, crossed?.lanes, crossed?.rescued);
    if (ticket === undefined) this.holders.add(heapId(), data.end, 1);
    else this.holders.claim(ticket, heapId(), data.end);
  }

  get ringData(): RingEndData {
    return this.data;
  }

  get readable(): boolean {
    return this.inRing !== undefined;
  }

  get writable(): boolean {
    return this.outRing !== undefined;
  }

  async send(bytes: Uint8Array, signal: AbortSignal | undefined): Promise<void> {
    const out = this.checkSend();
    if ((await out.write(bytes, { signal, gone: this.gone })) === 'gone') throw new BrokenPipeError();
  }

  sendSync(bytes: Uint8Array): void {
    const out = this.checkSend();
    if (out.writeNow(bytes)) return; // room now: no wait, so nothing to decide about blocking
    if (!this.mayBlock()) {
      if (!fitsRing(out, bytes.byteLength)) throw wouldHang(`sendSync of ${bytes.byteLength} bytes (more than the ring holds)`, 'send()');
      const done = out.writeSync(bytes, { timeout: 0, gone: this.gone });
      if (done === 'timeout') throw wouldHang('sendSync on a full pipe', 'send()');
      if (done === 'gone') throw new BrokenPipeError();
      return;
    }
    if (out.writeSync(bytes, { gone: this.gone }) === 'gone') throw new BrokenPipeError();
  }

  /**
   * Sends the caller's bytes and takes their ArrayBuffer from it (detached there): moved to the
   * reading thread through a lane where there is one (see _lanes.ts), else copied as `send` does.
   */
  async sendMoved(callers: Uint8Array, signal: AbortSignal | undefined): Promise<void> {
    const out = this.checkSend();
    const note = callers.byteLength < MOVE_AT_LEAST ? undefined : this.moveToReader(callers);
    if (note === undefined) return this.send(takeOver(callers), signal);
    await this.writeNote(out, note, signal);
  }

  /**
   * As sendMoved. Where this thread may not block (it serves the pipe), always a copy, and the
   * buffer detached only once it is in the ring: a sync send that must refuse (StateError) takes nothing.
   */
  sendMovedSync(callers: Uint8Array): void {
    const out = this.checkSend();
    movable(callers.buffer); // refused before anything is sent
    const note = callers.byteLength < MOVE_AT_LEAST || !this.mayBlock() ? undefined : this.moveToReader(callers);
    if (note !== undefined) return this.writeNoteSync(out, note);
    this.sendSync(callers); // copied into the ring before it returns
    takeOver(callers);
  }

  /** A value moving `buffers`: through a lane as sendMoved, else copied (v8's form) with the buffers detached. */
  async sendMovedValue(tree: unknown, buffers: readonly ArrayBuffer[], signal: AbortSignal | undefined): Promise<void> {
    const out = this.checkSend();
    const note = this.moveValueToReader(tree, buffers);
    if (note !== undefined) return this.writeNote(out, note, signal);
    const bytes = v8Serialize(tree);
    detach(buffers);
    return this.send(bytes, signal);
  }

  sendMovedValueSync(tree: unknown, buffers: readonly ArrayBuffer[]): void {
    const out = this.checkSend();
    const note = this.mayBlock() ? this.moveValueToReader(tree, buffers) : undefined;
    if (note !== undefined) return this.writeNoteSync(out, note);
    this.sendSync(v8Serialize(tree));
    detach(buffers);
  }

  /** A value's note, when its buffers are worth moving and a lane leads to its reader. */
  private moveValueToReader(tree: unknown, buffers: readonly ArrayBuffer[]): Uint8Array | undefined {
    if (buffers.reduce((n, b) => n + b.byteLength, 0) < MOVE_AT_LEAST) return undefined;
    // Not written in the moving form unless it will likely move (else it would be written twice). It moves
    // nothing, and may take a while for a big tree: written before the lock is taken.
    const reader = this.holders.soleHolder(1 - this.data.end);
    if (reader === undefined || !canMoveTo(this.data.id, reader, this.claimedBy)) return undefined;
    return this.moveToReader(new MovedValue(serializeMoving(tree, buffers), buffers));
  }

  /** Writes a move's note; if it cannot be written (aborted, the reader gone), the move is cancelled on its lane. */
  private async writeNote(out: SharedRing, note: Uint8Array, signal: AbortSignal | undefined): Promise<void> {
    return this.noteWritten(note, await out.write(note, { signal, gone: this.gone, marked: true }).catch(this.cancelling(note)));
  }

  /** Only where this thread may block (see sendMovedSync). */
  private writeNoteSync(out: SharedRing, note: Uint8Array): void {
    if (out.writeNow(note, true)) return;
    let done: RingWrite;
    try {
      done = out.writeSync(note, { gone: this.gone, marked: true });
    } catch (err) {
      return this.cancelling(note)(err);
    }
    this.noteWritten(note, done);
  }

  private noteWritten(note: Uint8Array, done: RingWrite): void {
    if (done === 'gone') this.cancelling(note)(new BrokenPipeError());
  }

  /** Cancels the move of `note`, then throws `err`. */
  private cancelling(note: Uint8Array): (err: unknown) => never {
    return (err) => {
      cancelMove(this.data.id, note);
      throw err;
    };
  }

  /** The note for a move to the one thread that reads the other end, or undefined (nothing moved). */
  private moveToReader(what: Uint8Array | MovedValue): Uint8Array | undefined {
    const lock = this.holders.laneLock;
    if (lock.lockSync(LANE_LOCK_MS) === false) return undefined;
    try {
      const reader = this.holders.soleHolder(1 - this.data.end);
      return reader === undefined ? undefined : moveTo(this.data.id, reader, what, this.claimedBy);
    } finally {
      lock.unlock();
    }
  }

  private readonly claimedBy = (ticket: number): number | undefined => this.holders.claimedBy(ticket);

  /** A message read from the ring: a note stands for bytes moved through a lane. */
  private readonly landed = (got: Received): Received => (got instanceof Uint8Array && isMarkedMessage(got) ? this.moved(got) : got);

  private moved(note: Uint8Array): Buffer | MovedValue {
    const bytes = takeMoved(this.data.id, note);
    if (bytes === undefined) throw new StateError('a message sent with transfer could not be found: its bytes were lost (please report this)');
    return bytes;
  }

  /**
   * Whether a sync twin may block this thread, and an async wait watch the ring before it sleeps: neither
   * where the pipe is served from here — what it waits for comes through this very thread's event loop.
   */
  private mayBlock(): boolean {
    return !servedByThisThread.has(this.data.holders);
  }

  private checkSend(): SharedRing {
    if (this.outRing === undefined) throw new StateError('connection is read-only');
    if (this.gone(true)) throw new BrokenPipeError();
    return this.outRing;
  }

  async recv(timeout: number | undefined, signal: AbortSignal | undefined, into?: Uint8Array): Promise<Received> {
    const back = this.returned.shift();
    if (back !== undefined) return back;
    const ring = this.reading();
    const now = ring.readNow();
    if (now !== undefined) return this.landed(now);
    return ring.read({ timeout, signal, gone: this.gone, into, spin: this.mayBlock() }).then(this.landed);
  }

  recvSync(timeout: number | undefined, into?: Uint8Array): Received {
    const back = this.returned.length > 0 ? this.returned.shift() : undefined;
    if (back !== undefined) return back;
    const ring = this.reading();
    const now = ring.readNow(); // there now: no wait, so nothing to decide about blocking
    if (now !== undefined) return this.landed(now);
    if (!this.mayBlock()) {
      const there = ring.pollSync({ timeout: 0, gone: this.gone });
      if (there === 'eof') return 'eof';
      if (there === false && timeout === 0) return 'timeout';
      const length = ring.peekLength();
      if (there === false || length === undefined || !fitsRing(ring, length)) throw wouldHang('recvSync', 'recv()');
      return this.landed(ring.readSync({ timeout: 0, gone: this.gone }));
    }
    return this.landed(ring.readSync({ timeout, gone: this.gone, into }));
  }

  async poll(timeout: number | undefined, signal: AbortSignal | undefined): Promise<boolean> {
    if (this.returned.length > 0) return true;
    return (await this.reading().poll({ timeout, signal, gone: this.gone, spin: this.mayBlock() })) !== false;
  }

  pollSync(timeout: number | undefined): boolean {
    if (this.returned.length > 0) return true;
    if (!this.mayBlock() && timeout !== 0) {
      if (this.reading().pollSync({ timeout: 0, gone: this.gone }) !== false) return true;
      throw wouldHang(`pollSync(${timeout ?? 'Infinity'})`, 'poll()');
    }
    return this.reading().pollSync({ timeout, gone: this.gone }) !== false;
  }

  /** A message that is there now, whole (never one still being streamed in), or undefined. */
  takeNow(): Uint8Array | undefined {
    const back = this.returned.shift();
    if (back !== undefined) return back;
    const ring = this.inRing;
    if (ring === undefined || !ring.hasMessage()) return undefined;
    const length = ring.peekLength();
    if (length === undefined || !fitsRing(ring, length)) return undefined;
    const got = wireForm(this.landed(ring.readSync({ timeout: 0 })));
    return got instanceof Uint8Array ? got : undefined;
  }

  /** Messages a remote reader took but did not use: read again first, in their order. */
  giveBack(messages: readonly Uint8Array[]): void {
    for (let i = messages.length - 1; i >= 0; i--) this.returned.unshift(messages[i]!);
  }

  /**
   * Runs the remote holders' sends (and their detach) one after the other, in arrival order. With none
   * under way, at once: behind a settled promise it would wait a microtask, after the other calls of the
   * same frame (a receive that sets up its wait first) — ~20 µs of a process round trip.
   */
  inOrder<T>(op: () => T | Promise<T>): Promise<T> {
    const run = this.remoteWritesRunning === 0 ? startNow(op) : this.remoteWrites.then(op, op);
    this.remoteWritesRunning++;
    const done = (): void => void this.remoteWritesRunning--;
    this.remoteWrites = run.then(done, done);
    return run;
  }

  private reading(): SharedRing {
    if (this.inRing === undefined) throw new StateError('connection is write-only');
    return this.inRing;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.holders.add(heapId(), this.data.end, -1);
    leavePipe(this.data.id, servedByThisThread.has(this.data.holders));
    // Wake the peers' readers and writers so they look again at who is left.
    this.inRing?.wakeAll();
    this.outRing?.wakeAll();
  }

  reduce(ctx: ReduceContext): unknown {
    // Under the lane lock: no move to this thread can slip in between the new ticket and the rescue.
    const lock = this.holders.laneLock;
    lock.lockSync();
    try {
      const ticket = this.holders.reserve(this.data.end);
      // The journey abandoned (the rest of the value failed, the Worker did not start): the ticket would count as a holder for minutes.
      ctx.onAbandon?.(() => this.holders.add(ticket, this.data.end, -1));
      if (ctx.target !== 'thread') {
        // Read for the new holder by this thread (it serves the pipe): moves to this thread stay readable here.
        return { t: 'remote', ref: this.servedRef(), ticket, readable: this.readable, writable: this.writable };
      }
      const rescued = rescue(this.data.id);
      const d: RingEndDescriptor = { t: 'ring', data: this.data, ticket };
      const lanes = openLanes(this.data.id, ctx, ticket, this.holders.holdersOf(1 - this.data.end), this.claimedBy);
      if (lanes !== undefined) {
        d.lanes = lanes;
        ctx.onAbandon?.(() => closeLanes(this.data.id, lanes));
      }
      if (rescued.length > 0) d.rescued = rescued;
      return d;
    } finally {
      lock.unlock();
    }
  }

  /** @internal For the broker: a remote holder claims its ticket, or gives its hold back. */
  holderChange(ticket: number | undefined, holder: number, delta: number): void {
    if (ticket !== undefined) this.holders.claim(ticket, holder, this.data.end);
    else this.holders.add(holder, this.data.end, delta);
    if (delta < 0) {
      this.inRing?.wakeAll();
      this.outRing?.wakeAll();
    }
  }

  private servedRef(): ServedRef {
    if (this.serving === undefined) {
      // eslint-disable-next-line @typescript-eslint/no-this-alias -- the served object's methods are not this class's
      const end = this;
      const served: Served & { end: RingEnd } = {
        end,
        async call(op, args, caller, signal) {
          switch (op) {
            case 'attach':
              return end.holderChange(args[0] as number, caller.heapId, 1);
            case 'detach':
              // After the sends before it: a remote writer does not wait for each send's answer.
              return end.inOrder(() => end.holderChange(undefined, caller.heapId, -1));
            case 'reserve':
              return end.holders.reserve(end.data.end);
            case 'send':
              return end.inOrder(() => end.send(args[0] as Uint8Array, signal));
            case 'recv': {
              const got = wireForm(await end.recv(args[0] as number | undefined, signal));
              // A message the caller never receives (it died, or gave up) is read again first.
              return got instanceof Uint8Array ? acknowledged(got, () => end.returned.unshift(got)) : got;
            }
            case 'recvMany': {
              // The first message as recv; then whatever else is there already, up to a budget: one trip for many.
              const got = wireForm(await end.recv(args[0] as number | undefined, signal));
              if (!(got instanceof Uint8Array)) return got;
              const batch = [got];
              for (let bytes = got.byteLength; bytes < (args[1] as number) && batch.length < MAX_BATCH; ) {
                const next = end.takeNow();
                if (next === undefined) break;
                batch.push(next);
                bytes += next.byteLength;
              }
              return acknowledged(batch, () => end.giveBack(batch));
            }
            case 'giveBack':
              return end.giveBack(args[0] as Uint8Array[]);
            case 'poll':
              return end.poll(args[0] as number | undefined, signal);
            default:
              throw new EOFError(`no pipe operation ${op}`);
          }
        },
        callerGone() {
          // Its heap id is dead now, so it no longer counts as a holder: let the others look again.
          end.holders.touch();
          end.inRing?.wakeAll();
          end.outRing?.wakeAll();
        },
      };
      const { address, id, token } = serve(served);
      this.serving = { address, id, token };
      servedByThisThread.add(this.data.holders);
    }
    return this.serving;
  }
}
