import { Process } from '@ipc/core';
import { Pipe } from '@ipc/pipe';
import { joinOk } from '../_join-ok.js';
import type { Scenario } from '../scenario.js';
import { workWithPipe } from '../tasks/S001-1-pipe-worker-loop.js';

/** 001: a duplex Pipe to a child that answers each number times 3 until it is sent "close". */
export const scenario: Scenario = {
  id: 'S001-1',
  title: 'Duplex Pipe worker loop: numbers come back ×3, "close" ends it',
  topics: ['pipe', 'process'],
  usesContext: true,
  async run(ctx) {
    const [parentConnection, childConnection] = Pipe();
    const childProcess = new Process({ target: workWithPipe, args: [childConnection], context: ctx.context });
    childProcess.start();

    for (let i = 1; i < 5; i++) {
      await parentConnection.send(i);
      const res = await parentConnection.recv();
      ctx.log(`parent_connection recv ${String(res)}`);
    }

    await parentConnection.send('close');
    await joinOk(childProcess);
    ctx.log('process finish');
    parentConnection.close();
    childConnection.close();
  },
};
