import { expect } from 'vitest';
import { Process, type ContextKind } from '@ipc/core';

/** A task of a plain JS fixture module. */
export type Task = (...args: unknown[]) => unknown;

/** A started child running `target(...args)` in `context`. */
export function start(context: ContextKind, target: Task, ...args: unknown[]): Process {
  const p = new Process({ target, args, context });
  p.start();
  return p;
}

/** Polls `cond` (bounded), for counts other threads change. */
export async function until(cond: () => boolean, ms = 10_000): Promise<boolean> {
  const end = performance.now() + ms;
  while (!cond() && performance.now() < end) await new Promise((r) => setTimeout(r, 2));
  return cond();
}

/** CPython's assertTimeout, loosened for a shared machine: at least 0.6× the asked time, under 10×. */
export function expectTimeout(ms: number, asked: number): void {
  expect(ms).toBeGreaterThanOrEqual(asked * 0.6);
  expect(ms).toBeLessThan(asked * 10);
}
