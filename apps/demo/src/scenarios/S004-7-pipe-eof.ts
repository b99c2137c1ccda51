import { Process } from '@ipc/core';
import { Pipe, type Connection } from '@ipc/pipe';
import { joinOk } from '../_join-ok.js';
import type { Scenario } from '../scenario.js';
import { consumer } from '../tasks/S004-7-pipe-eof.js';

/** The document's `producer(sequence, pipe)`: closes the end it does not use, sends, closes its own. */
async function producer(sequence: readonly number[], pipe: [Connection, Connection]): Promise<void> {
  const [outputSide, inputSide] = pipe;
  outputSide.close();
  for (const item of sequence) await inputSide.send(item);
  inputSide.close();
}

/** 004: a Pipe used one way, each side closing the end it does not use; the consumer ends on EOF. */
export const scenario: Scenario = {
  id: 'S004-7',
  title: 'Pipe one way: the consumer ends on EOF once every writer closed',
  topics: ['pipe', 'process'],
  usesContext: true,
  async run(ctx) {
    const pipe = Pipe();
    const consumerProcess = new Process({ target: consumer, args: [pipe], context: ctx.context });
    consumerProcess.start();
    const sequence = [1, 2, 3, 4];
    await producer(sequence, pipe);
    await joinOk(consumerProcess);
  },
};
