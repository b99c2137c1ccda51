import type { Duplex } from 'node:stream';
import { IpcError } from './errors.js';
import { DEFAULT_MAX_FRAME, FrameDecoder, frameHeader } from './framing.js';

/** Frames up to this size are copied behind their header into one buffer; a copy of more costs more than a second chunk. */
const SMALL_FRAME = 16 * 1024;

export interface StreamChannelOptions {
  /** The largest frame accepted from the peer; a larger one closes the channel with FrameTooLargeError. */
  maxFrame?: number;
}

/** Why a channel ended: undefined for an orderly end of stream. */
export type CloseReason = Error | undefined;

/**
 * Length-prefixed frames over any duplex byte stream — a Unix or TCP socket,
 * a child's pipe — in the framing of Python's `multiprocessing.connection`.
 * Frames written in the same tick go out in one write (the stream is corked
 * until the next tick), so many small messages cost one system call.
 */
export class StreamChannel {
  private readonly decoder: FrameDecoder;
  private frameListener: ((frame: Buffer) => void) | undefined;
  private readonly closeListeners: ((reason: CloseReason) => void)[] = [];
  private corked = false;
  private ended = false;
  private closeReason: CloseReason;

  constructor(
    readonly stream: Duplex,
    options: StreamChannelOptions = {},
  ) {
    this.decoder = new FrameDecoder(options.maxFrame ?? DEFAULT_MAX_FRAME);
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.once('end', () => {
      const truncated = this.decoder.pending > 0 ? new IpcError(`the stream ended in the middle of a frame (${this.decoder.pending} bytes of it)`, 'ERR_IPC_TRUNCATED_FRAME') : undefined;
      this.finish(truncated);
    });
    stream.once('error', (err: Error) => this.finish(err));
    stream.once('close', () => this.finish(undefined));
  }

  /** Whether the channel has ended (by either side, or by an error). */
  get closed(): boolean {
    return this.ended;
  }

  /** Receives each whole frame, in order. Only one listener: the owner of the channel. */
  onFrame(listener: (frame: Buffer) => void): void {
    this.frameListener = listener;
  }

  /** Called once when the channel ends, with the error if it ended by one. Called at once if it already has. */
  onClose(listener: (reason: CloseReason) => void): void {
    if (this.ended) listener(this.closeReason);
    else this.closeListeners.push(listener);
  }

  /** Queues one frame; returns false when the stream asks the writer to wait for 'drain'. */
  send(frame: Uint8Array): boolean {
    if (this.ended) throw new IpcError('the channel is closed', 'ERR_IPC_CHANNEL_CLOSED');
    if (!this.corked) {
      this.corked = true;
      this.stream.cork();
      process.nextTick(this.uncork);
    }
    const n = frame.byteLength;
    if (n > SMALL_FRAME) {
      this.stream.write(frameHeader(n));
      return this.stream.write(frame);
    }
    // A small frame goes with its header as one buffer: one write of one chunk, not a writev of two.
    const out = Buffer.allocUnsafe(4 + n);
    out.writeInt32BE(n, 0);
    out.set(frame, 4);
    return this.stream.write(out);
  }

  /** Writes the frames queued in this tick now, rather than at the end of the tick (for a caller about to block its thread). */
  flush(): void {
    this.uncork();
  }

  private readonly uncork = (): void => {
    if (!this.corked) return;
    this.corked = false;
    this.stream.uncork();
  };

  /** Resolves when the stream can take more (after send() returned false). */
  drained(): Promise<void> {
    if (!this.stream.writableNeedDrain || this.ended) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.stream.off('drain', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.onClose(done);
    });
  }

  /** Ends the channel: an orderly end, or with an error that the peer sees as a reset. */
  close(reason?: Error): void {
    if (reason !== undefined) this.stream.destroy(reason);
    else this.stream.end();
    this.finish(reason);
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      // A malformed or oversized frame poisons only this channel.
      this.stream.destroy();
      this.finish(err as Error);
      return;
    }
    for (const frame of frames) this.frameListener?.(frame);
  }

  private finish(reason: CloseReason): void {
    if (this.ended) return;
    this.ended = true;
    this.closeReason = reason;
    for (const listener of this.closeListeners.splice(0)) listener(reason);
  }
}
