import { Process } from '@ipc/core';
import { JoinableQueue } from '@ipc/queue';
import type { Scenario } from '../scenario.js';
import { consumer } from '../tasks/S004-6-joinable-queue.js';

/** 004: JoinableQueue — the consumer marks each item done; the producer's join() returns once all are. */
export const scenario: Scenario = {
  id: 'S004-6',
  title: 'JoinableQueue: join() returns when every item has been processed',
  topics: ['queue', 'process'],
  usesContext: true,
  async run(ctx) {
    const q = new JoinableQueue<number>();
    // 运行使用者进程 (the consumer: it loops for ever; the book makes it a daemon, here it is terminated at the end)
    const consProcess = new Process({ target: consumer, args: [q, ctx.scale], context: ctx.context });
    consProcess.start();
    // 生产项目 (produce items): sequence is the items to send to the consumer
    const sequence = [1, 2, 3, 4];
    for (const item of sequence) await q.put(item);
    ctx.log('put every item; waiting in join() ...');
    // 等待所有项目被处理 (wait until every item is processed)
    await q.join();
    ctx.log(`join() returned: all ${sequence.length} items processed`);
    consProcess.terminate();
    await consProcess.join();
  },
};
