import { writeSync } from 'node:fs';
import { format } from 'node:util';
import { task } from '@ipc/core';
import type { Lock } from '@ipc/sync';

// Straight to fd 1: a worker thread's console.log is forwarded by the main thread later, out of order with the parent's lines.
const print = (...parts: unknown[]): void => void writeSync(1, `${format(...parts)}\n`);

/** Python's `with lock:` body, in a child: the lock is released at the end of the scope, however the body ends. */
export const guardedWork = task(import.meta.url, async (lock: Lock, name: string, fail: boolean) => {
  await using _held = await lock.guard(); // with lock:
  print(`${name}: holds the lock`);
  if (fail) throw new Error(`${name} failed inside "with lock:"`);
  await new Promise((r) => setImmediate(r));
  print(`${name}: done, leaving "with lock:"`);
});
