import type { ServedRef } from '@ipc/core';

/** What a queue does with items as bytes: in shared memory here, or through the home's broker. */
export interface QueueBackend {
  readonly maxsize: number;
  /** Accepts an item, waiting for room; `Full` when it cannot. */
  put(bytes: Uint8Array, block: boolean, timeout: number | undefined, signal: AbortSignal | undefined): Promise<void>;
  putSync(bytes: Uint8Array, block: boolean, timeout: number | undefined): void;
  /** Takes the next item, waiting for one; `Empty` when there is none. */
  get(block: boolean, timeout: number | undefined, signal: AbortSignal | undefined): Promise<Uint8Array>;
  getSync(block: boolean, timeout: number | undefined): Uint8Array;
  /** The next item if one is at hand now (no wait, no trip), else undefined: a get's fast path. */
  takeReady(): Uint8Array | undefined;
  qsize(): number;
  taskDone(): void;
  join(timeout: number | null | undefined, signal: AbortSignal | undefined): Promise<boolean>;
  /** Resolves once every item this heap buffered has reached the queue (at once after `cancelJoin()`). */
  flushed(): Promise<void>;
  /** Python's `cancel_join_thread`: what this heap buffered still drains while it lives, but keeps nothing alive, and puts wait for it no more. */
  cancelJoin(): void;
  /** A reference other processes reach the queue through. */
  servedRef(): ServedRef;
  /** The shared memory, for another thread of this process; undefined when the queue lives in another process. */
  sharedBuffers(): SharedBuffers | undefined;
}

/** The shared memory of a queue: its ring, its counts, and the front ring of items given back. */
export interface SharedBuffers {
  ring: SharedArrayBuffer;
  state: SharedArrayBuffer;
  front: SharedArrayBuffer;
}

export type QueueKind = 'Queue' | 'SimpleQueue' | 'JoinableQueue';
