import { Process } from '@ipc/core';
import { Pipe } from '@ipc/pipe';
import { joinOk } from '../_join-ok.js';
import type { Scenario } from '../scenario.js';
import { fun1 } from '../tasks/S003-8-pipe-greetings.js';

/** 003: a bidirectional Pipe; the child sends a greeting then receives, the parent receives then sends. */
export const scenario: Scenario = {
  id: 'S003-8',
  title: 'Bidirectional Pipe: greetings both ways',
  topics: ['pipe', 'process'],
  usesContext: true,
  async run(ctx) {
    const [conn1, conn2] = Pipe(); // 关键点，pipe实例化生成一个双向管道 (the key: a two-way pipe)
    const p = new Process({ target: fun1, args: [conn2], context: ctx.context }); // conn2传给子进程 (conn2 goes to the child)
    p.start();
    ctx.log('主进程接受消息 (the main process receives)：');
    ctx.log(await conn1.recv());
    ctx.log('主进程发送消息 (the main process sends)：');
    await conn1.send('  你好子进程 (hello, child process)');
    await joinOk(p);
    ctx.log('结束测试 (end of the test)');
    conn1.close();
    conn2.close();
  },
};
