import type { TaskRef } from '@ipc/core';
import type { Form } from './_forms.js';

/** How a task's arguments are applied: `fn(...args)`, `fn(item)` for each item of a chunk, or `fn(...item)` for each. */
export type Mode = 'call' | 'map' | 'star';

/**
 * A task for a worker, as a tuple — v8's serializer writes an object's keys out with every
 * object, and the reader makes a string of each value like `'task'`; tiny tasks travel by the
 * ten thousand. `fn` is the pool's number for the task function; its reference (`ref`) comes
 * with the first task of that number a worker gets. `how`: `howOf(mode, form)`.
 */
export type TaskMsg = [id: number, fn: number, how: number, args: unknown, ref?: TaskRef];

/** A task's outcome, as a tuple (see `TaskMsg`): `how` says `ok` and the value's form (`doneHow`). */
export type DoneMsg = [id: number, how: number, value: unknown, start: number, end: number];

/** From the pool to a worker. */
export type ToWorker = TaskMsg | { t: 'abort'; id: number; reason: unknown } | { t: 'stop' };

/** From a worker to the pool. */
export type FromWorker =
  | DoneMsg
  | { t: 'ready' }
  | { t: 'initFailed'; error: unknown }
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

const MODES: readonly Mode[] = ['call', 'map', 'star'];
const FORMS: readonly Form[] = ['raw', 'packed', 'plain', 'tree'];

/** A task's mode and its arguments' form, as one number. */
export function howOf(mode: Mode, form: Form): number {
  return MODES.indexOf(mode) * 4 + FORMS.indexOf(form);
}

export function modeOf(how: number): Mode {
  return MODES[how >> 2]!;
}

/** The form of a task's arguments (`TaskMsg`) or of its outcome (`DoneMsg`). */
export function formOf(how: number): Form {
  return FORMS[how & 3]!;
}

/** An outcome's `ok` and form, as one number. */
export function doneHow(ok: boolean, form: Form): number {
  return (ok ? 4 : 0) + FORMS.indexOf(form);
}

export function isOk(how: number): boolean {
  return (how & 4) !== 0;
}

/** Wall-clock milliseconds, comparable between threads and processes. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}
