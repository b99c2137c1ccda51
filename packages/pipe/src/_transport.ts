import type { ContextKind, ReduceContext } from '@ipc/core';
import type { MovedValue } from './_lanes.js';

/** A message (bytes, or a value moved with its buffers), or why none came: the peer is gone for good (`'eof'`), or the timeout passed. */
export type Received = Uint8Array | MovedValue | 'eof' | 'timeout';

/** How a Connection moves whole messages: a shared-memory ring, a broker, or a socket. */
export interface FrameTransport {
  readonly readable: boolean;
  readonly writable: boolean;
  send(bytes: Uint8Array, signal: AbortSignal | undefined): Promise<void>;
  sendSync(bytes: Uint8Array): void;
  /**
   * Sends the caller's bytes and detaches their ArrayBuffer (a `transfer` send), moving the memory
   * where the transport can; absent where it cannot (Connection copies, then detaches).
   */
  sendMoved?(bytes: Uint8Array, signal: AbortSignal | undefined): Promise<void>;
  sendMovedSync?(bytes: Uint8Array): void;
  /** Sends a value (core's codec tree) moving `buffers` (already checked: ArrayBuffers), where the transport can. */
  sendMovedValue?(tree: unknown, buffers: readonly ArrayBuffer[], signal: AbortSignal | undefined): Promise<void>;
  sendMovedValueSync?(tree: unknown, buffers: readonly ArrayBuffer[]): void;
  /** `into`: where a big message may be read straight to (see SharedRing's `into`); a transport may ignore it. */
  recv(timeout: number | undefined, signal: AbortSignal | undefined, into?: Uint8Array): Promise<Received>;
  recvSync(timeout: number | undefined, into?: Uint8Array): Received;
  /** Whether a message (or the end) is there, waiting up to `timeout`. Never consumes. */
  poll(timeout: number | undefined, signal: AbortSignal | undefined): Promise<boolean>;
  pollSync(timeout: number | undefined): boolean;
  close(): void;
  /** Writes now what sends of this tick queued (a socket batches them to the end of the tick); absent where sends are written at once. */
  flush?(): void;
  /** The descriptor of this end for another heap; absent when it cannot cross (a socket). */
  reduce?(ctx: ReduceContext): unknown;
  /** Messages are pickled rather than v8-serialized (a Python peer). */
  readonly pickles?: boolean;
  readonly kind?: ContextKind;
}
