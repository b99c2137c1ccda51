import { setTimeout as sleep } from 'node:timers/promises';
import { task } from '@ipc/core';
import { print } from '../_print.js';

/** The document's `long_time_task(name)`: a random 0–3 s (scaled). Returns its start and end, for the check. */
export const longTimeTask = task(import.meta.url, async (name: number, ms: number) => {
  print(`Task ${name} (${process.pid}) starts...`);
  const start = Date.now();
  await sleep(ms);
  const end = Date.now();
  print(`Task ${name} runs ${((end - start) / 1000).toFixed(2)} seconds!`);
  return { start, end };
});
