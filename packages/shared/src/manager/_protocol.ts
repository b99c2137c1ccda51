import type { Address } from '@ipc/pipe';

/** A call: object 0 is the manager itself. */
export interface Request {
  readonly c: number;
  readonly o: number;
  readonly op: string;
  readonly a: unknown[];
}

/** Stops a call under way (the caller's signal aborted). */
export interface Cancel {
  readonly c: number;
  readonly cancel: true;
}

export interface Reply {
  readonly c: number;
  readonly ok: boolean;
  /** The result (absent for undefined) or the error. */
  readonly v?: unknown;
}

/** Where a manager is and how to get in: what a proxy carries. */
export interface Target {
  readonly address: Address;
  /** Hex, or undefined for a manager without authentication. */
  readonly authkey: string | undefined;
  /** The host's reply door (see _door.ts): only in the host's own process, where it crosses to threads. */
  readonly door?: SharedArrayBuffer;
}

/** The first byte of a reply in core's plain form (as @ipc/pipe's Connection writes it). */
export const PLAIN_TAG = 0xfe;

/** Kinds whose operations never wait at the manager: a thread of the host's process may wait for their replies at the door. */
export const QUICK_KINDS: ReadonlySet<string> = new Set(['list', 'dict', 'Namespace', 'Value', 'Array']);

/** The kinds of shared object a manager makes. */
export type Kind = 'list' | 'dict' | 'Namespace' | 'Value' | 'Array' | 'Queue' | 'JoinableQueue' | 'Lock' | 'RLock' | 'Semaphore' | 'BoundedSemaphore' | 'Condition' | 'Event' | 'Barrier';
