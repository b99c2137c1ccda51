import { setTimeout as sleep } from 'node:timers/promises';
import { task } from '@ipc/core';
import type { Queue } from '@ipc/queue';
import { print } from '../_print.js';

/** 写数据进程执行的代码 (the writer): puts each url, with a random pause after each. */
export const procWrite = task(import.meta.url, async (q: Queue<string>, urls: string[], scale: number) => {
  print('Process is write....');
  for (const url of urls) {
    await q.put(url);
    print(`put ${url} to queue... `);
    await sleep(Math.random() * 1000 * scale);
  }
});

/** 读数据进程的代码 (the reader): gets for ever; the parent terminates it. */
export const procRead = task(import.meta.url, async (q: Queue<string>) => {
  print('Process is reading...');
  for (;;) {
    const url = await q.get({ block: true });
    print(`Get ${url} from queue`);
  }
});
