import { setTimeout as sleep } from 'node:timers/promises';
import { task } from '@ipc/core';
import type { Queue } from '@ipc/queue';
import { print } from '../_print.js';

/** The document's `do_something(queue, seconds)`: sleeps, then puts a message in the queue. */
export const doSomething = task(import.meta.url, async (queue: Queue<string>, seconds: number, scale: number) => {
  print(`sleeping ${seconds} ...`);
  await sleep(seconds * 1000 * scale);
  print('Done sleeping');
  // 向消息队列中发送数据 (put the message in the queue)
  await queue.put('this msg is send from subprocess');
});
