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
}

/** The kinds of shared object a manager makes. */
export type Kind = 'list' | 'dict' | 'Namespace' | 'Value' | 'Array' | 'Queue' | 'JoinableQueue' | 'Lock' | 'RLock' | 'Semaphore' | 'BoundedSemaphore' | 'Condition' | 'Event' | 'Barrier';
