/** An end of a pipe whose home is another process: its sends and receives are done there, through the broker. */
import { connectRemote, type ReduceContext, type RemoteObject, type ServedRef } from '@ipc/core';
import type { FrameTransport, Received } from './_transport.js';

export class RemoteEnd implements FrameTransport {
  private readonly remote: RemoteObject;
  private closed = false;

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
    await this.remote.call('send', [bytes], { signal });
  }

  sendSync(bytes: Uint8Array): void {
    this.remote.callSync('send', [bytes]);
  }

  recv(timeout: number | undefined, signal: AbortSignal | undefined): Promise<Received> {
    return this.remote.call('recv', [timeout], { signal }) as Promise<Received>;
  }

  recvSync(timeout: number | undefined): Received {
    return this.remote.callSync('recv', [timeout]) as Received;
  }

  poll(timeout: number | undefined, signal: AbortSignal | undefined): Promise<boolean> {
    return this.remote.call('poll', [timeout], { signal }) as Promise<boolean>;
  }

  pollSync(timeout: number | undefined): boolean {
    return this.remote.callSync('poll', [timeout]) as boolean;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    void this.remote.call('detach').catch(() => undefined);
  }

  reduce(_ctx: ReduceContext): unknown {
    const ticket = this.remote.callSync('reserve') as number;
    return { t: 'remote', ref: this.ref, ticket, readable: this.readable, writable: this.writable };
  }
}
