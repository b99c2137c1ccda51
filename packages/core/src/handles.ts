import type { TransferListItem } from 'node:worker_threads';
import { perHeap } from './_global.js';
import { IpcError } from './errors.js';

/** Where a value is going: another thread of this OS process, or another process. */
export type ContextKind = 'thread' | 'process';

/** What a handle is given when it reduces itself for a journey. */
export interface ReduceContext {
  /** The kind of heap the descriptor will be rebuilt in. */
  readonly target: ContextKind;
  /** Add MessagePorts or ArrayBuffers to move (thread target only). */
  transfer(item: TransferListItem): void;
  /**
   * Whether what `transfer` is given reaches the new heap (the value travels by `postMessage`
   * or a Worker's `transferList`). Where it is false, a handle must not rely on moving a port:
   * the descriptor may be copied, stored, or rebuilt more than once.
   */
  readonly transfers?: boolean;
  /**
   * Registers what to take back if the value does not make its journey after all: something
   * after this handle failed to encode, or the carrier refused it (a Worker that did not start).
   * A handle that reserves something for the new holder (a ticket) gives it back here.
   */
  onAbandon?(undo: () => void): void;
}

/**
 * A handle's descriptor: plain, clonable data (for the thread target it may
 * hold SharedArrayBuffers and MessagePorts) and the module that knows how to
 * rebuild it, imported on the other side if it is not loaded yet.
 */
export interface HandleDescriptor {
  readonly module: string;
  readonly type: string;
  readonly data: unknown;
}

/** Implemented by every primitive of @ipc that can be passed to a process or a pool task. */
export interface Reducible {
  [reduceHandle](ctx: ReduceContext): HandleDescriptor;
}

/** The method a handle implements to describe itself for another heap. */
export const reduceHandle: unique symbol = Symbol.for('@ipc/core.reduce') as never;

/** Marks objects that must never cross (an in-thread queue, say), with the reason shown to the user. */
export const notSendable: unique symbol = Symbol.for('@ipc/core.notSendable') as never;

export type Rebuild = (data: unknown, kind: ContextKind) => unknown;

const rebuilders = perHeap('handles', () => new Map<string, Rebuild>());

/**
 * Registers how to rebuild a handle type from its descriptor: the way
 * Python's `ForkingPickler.register` teaches pickling about a type. Call it at
 * the top level of the module named in the descriptors.
 */
export function registerHandle(type: string, rebuild: Rebuild): void {
  rebuilders.set(type, rebuild);
}

export function isReducible(value: object): value is Reducible {
  return typeof (value as Partial<Reducible>)[reduceHandle] === 'function';
}

/** Rebuilds a handle, importing the module that registers its type when this heap has not loaded it yet. */
export async function rebuildHandle(desc: HandleDescriptor, kind: ContextKind): Promise<unknown> {
  if (!rebuilders.has(desc.type)) await import(desc.module);
  return rebuildHandleSync(desc, kind);
}

export function rebuildHandleSync(desc: HandleDescriptor, kind: ContextKind): unknown {
  const rebuild = rebuilders.get(desc.type);
  if (rebuild === undefined) {
    throw new IpcError(`no handle type '${desc.type}' is registered in this heap (module ${desc.module} not loaded)`, 'ERR_IPC_HANDLE_TYPE');
  }
  return rebuild(desc.data, kind);
}

export function handleTypeLoaded(type: string): boolean {
  return rebuilders.has(type);
}
