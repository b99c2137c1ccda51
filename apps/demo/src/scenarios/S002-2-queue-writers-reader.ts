import { Process } from '@ipc/core';
import { Queue } from '@ipc/queue';
import { joinOk } from '../_join-ok.js';
import type { Scenario } from '../scenario.js';
import { procRead, procWrite } from '../tasks/S002-2-queue-writers-reader.js';

/** 002: two writer processes and a reader process on one Queue; the reader, looping for ever, is terminated. */
export const scenario: Scenario = {
  id: 'S002-2',
  title: 'Queue between two writer processes and a reader process',
  topics: ['queue', 'process'],
  usesContext: true,
  async run(ctx) {
    // 父进程创建Queue,并传给各个子进程 (the parent makes the Queue and gives it to each child)
    const q = new Queue<string>();
    const procWrite1 = new Process({ target: procWrite, args: [q, ['url_1', 'url_2', 'url_3'], ctx.scale], context: ctx.context });
    const procWrite2 = new Process({ target: procWrite, args: [q, ['url_4', 'url_5', 'url_6'], ctx.scale], context: ctx.context });
    const procReader = new Process({ target: procRead, args: [q], context: ctx.context });
    // 启动子进程,写入 (start the children: the writers write)
    procWrite1.start();
    procWrite2.start();
    procReader.start();
    // 等待proc_write1结束 (wait for the writers)
    await joinOk(procWrite1);
    await joinOk(procWrite2);
    // The document's reader happens to have read everything before it is killed; here it is made sure of:
    // the queue is empty once the reader has taken the last url (and it prints as soon as it takes one).
    while (!q.empty()) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 50));
    // proc_reader进程是死循环,强制结束 (the reader loops for ever: end it)
    procReader.terminate();
    await procReader.join();
    ctx.log('mian');
  },
};
