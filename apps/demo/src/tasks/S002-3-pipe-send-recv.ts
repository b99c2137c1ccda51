import { setTimeout as sleep } from 'node:timers/promises';
import { task } from '@ipc/core';
import type { Connection } from '@ipc/pipe';
import { print } from '../_print.js';

/** 写数据进程执行的代码 (the writer): sends each url, with a random pause after each. */
export const procSend = task(import.meta.url, async (pipe: Connection, urls: string[], scale: number) => {
  for (const url of urls) {
    print(`Process is send :${url}`);
    await pipe.send(url);
    await sleep(Math.random() * 1000 * scale);
  }
});

/** 读数据进程的代码 (the reader): receives for ever, with a random pause after each; the parent terminates it. */
export const procRecv = task(import.meta.url, async (pipe: Connection, scale: number) => {
  for (;;) {
    print(`Process rev:${String(await pipe.recv())}`);
    await sleep(Math.random() * 1000 * scale);
  }
});
