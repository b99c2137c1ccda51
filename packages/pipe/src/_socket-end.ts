/**
 * A connection over a socket (Listener / Client): whole frames in the framing
 * of Python's multiprocessing.connection. The socket lives in this thread's
 * event loop, so the sync twins can only take what has already arrived.
 */
import { StateError, StreamChannel, armTimeout, type CloseReason } from '@ipc/core';
import type { Socket } from 'node:net';
import type { FrameTransport, Received } from './_transport.js';
import { BrokenPipeError } from './errors.js';

interface Waiter {
  wake(): void;
}

export class SocketEnd implements FrameTransport {
  readonly readable = true;
  readonly writable = true;
  readonly pickles: boolean;
  private readonly channel: StreamChannel;
  private readonly frames: Buffer[] = [];
  private readonly waiters = new Set<Waiter>();
  private ended: CloseReason | 'open' = 'open';

  constructor(
    readonly socket: Socket,
    options: { maxFrame?: number; pickles: boolean },
  ) {
    this.pickles = options.pickles;
    this.channel = new StreamChannel(socket, { maxFrame: options.maxFrame });
    this.channel.onFrame((frame) => {
      this.frames.push(frame);
      this.wakeAll();
    });
    this.channel.onClose((reason) => {
      this.ended = reason;
      this.wakeAll();
    });
  }

  /** Why the connection ended, once it has (undefined for an orderly end). */
  get endReason(): CloseReason | 'open' {
    return this.ended;
  }

  async send(bytes: Uint8Array): Promise<void> {
    this.sendSync(bytes);
    await this.channel.drained();
  }

  sendSync(bytes: Uint8Array): void {
    if (this.ended !== 'open') throw new BrokenPipeError('the connection is closed', { cause: this.ended });
    this.channel.send(bytes);
  }

  flush(): void {
    this.channel.flush();
  }

  recv(timeout: number | undefined, signal: AbortSignal | undefined): Promise<Received> {
    try {
      // What is there already is taken now: no promise turn but the one settling the result.
      if (this.frames.length > 0 || this.ended !== 'open') return Promise.resolve(this.take());
    } catch (err) {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what was thrown, as an async function would reject
      return Promise.reject(err);
    }
    return this.poll(timeout, signal).then((there) => (there ? this.take() : 'timeout'));
  }

  recvSync(_timeout: number | undefined): Received {
    if (this.frames.length > 0 || this.ended !== 'open') return this.take();
    throw new StateError('a socket connection cannot block its thread waiting: use recv(), or pollSync() first');
  }

  private take(): Received {
    const frame = this.frames.shift();
    if (frame !== undefined) return frame;
    if (this.ended instanceof Error) throw this.ended;
    return 'eof';
  }

  poll(timeout: number | undefined, signal: AbortSignal | undefined): Promise<boolean> {
    if (this.frames.length > 0 || this.ended !== 'open') return Promise.resolve(true);
    if (timeout === 0) return Promise.resolve(false);
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    return new Promise<boolean>((resolve, reject) => {
      const disarm = armTimeout(timeout ?? Infinity, () => finish(() => resolve(false)));
      const onAbort = (): void => finish(() => reject(signal?.reason as Error));
      const waiter: Waiter = { wake: () => finish(() => resolve(true)) };
      const finish = (then: () => void): void => {
        this.waiters.delete(waiter);
        disarm();
        signal?.removeEventListener('abort', onAbort);
        then();
      };
      this.waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  pollSync(timeout: number | undefined): boolean {
    if (this.frames.length > 0 || this.ended !== 'open') return true;
    if (timeout === undefined || timeout > 0) throw new StateError('a socket connection cannot block its thread waiting: use poll()');
    return false;
  }

  close(): void {
    if (this.ended === 'open') this.channel.close();
  }

  private wakeAll(): void {
    for (const w of [...this.waiters]) w.wake();
  }
}
