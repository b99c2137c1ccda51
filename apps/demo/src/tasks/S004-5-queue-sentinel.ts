import { task } from '@ipc/core';
import type { Queue } from '@ipc/queue';
import { print } from '../_print.js';

/** The document's `consumer(q)`: prints each item until the sentinel `null` (Python's None). */
export const consumer = task(import.meta.url, async (q: Queue<number | null>) => {
  for (;;) {
    const item = await q.get();
    if (item === null) break;
    print(item);
  }
});
