import { setTimeout as sleep } from 'node:timers/promises';
import { currentProcess, task } from '@ipc/core';
import { print } from '../_print.js';

/** The document's `work_with_pool(num)`: says which worker runs it, adds 10, sleeps 2 s (scaled). */
export const workWithPool = task(import.meta.url, async (num: number, scale: number) => {
  print(`work_with_pool---进程名${currentProcess().name}，进程号${process.pid}`);
  num += 10;
  print(`work_with_pool = num:${num}`);
  await sleep(2000 * scale);
  return num;
});
