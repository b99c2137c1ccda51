import { Process, type ContextKind } from '@ipc/core';

/** A task of a plain JS fixture module. */
export type Task = (...args: unknown[]) => unknown;

/** A started child running `target(...args)` in `context`. */
export function start(context: ContextKind, target: Task, ...args: unknown[]): Process {
  const p = new Process({ target, args, context });
  p.start();
  return p;
}
