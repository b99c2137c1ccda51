import { Process, StateError } from '@ipc/core';
import { Pipe } from '@ipc/pipe';
import { joinOk } from '../_join-ok.js';
import type { Scenario } from '../scenario.js';
import { procRecv, procSend } from '../tasks/S002-3-pipe-send-recv.js';

/** 002: a sender process and a receiver process on the two ends of a Pipe; the receiver, looping for ever, is terminated. */
export const scenario: Scenario = {
  id: 'S002-3',
  title: 'Pipe between a sender and a receiver process; Pipe(false) is one-way',
  topics: ['pipe', 'process'],
  usesContext: true,
  async run(ctx) {
    // 父进程创建pipe,并传给各个子进程 (the parent makes the pipe and gives one end to each child)
    const pipe = Pipe();
    const urls = Array.from({ length: 10 }, (_, i) => `url_${i}`);
    const p1 = new Process({ target: procSend, args: [pipe[0], urls, ctx.scale], context: ctx.context });
    const p2 = new Process({ target: procRecv, args: [pipe[1], ctx.scale], context: ctx.context });
    // 启动子进程,写入 (start the children: the writer writes)
    p1.start();
    p2.start();
    await joinOk(p1);
    p2.terminate();
    await p2.join(); // terminated: its exit code is -15, as in Python
    ctx.log('mian');
    for (const end of pipe) end.close();

    // Pipe(false): conn1 only receives, conn2 only sends.
    const [conn1, conn2] = Pipe(false);
    ctx.log(`Pipe(false): conn1 readable=${conn1.readable} writable=${conn1.writable}, conn2 readable=${conn2.readable} writable=${conn2.writable}`);
    await conn2.send('one way');
    ctx.log(`conn1.recv() → ${String(await conn1.recv())}`);
    try {
      await conn1.send('the other way');
    } catch (err) {
      if (!(err instanceof StateError)) throw err;
      ctx.log(`conn1.send() → ${err.name}: ${err.message}`);
    }
    conn1.close();
    conn2.close();
  },
};
