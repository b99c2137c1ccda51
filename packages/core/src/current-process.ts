import { threadId } from 'node:worker_threads';
import { children, self, type SelfInfo } from './runtime/current.js';
import type { Process } from './process.js';
import { Sentinel } from './sentinel.js';
import { ArgumentError } from './errors.js';
import { passedTimeout } from './shm/atomic-wait.js';
import { MAX_TIMER, untilOr } from './_timers.js';

/** What `currentProcess()` tells about the running heap. */
export interface ProcessInfo {
  /**
   * This heap's name. Settable, as Python's `current_process().name = …`: it renames the heap for good
   * (later `currentProcess()` calls, the child's own Process object, the parent name its children see).
   */
  name: string;
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
    get name() {
      return self.name;
    },
    set name(value: string) {
      if (typeof value !== 'string') throw new ArgumentError('name must be a string');
      const proc = self.process as Process | undefined;
      // A child's own Process object renames the heap with itself; the main program has none.
      if (proc !== undefined) proc.name = value;
      else self.name = value;
    },
    pid: process.pid,
    threadId,
    daemon: self.daemon,
    isMain: self.isMain,
    process: self.process as Process | undefined,
  };
}

/**
 * Python's `parent_process()` object: the heap that started this one. A
 * forked child's IPC channel is its line to that heap, and closes when the
 * heap ends (killed, even with SIGKILL, or a worker thread that ended); a
 * thread's parent cannot end before it, since Node ends a worker's own workers
 * with it. Crosses to other heaps as its plain `{ pid, name }`.
 */
export class ParentProcess {
  /** @internal */
  constructor(
    readonly pid: number,
    readonly name: string,
  ) {}

  /** Whether the parent still runs: false once it has ended. */
  isAlive(): boolean {
    return !parentGone(this.pid);
  }

  /** Resolves when the parent has ended, or after `timeoutMs` (negative: at once) while it still runs. */
  join(timeoutMs?: number | null): Promise<void> {
    const timeout = passedTimeout(timeoutMs);
    if (parentGone(this.pid) || timeout === 0) return Promise.resolve();
    // A referenced timer stands beside the wait, as Python's join() blocks (an idle child would end otherwise).
    return untilOr(parentEnded(this.pid), timeout);
  }

  /** Python's `parent_process().sentinel`: ready once the parent has ended, for `wait()` of @ipc/pipe. */
  get sentinel(): Sentinel {
    return new Sentinel(
      parentEnded(this.pid),
      () => parentGone(this.pid),
      () => {
        const keep = setInterval(() => undefined, MAX_TIMER);
        return () => clearInterval(keep);
      },
    );
  }

  toString(): string {
    return `<ParentProcess name='${this.name}' pid=${this.pid}${this.isAlive() ? '' : ' stopped'}>`;
  }
}

/** A forked child's parent has gone when its IPC channel has closed (`process.connected` turns false). */
function parentGone(pid: number): boolean {
  return pid !== process.pid && process.connected !== true;
}

const NEVER = new Promise<void>(() => undefined);
let ended: Promise<void> | undefined;

/** Resolves when the parent has gone: one 'disconnect' listener for every wait. */
function parentEnded(pid: number): Promise<void> {
  if (pid === process.pid) return NEVER;
  return (ended ??= new Promise<void>((resolve) => {
    if (parentGone(pid)) resolve();
    else process.once('disconnect', () => resolve());
  }));
}

let cached: { of: SelfInfo['parent']; parent: ParentProcess } | undefined;

/** Python's `parent_process()`: the heap that started this one (pid, name, `isAlive()`, `join()`, `sentinel`), or null in the main program. */
export function parentProcess(): ParentProcess | null {
  const of = self.parent;
  if (of === null) return null;
  if (cached?.of !== of) cached = { of, parent: new ParentProcess(of.pid, of.name) };
  return cached.parent;
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
