import { setTimeout as sleep } from 'node:timers/promises';
import { task } from '@ipc/core';
import type { Connection } from '@ipc/pipe';
import { print } from '../_print.js';

/** The document's `do_something(pipe, seconds)`: sleeps, then sends a message on its end of the pipe. */
export const doSomething = task(import.meta.url, async (pipe: Connection, seconds: number, scale: number) => {
  print(`sleeping ${seconds} ...`);
  await sleep(seconds * 1000 * scale);
  print('Done sleeping');
  // 向管道中发送数据 (send the message down the pipe)
  await pipe.send('this msg is send from subprocess');
});
