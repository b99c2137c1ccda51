import { Process } from '@ipc/core';
import { Queue } from '@ipc/queue';
import { joinOk } from '../_join-ok.js';
import type { Scenario } from '../scenario.js';
import { doSomething } from '../tasks/S000-4-queue-child-message.js';

/** 000: a child sleeps and puts a message in a Queue; the parent joins it, then gets the message. */
export const scenario: Scenario = {
  id: 'S000-4',
  title: 'Process + Queue: the child puts, the parent joins then gets',
  topics: ['queue', 'process'],
  usesContext: true,
  async run(ctx) {
    // 创建消息队列 (create the queue)
    const queue = new Queue<string>();
    const p1 = new Process({ target: doSomething, args: [queue, 1, ctx.scale], context: ctx.context });
    // 以阻塞式方式实现子进程 (start the child, and wait for it)
    p1.start();
    await joinOk(p1);
    // 获取消息队列中的子进程返回值 (the message the child put in the queue)
    const result = await queue.get();
    ctx.log('收到子进程的返回值 (received from the child) : ', result);
  },
};
