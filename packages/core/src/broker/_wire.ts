import type { Socket } from 'node:net';
import { DEFAULT_MAX_FRAME, FrameTooLargeError, frameHeader } from '../framing.js';
import { nodeV8 } from '../_builtins.js';

/**
 * The broker's messages: one v8-serialized array per frame, its first item
 * the kind. Values (args, results, errors) travel as codec trees, already
 * encoded for the 'process' target.
 */
export const HELLO = 0; // client → home: [HELLO, pid, threadId, callerKey]
export const AUTH = 1; // client → home: [AUTH, handle, objectId, token] — handle: the connection's number for this (object, token)
export const CALL = 2; // client → home: [CALL, callId, handle, op, argsTree]
export const CANCEL = 3; // client → home: [CANCEL, callId, why]
export const ACK = 4; // client → home: [ACK, callIds] — replies received
export const NACK = 5; // client → home: [NACK, callIds] — replies refused (their call was cancelled)
export const REPLY = 6; // home → client: [REPLY, callId, ok, tree, needsAck]

/** Why a caller cancelled a call; the home's signal aborts with a matching reason. */
export type CancelWhy = 'timeout' | 'abort';

export type ClientMessage =
  | [typeof HELLO, number, number, string]
  | [typeof AUTH, number, string, string]
  | [typeof CALL, number, number, string, unknown]
  | [typeof CANCEL, number, CancelWhy]
  | [typeof ACK | typeof NACK, number[]];

export type ReplyMessage = [typeof REPLY, number, boolean, unknown, boolean];

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
    const body = nodeV8().serialize(message);
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
