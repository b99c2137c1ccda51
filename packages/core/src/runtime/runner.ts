import type { ContextKind } from '../handles.js';
import { nodeOs } from '../_builtins.js';

/** What the parent sends to start a child: everything encoded for the child's kind. */
export interface StartSpec {
  /** The process object itself (a Process, or an instance of a subclass made with task()), encoded. */
  readonly self: unknown;
  readonly name: string;
  readonly daemon: boolean;
  readonly parent: { readonly pid: number; readonly name: string };
  /** The child's place in the tree (Python's `_identity`), for its own children's names. */
  readonly identity: readonly number[];
}

/** Messages a child sends its parent. */
export type ChildMessage =
  | { readonly type: 'result'; readonly value: unknown }
  | { readonly type: 'error'; readonly error: unknown }
  /** Sent last by a forked child, so it knows everything before it reached the channel. */
  | { readonly type: 'flush' };

export interface ExitInfo {
  /** The exit code, or null when a signal ended it. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * One interface, two backends (a worker thread, a forked process): the shape
 * tinypool gives its runtimes. `Process` drives either through it.
 */
export interface ChildRunner {
  readonly kind: ContextKind;
  readonly pid: number | undefined;
  readonly threadId: number | undefined;
  /** Called once with each message, and once with the exit. */
  onMessage(listener: (msg: ChildMessage) => void): void;
  onExit(listener: (info: ExitInfo) => void): void;
  signal(sig: 'SIGTERM' | 'SIGKILL'): void;
  /** Whether the child keeps the parent's event loop alive (non-daemon) or not (daemon). */
  setRef(ref: boolean): void;
}

/** Python's convention: a child ended by signal N has exit code -N (any signal: SIGBUS, SIGPROF… too). */
export function exitCodeOf(info: ExitInfo): number {
  if (info.signal !== null) {
    const n = nodeOs().constants.signals[info.signal] as number | undefined;
    return n === undefined ? -1 : -n;
  }
  return info.code ?? -1;
}
