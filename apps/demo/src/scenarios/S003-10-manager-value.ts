import { Process } from '@ipc/core';
import { Manager } from '@ipc/shared';
import type { Scenario } from '../scenario.js';
import { minusTwoTask, plusOneTask } from '../tasks/S003-10-manager-value.js';

const ROUNDS = 5;

/** 003: a Manager Value('i', 1) changed by a plus-one process and a minus-two process in loops (bounded). */
export const scenario: Scenario = {
  id: 'S003-10',
  title: 'Manager Value changed by a plus-one and a minus-two process',
  topics: ['manager', 'shared', 'process'],
  usesContext: true,
  async run(ctx) {
    await using manager = await Manager.start();
    const num = await manager.Value('i', 1);
    const lock = await manager.Lock();
    const pPlusOne = new Process({ target: plusOneTask, args: [num, lock, ROUNDS, 2000 * ctx.scale], context: ctx.context });
    const pMinusTwo = new Process({ target: minusTwoTask, args: [num, lock, ROUNDS, 2000 * ctx.scale], context: ctx.context });
    pPlusOne.start();
    pMinusTwo.start();
    await pMinusTwo.join();
    await pPlusOne.join();
    if (pPlusOne.exitCode !== 0 || pMinusTwo.exitCode !== 0) throw new Error('a process failed', { cause: pPlusOne.error ?? pMinusTwo.error });
    ctx.log(`final value ${await num.get()} (1 + ${ROUNDS} × 1 − ${ROUNDS} × 2)`);
  },
};
