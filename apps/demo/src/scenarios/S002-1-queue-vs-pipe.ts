import { Process } from '@ipc/core';
import { Pipe } from '@ipc/pipe';
import { LocalQueue, Queue } from '@ipc/queue';
import { joinOk } from '../_join-ok.js';
import type { Scenario } from '../scenario.js';
import { putGreeting, sendGreeting } from '../tasks/S002-1-queue-vs-pipe.js';

/** 002: which queue where — an in-thread queue, an inter-process Queue, a Pipe. */
export const scenario: Scenario = {
  id: 'S002-1',
  title: 'In-thread LocalQueue vs inter-process Queue vs Pipe',
  topics: ['queue', 'pipe', 'thread', 'process'],
  usesContext: true,
  async run(ctx) {
    // 使用Queue线程间通信 (queue.Queue: between the tasks of one thread) → LocalQueue, items kept as they are
    const local = new LocalQueue<{ n: number }>();
    const item = { n: 1 };
    const taken = local.get();
    await local.put(item);
    ctx.log(`LocalQueue (queue.Queue): got ${JSON.stringify(await taken)}, the very same object: ${(await taken) === item}`);

    // 使用Queue进程间通信,适用于多个进程之间通信 (multiprocessing.Queue: between any number of processes)
    const q = new Queue<string>();
    const putters = [1, 2].map(() => new Process({ target: putGreeting, args: [q], context: ctx.context }));
    for (const p of putters) p.start();
    for (const p of putters) await joinOk(p);
    const greetings = [await q.get(), await q.get()].sort();
    for (const g of greetings) ctx.log(`Queue: ${g}`);

    // 使用Pipe进程间通信,适用于两个进程之间通信(一对一) (Pipe: between two, one to one)
    const [mine, theirs] = Pipe();
    const sender = new Process({ target: sendGreeting, args: [theirs], context: ctx.context });
    sender.start();
    theirs.close();
    ctx.log(`Pipe: ${String(await mine.recv())}`);
    await joinOk(sender);
    mine.close();
  },
};
