import { setTimeout as sleep } from 'node:timers/promises';
import { task } from '@ipc/core';
import type { Queue } from '@ipc/queue';
import { print } from '../_print.js';

/** The document's `work_with_queue_produce`: puts 0..4, one a second, then the sentinel `null`. */
export const produce = task(import.meta.url, async (queue: Queue<number | null>, scale: number) => {
  for (let i = 0; i < 5; i++) {
    await queue.put(i);
    await sleep(1000 * scale);
  }
  await queue.put(null);
});

/** The document's `work_with_queue_consume`: prints each item until the sentinel. */
export const consume = task(import.meta.url, async (queue: Queue<number | null>) => {
  for (;;) {
    try {
      const item = await queue.get();
      if (item === null) {
        print('---consume--- finish');
        break;
      }
      print(`---consume--- item:${item}`);
    } catch (err) {
      print(`---consume--- error:${String(err)}`);
    }
  }
});
