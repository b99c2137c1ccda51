import { writeSync } from 'node:fs';
import { format } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { task } from '@ipc/core';
import type { Semaphore } from '@ipc/sync';

// Straight to fd 1: a worker thread's console.log is forwarded by the main thread later, out of order with the parent's lines.
const print = (...parts: unknown[]): void => void writeSync(1, `${format(...parts)}\n`);

// The system clock, read afresh by every process (a per-process performance.timeOrigin may be skewed by more than a hand-over takes).
const now = (): number => Date.now();

/**
 * The document's `work_with_semaphore(num)`: acquire, print start, sleep, print finish, release.
 * Returns when it held the permit, so the parent can check no more than the value held it at once.
 */
export const workWithSemaphore = task(import.meta.url, async (semaphore: Semaphore, num: number, sleepMs: number) => {
  await semaphore.acquire();
  const start = now();
  print(`---进程:${num} work_with_semaphore start--- (process ${num} starts)`);
  await sleep(sleepMs);
  print(`---进程:${num} work_with_semaphore finish--- (process ${num} finishes)`);
  const finish = now();
  semaphore.release();
  return [start, finish] as const;
});
