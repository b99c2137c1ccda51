import { Process } from '@ipc/core';
import { LocalQueue, Queue } from '@ipc/queue';
import { joinOk } from '../_join-ok.js';
import type { Scenario } from '../scenario.js';
import { pPut } from '../tasks/S002-4-local-queue-to-process.js';

/** 002: an in-thread queue (Python's queue.Queue) passed to a Process fails at start(), naming it and why. */
export const scenario: Scenario = {
  id: 'S002-4',
  title: 'An in-thread queue passed to a Process: a clear error at start()',
  topics: ['queue', 'process'],
  usesContext: true,
  async run(ctx) {
    // import queue  # 线程间通信queue.Queue,两者不要混淆 (the in-thread queue: do not mix them up)
    const q = new LocalQueue<string[]>();
    const p1 = new Process({ target: pPut, args: [q, 'p1'], context: ctx.context });
    try {
      p1.start();
      throw new Error('start() should have refused the in-thread queue');
    } catch (err) {
      if (!(err instanceof Error) || err.name !== 'SerializationError') throw err;
      // The document: TypeError: can't pickle _thread.lock objects
      ctx.log(`直接异常报错 (it fails at once): ${err.name} (${(err as { code?: string }).code}): ${err.message}`);
    }
    // from multiprocessing import Queue  # 进程间通信Queue (the inter-process Queue works)
    const mq = new Queue<string[]>();
    const p2 = new Process({ target: pPut, args: [mq, 'p1'], context: ctx.context });
    p2.start();
    await joinOk(p2);
    ctx.log(`with Queue instead: got ${JSON.stringify(await mq.get())}`);
  },
};
