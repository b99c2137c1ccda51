import { Process } from '@ipc/core';
import { Pipe } from '@ipc/pipe';
import { joinOk } from '../_join-ok.js';
import type { Scenario } from '../scenario.js';
import { adder } from '../tasks/S004-8-pipe-adder.js';

/** 004: a bidirectional adder server in a child; it prints Done! when the client closes its end. */
export const scenario: Scenario = {
  id: 'S004-8',
  title: 'Bidirectional adder server over a Pipe',
  topics: ['pipe', 'process'],
  usesContext: true,
  async run(ctx) {
    const pipe = Pipe();
    const [serverSide, clientSide] = pipe;
    const adderProcess = new Process({ target: adder, args: [pipe], context: ctx.context });
    adderProcess.start();
    serverSide.close();
    await clientSide.send([3, 4]);
    ctx.log(await clientSide.recv());
    await clientSide.send(['Hello, ', 'World!']);
    ctx.log(await clientSide.recv());
    clientSide.close();
    await joinOk(adderProcess);
  },
};
