import { setTimeout as sleep } from 'node:timers/promises';
import { task } from '@ipc/core';
import type { Queue } from '@ipc/queue';
import { print } from '../_print.js';

/**
 * 向队列中放数据 (the document's `put_task`): puts every 2 s. The document loops
 * for ever; here for `seconds`, then puts the sentinel `null`. Returns how many it put.
 */
export const putTask = task(import.meta.url, async (quene: Queue<string | null>, seconds: number, scale: number) => {
  const until = Date.now() + seconds * 1000;
  let n = 0;
  while (Date.now() < until) {
    print('我是放置数据的任务，我正在写入数据 (the put task: writing)');
    await quene.put(`我放数据咯 #${++n}`);
    await sleep(2000 * scale);
  }
  await quene.put(null);
  return n;
});

/** The document's `get_task`: gets every 3 s, until the sentinel. Returns how many it got. */
export const getTask = task(import.meta.url, async (quene: Queue<string | null>, scale: number) => {
  let n = 0;
  for (;;) {
    const result = await quene.get();
    if (result === null) return n;
    n++;
    print(`获取结果:${result}`);
    await sleep(3000 * scale);
  }
});
