import { setTimeout as sleep } from 'node:timers/promises';
import { task } from '@ipc/core';
import type { QueueProxy } from '@ipc/shared';
import { print } from '../_print.js';

/** The document's `do_something(manager_queue, seconds)`: sleeps, then puts a message naming its process. */
export const putMessage = task(import.meta.url, async (managerQueue: QueueProxy<string>, seconds: number, scale: number) => {
  print(`sleeping ${seconds} ...`);
  await sleep(seconds * 1000 * scale);
  print('Done sleeping');
  await managerQueue.put(`${process.pid} put this message`);
});
