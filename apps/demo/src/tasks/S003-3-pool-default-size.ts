import { setTimeout as sleep } from 'node:timers/promises';
import { task } from '@ipc/core';
import { print } from '../_print.js';

/** The document's `hard_task(name)`: sleeps a random 0–3 s (scaled) and says how long it ran. */
export const hardTask = task(import.meta.url, async (name: number, scale: number) => {
  print(`Run task ${name} (${process.pid})`);
  const start = performance.now();
  await sleep(Math.random() * 3000 * scale);
  const end = performance.now();
  return `Task ${name} runs ${((end - start) / 1000).toFixed(2)} seconds`;
});
