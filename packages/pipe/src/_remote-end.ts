/**
 * An end of a pipe whose home is another process: its sends and receives are
 * done there, through the broker. Why it batches: each broker call is a round
 * trip between processes (~50–100 µs). So sends do not wait for their answer
 * (a window of them is in flight, as bytes sit in an OS pipe's buffer), and a
 * receive brings back what else is already waiting, kept here for the next
 * receives.
 */
import { WriteWindow, connectRemote, type ReduceContext, type RemoteObject, type ServedRef } from '@ipc/core';
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
  /** Sends (and the give-back and detach of close) in flight, not waited for one by one. */
  private readonly window = new WriteWindow(SEND_WINDOW, SEND_WINDOW_BYTES);

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
    this.window.throwFailure();
    signal?.throwIfAborted();
    this.window.track(this.remote.call('send', [bytes]), bytes.byteLength);
    await this.window.room(signal);
    this.window.throwFailure();
  }

  sendSync(bytes: Uint8Array): void {
    this.window.throwFailure();
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
    if (this.buffered.length > 0) this.window.track(this.remote.call('giveBack', [this.buffered.splice(0)]).catch(() => undefined), 0);
    this.window.track(this.remote.call('detach').catch(() => undefined), 0);
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
}
