import { expect } from 'vitest';
import { Process, type ContextKind } from '@ipc/core';
import { Empty, type Queue } from '@ipc/queue';

export type Task = (...args: unknown[]) => unknown;

/** A child in `context` running `target(...args)`, started. */
export function start(context: ContextKind, target: Task, ...args: unknown[]): Process {
  const p = new Process({ target, args, context });
  p.start();
  return p;
}

/** Every item still to come, until a get waits `timeout` ms in vain (and then fails with Empty, as it must). */
export async function drain<T>(q: Queue<T>, timeout: number): Promise<T[]> {
  const items: T[] = [];
  for (;;) {
    try {
      items.push(await q.get({ timeout }));
    } catch (err) {
      expect(err).toBeInstanceOf(Empty);
      return items;
    }
  }
}
