import { writeSync } from 'node:fs';
import { format } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { currentProcess, task } from '@ipc/core';
import type { Semaphore } from '@ipc/sync';

// Straight to fd 1: a worker thread's console.log is forwarded by the main thread later, out of order with the parent's lines.
const print = (...parts: unknown[]): void => void writeSync(1, `${format(...parts)}\n`);

/**
 * A thread that uses a resource `value` threads may use at once: it takes a
 * permit, counts itself in `holders` ([now, most]), works, and gives it back.
 */
export const useResource = task(import.meta.url, async (semaphore: Semaphore, holders: SharedArrayBuffer, sleepMs: number) => {
  const h = new Int32Array(holders);
  const name = currentProcess().name;
  await using _permit = await semaphore.guard(); // with semaphore:
  const now = Atomics.add(h, 0, 1) + 1;
  for (let most = Atomics.load(h, 1); now > most; most = Atomics.load(h, 1)) Atomics.compareExchange(h, 1, most, now);
  print(`${name}: got a permit (${now} holder(s) now)`);
  await sleep(sleepMs);
  Atomics.sub(h, 0, 1);
  print(`${name}: gives its permit back`);
});
