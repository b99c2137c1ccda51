import type { Socket } from 'node:net';
import { DEFAULT_MAX_FRAME, FrameTooLargeError, frameHeader } from '../framing.js';
import { nodeV8 } from '../_builtins.js';
import { fastBody, isFastBody, readFastBody } from './_fast-form.js';
import { ACK, NACK, type ClientMessage, type ReplyMessage } from './_wire.js';

/** A frame's message, in whichever form it came (see _fast-form.ts). */
export function readMessage(body: Buffer): ClientMessage | ReplyMessage {
  return isFastBody(body) ? readFastBody(body) : (nodeV8().deserialize(body) as ClientMessage | ReplyMessage);
}

/** Frames of this size and above are written without being copied into one batch buffer. */
const COPY_LIMIT = 64 * 1024;

/**
 * Writes frames to a socket, batching every frame (and every ack) sent in
 * one tick into a single write: a burst of small calls costs one syscall.
 */
export class FrameWriter {
  private frames: Buffer[] = [];
  private size = 0;
  private scheduled = false;
  private acks: number[] = [];
  private nacks: number[] = [];
  /**
   * Whether the peer reads the compact form: a home learns it from the client's hello, a client
   * from the home's first compact reply — so that an older @ipc/core at the other end (two
   * versions in one tree) is only ever sent v8's form.
   */
  fast = false;

  constructor(private readonly socket: Socket) {}

  /** Serializes and queues a message; throws if v8 cannot serialize it (nothing is queued then). */
  send(message: ClientMessage | ReplyMessage): void {
    this.queue(message);
    this.schedule();
  }

  ack(callId: number): void {
    this.acks.push(callId);
    this.schedule();
  }

  nack(callId: number): void {
    this.nacks.push(callId);
    this.schedule();
  }

  private queue(message: ClientMessage | ReplyMessage): void {
    const body = (this.fast ? fastBody(message) : undefined) ?? nodeV8().serialize(message);
    // The peer's decoder would drop the connection: fail this one message instead.
    if (body.length > DEFAULT_MAX_FRAME) throw new FrameTooLargeError(body.length, DEFAULT_MAX_FRAME);
    const head = frameHeader(body.length);
    this.frames.push(head, body);
    this.size += head.length + body.length;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    process.nextTick(this.flush);
  }

  /** Writes what is queued now (also called by the tick scheduled above). */
  readonly flush = (): void => {
    this.scheduled = false;
    if (this.acks.length > 0) {
      this.queue([ACK, this.acks]);
      this.acks = [];
    }
    if (this.nacks.length > 0) {
      this.queue([NACK, this.nacks]);
      this.nacks = [];
    }
    const frames = this.frames;
    if (frames.length === 0) return;
    const size = this.size;
    this.frames = [];
    this.size = 0;
    if (this.socket.destroyed) return;
    if (size >= COPY_LIMIT) {
      // Large frames go out as one writev, uncopied.
      this.socket.cork();
      for (const f of frames) this.socket.write(f);
      this.socket.uncork();
    } else {
      this.socket.write(Buffer.concat(frames, size));
    }
  };
}
