import { Process } from '@ipc/core';
import { Queue } from '@ipc/queue';
import { joinOk } from '../_join-ok.js';
import type { Scenario } from '../scenario.js';
import { consumer } from '../tasks/S004-5-queue-sentinel.js';

/** The document's `producer(sequence, q)`, run by the main process. */
async function producer(sequence: readonly number[], q: Queue<number | null>): Promise<void> {
  for (const item of sequence) await q.put(item);
}

/** 004: a Queue with a sentinel (`null`) to stop the consumer; the main process produces. */
export const scenario: Scenario = {
  id: 'S004-5',
  title: 'Queue with a sentinel to stop the consumer process',
  topics: ['queue', 'process'],
  usesContext: true,
  async run(ctx) {
    const q = new Queue<number | null>();
    const consumerProcess = new Process({ target: consumer, args: [q], context: ctx.context });
    consumerProcess.start();
    const sequence = [1, 2, 3, 4];
    await producer(sequence, q);
    // 哨兵 (the sentinel): tells the consumer to end
    await q.put(null);
    await joinOk(consumerProcess);
  },
};
