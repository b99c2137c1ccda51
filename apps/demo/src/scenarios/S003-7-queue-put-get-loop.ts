import { Process } from '@ipc/core';
import { Queue } from '@ipc/queue';
import { joinOk } from '../_join-ok.js';
import type { Scenario } from '../scenario.js';
import { getTask, putTask } from '../tasks/S003-7-queue-put-get-loop.js';

/** 003: a process putting every 2 s and one getting every 3 s (the document's loops are endless: bounded here). */
export const scenario: Scenario = {
  id: 'S003-7',
  title: 'Queue between a putting process (every 2 s) and a getting process (every 3 s)',
  topics: ['queue', 'process'],
  usesContext: true,
  async run(ctx) {
    const quene = new Queue<string | null>();
    const putprocess = new Process({ target: putTask, args: [quene, ctx.seconds, ctx.scale], context: ctx.context });
    const getprocess = new Process({ target: getTask, args: [quene, ctx.scale], context: ctx.context });
    putprocess.start();
    getprocess.start();
    const put = await joinOk(putprocess);
    const got = await joinOk(getprocess);
    // 两个进程可以无限的执行下去 (the two could go on for ever): the getter is slower, yet loses nothing.
    ctx.log(`put ${put}, got ${got}: ${put === got ? 'nothing lost' : 'ITEMS LOST'}`);
    if (put !== got) throw new Error(`put ${put} items but got ${got}`);
  },
};
