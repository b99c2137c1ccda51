import type { TaskRef } from '@ipc/core';
import type { Form } from './_forms.js';

/** How a task's arguments are applied: `fn(...args)`, `fn(item)` for each item of a chunk, or `fn(...item)` for each. */
export type Mode = 'call' | 'map' | 'star';

/** From the pool to a worker. */
export type ToWorker = { t: 'task'; id: number; fn: TaskRef; mode: Mode; form: Form; args: unknown } | { t: 'abort'; id: number; reason: unknown } | { t: 'stop' };

/** From a worker to the pool. */
export type FromWorker =
  | { t: 'ready' }
  | { t: 'initFailed'; error: unknown }
  | { t: 'done'; id: number; ok: boolean; form: Form; value: unknown; start: number; end: number }
  | { t: 'retire' }
  /** Sent as a process worker ends: the task it was running, if any (so the pool blames the right one). */
  | { t: 'exiting'; running: number | null };

/** What a worker is told when it starts. */
export interface WorkerInit {
  name: string;
  parent: { pid: number; name: string };
  initializer: TaskRef | undefined;
  initargs: unknown;
  maxTasks: number;
}

/** Wall-clock milliseconds, comparable between threads and processes. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}
