import { setTimeout as sleep } from 'node:timers/promises';
import { task } from '@ipc/core';
import type { ListProxy } from '@ipc/shared';
import { print } from '../_print.js';

/** The document's `do_something(manager_list, seconds)`: sleeps, then appends its process id to the shared list. */
export const appendPid = task(import.meta.url, async (managerList: ListProxy<number>, seconds: number, scale: number) => {
  print(`sleeping ${seconds} ...`);
  await sleep(seconds * 1000 * scale);
  print('Done sleeping');
  await managerList.append(process.pid);
});
