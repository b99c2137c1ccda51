/**
 * An end of a pipe whose home is another process: its sends and receives are
 * done there, through the broker. Why it batches: each broker call is a round
 * trip between processes (~50–100 µs). So sends do not wait for their answer
 * (a window of them is in flight, as bytes sit in an OS pipe's buffer), and a
 * receive brings back what else is already waiting, kept here for the next
 * receives.
 */
import { connectRemote, flushBeforeExit, type ReduceContext, type RemoteObject, type ServedRef } from '@ipc/core';
import type { FrameTransport, Received } from './_transport.js';

/** Sends in flight before a sender waits for their answers. */
const SEND_WINDOW = 64;
const SEND_WINDOW_BYTES = 1 << 20;
/** Bytes one receive may bring back beyond the first message. */
const RECV_BATCH_BYTES = 1 << 20;

type Batch = Uint8Array[] | 'eof' | 'timeout';

export class RemoteEnd implements FrameTransport {
  private readonly remote: RemoteObject;
  private closed = false;
  /** Messages received with an earlier one, not yet handed out. */
  private readonly buffered: Uint8Array[] = [];
  private inFlight = 0;
  private inFlightBytes = 0;
  /** The first error of a send nobody awaited: the next send (or close) reports it. */
  private sendFailure: unknown;
  private readonly roomWaiters: (() => void)[] = [];
  /** While sends are in flight: the child that holds this end waits for them before it ends. */
  private unregisterFlush: (() => void) | undefined;
  private readonly drainWaiters: (() => void)[] = [];

  constructor(
    private readonly ref: ServedRef,
    ticket: number,
    readonly readable: boolean,
    readonly writable: boolean,
  ) {
    this.remote = connectRemote(ref);
    // Calls start at home in the order they were sent: this claim comes before any send or receive.
    void this.remote.call('attach', [ticket]).catch(() => undefined);
  }

  async send(bytes: Uint8Array, signal: AbortSignal | undefined): Promise<void> {
    this.throwSendFailure();
    signal?.throwIfAborted();
    const size = bytes.byteLength;
    this.inFlightCall(this.remote.call('send', [bytes]), size);
    while (this.inFlight > SEND_WINDOW || this.inFlightBytes > SEND_WINDOW_BYTES) await this.room(signal);
    this.throwSendFailure();
  }

  sendSync(bytes: Uint8Array): void {
    this.throwSendFailure();
    this.remote.callSync('send', [bytes]);
  }

  async recv(timeout: number | undefined, signal: AbortSignal | undefined): Promise<Received> {
    const next = this.buffered.shift();
    if (next !== undefined) return next;
    return this.unpack((await this.remote.call('recvMany', [timeout, RECV_BATCH_BYTES], { signal })) as Batch);
  }

  recvSync(timeout: number | undefined): Received {
    const next = this.buffered.shift();
    if (next !== undefined) return next;
    return this.unpack(this.remote.callSync('recvMany', [timeout, RECV_BATCH_BYTES]) as Batch);
  }

  async poll(timeout: number | undefined, signal: AbortSignal | undefined): Promise<boolean> {
    if (this.buffered.length > 0) return true;
    return (await this.remote.call('poll', [timeout], { signal })) as boolean;
  }

  pollSync(timeout: number | undefined): boolean {
    if (this.buffered.length > 0) return true;
    return this.remote.callSync('poll', [timeout]) as boolean;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // What was received but not read goes back, for the other holders of this end; then the hold itself.
    // Both must land before this process ends, as a send must.
    if (this.buffered.length > 0) this.inFlightCall(this.remote.call('giveBack', [this.buffered.splice(0)]).catch(() => undefined), 0);
    this.inFlightCall(this.remote.call('detach').catch(() => undefined), 0);
  }

  reduce(_ctx: ReduceContext): unknown {
    const ticket = this.remote.callSync('reserve') as number;
    return { t: 'remote', ref: this.ref, ticket, readable: this.readable, writable: this.writable };
  }

  private unpack(batch: Batch): Received {
    if (typeof batch === 'string') return batch;
    const [first, ...rest] = batch;
    this.buffered.push(...rest);
    return first!;
  }

  /** A call this end does not wait for, but its process must before it ends. */
  private inFlightCall(call: Promise<unknown>, size: number): void {
    if (this.inFlight++ === 0) this.unregisterFlush = flushBeforeExit(() => this.drained());
    this.inFlightBytes += size;
    call.then(
      () => this.landed(size),
      (err: unknown) => {
        this.sendFailure ??= err;
        this.landed(size);
      },
    );
  }

  private landed(size: number): void {
    this.inFlightBytes -= size;
    this.roomWaiters.shift()?.();
    if (--this.inFlight === 0) {
      this.unregisterFlush?.();
      this.unregisterFlush = undefined;
      for (const w of this.drainWaiters.splice(0)) w();
    }
  }

  /** Resolves once every send in flight has its answer. */
  private drained(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private room(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const at = this.roomWaiters.indexOf(done);
        if (at >= 0) this.roomWaiters.splice(at, 1);
        reject(signal!.reason as Error);
      };
      const done = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      this.roomWaiters.push(done);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private throwSendFailure(): void {
    if (this.sendFailure === undefined) return;
    const err = this.sendFailure as Error;
    this.sendFailure = undefined;
    throw err;
  }
}
