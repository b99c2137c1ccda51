import { threadId } from 'node:worker_threads';
import { children, self } from './runtime/current.js';
import type { Process } from './process.js';

/** What `currentProcess()` tells about the running heap. */
export interface ProcessInfo {
  readonly name: string;
  readonly pid: number;
  readonly threadId: number;
  readonly daemon: boolean;
  /** True in the main thread of the program that was started by hand, false in every child. */
  readonly isMain: boolean;
  /** The Process object this child runs as (undefined in the main program). */
  readonly process: Process | undefined;
}

/** Python's `multiprocessing.current_process()`: who am I. */
export function currentProcess(): ProcessInfo {
  return {
    name: self.name,
    pid: process.pid,
    threadId,
    daemon: self.daemon,
    isMain: self.isMain,
    process: self.process as Process | undefined,
  };
}

/** Python's `parent_process()`: the parent's pid and name, or null in the main program. */
export function parentProcess(): { readonly pid: number; readonly name: string } | null {
  return self.parent;
}

/** Python's `active_children()`: the children started from this heap that are still alive. */
export function activeChildren(): Process[] {
  return [...children].filter((c) => c.isAlive()) as Process[];
}

/** Guards a script's own top level, as Python's `if __name__ == '__main__':` (a child that imports the script skips it). */
export function isMainProcess(): boolean {
  return self.isMain;
}

/**
 * For worker runtimes other than `Process` (a pool's workers): tells this heap
 * who it is, so `currentProcess()` answers `PoolWorker-3` and the like.
 */
export function adoptIdentity(identity: { name: string; daemon: boolean; parent: { pid: number; name: string } | null }): void {
  self.name = identity.name;
  self.daemon = identity.daemon;
  self.isMain = false;
  self.parent = identity.parent;
}
