import { Process } from '@ipc/core';
import { Pipe } from '@ipc/pipe';
import { joinOk } from '../_join-ok.js';
import type { Scenario } from '../scenario.js';
import { doSomething } from '../tasks/S000-3-pipe-child-message.js';

/** 000: a child sleeps and sends a message on its end of a Pipe; the parent joins it, then receives. */
export const scenario: Scenario = {
  id: 'S000-3',
  title: 'Process + Pipe: the child sends, the parent joins then receives',
  topics: ['pipe', 'process'],
  usesContext: true,
  async run(ctx) {
    // 创建一对管道连接 (a pair of connected ends)
    const [conn1, conn2] = Pipe();
    const p1 = new Process({ target: doSomething, args: [conn1, 1, ctx.scale], context: ctx.context });
    p1.start();
    await joinOk(p1);
    // 获取子进程向管道中发送的消息 (the message the child sent down the pipe)
    const result = await conn2.recv();
    ctx.log('收到子进程的返回值 (received from the child) : ', result);
    conn1.close();
    conn2.close();
  },
};
