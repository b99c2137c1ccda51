import { isMainThread, threadId } from 'node:worker_threads';
import { perHeap } from '../_global.js';

/** What this heap knows of itself: set by the bootstrap in a child, defaults in the main heap. */
export interface SelfInfo {
  name: string;
  daemon: boolean;
  isMain: boolean;
  parent: { pid: number; name: string } | null;
  /** The Process object a child runs as (so currentProcess() returns it). */
  process: unknown;
  /**
   * Python's `_identity`: the main process is `[]`, its first child `[1]`, that child's
   * second child `[1, 2]` — so default names are `Process-1`, `Process-1:2`, as Python's.
   */
  identity: readonly number[];
}

export const self = perHeap<SelfInfo>('self', () => ({
  name: isMainThread && process.send === undefined ? 'MainProcess' : isMainThread ? 'MainProcess' : `Thread-${threadId}`,
  daemon: false,
  isMain: true,
  parent: null,
  process: undefined,
  identity: [],
}));

/** Every child process object started from this heap and not yet reaped, for activeChildren(). */
export const children = perHeap('children', () => new Set<{ isAlive(): boolean }>());

/** Counter for default names (`Process-1`, `Thread-2`). */
export const counters = perHeap('nameCounters', () => ({ process: 0, thread: 0 }));
