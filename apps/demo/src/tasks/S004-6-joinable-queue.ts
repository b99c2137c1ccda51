import { setTimeout as sleep } from 'node:timers/promises';
import { task } from '@ipc/core';
import type { JoinableQueue } from '@ipc/queue';
import { print } from '../_print.js';

/** The consumer of Python's reference manual (P339): takes items for ever, marking each done. */
export const consumer = task(import.meta.url, async (input: JoinableQueue<number>, scale: number) => {
  for (;;) {
    const item = await input.get();
    await sleep(200 * scale); // 处理项目 (process the item)
    print(`processed ${item}`);
    input.taskDone(); // 发出信号通知任务完成 (signal that the item is done)
  }
});
