import { expectEndedWithMain, runClockProgram } from '../_clock-program.js';
import type { Scenario } from '../scenario.js';

/** 004: `Thread(target=clock, args=(2,))`, `t.daemon = True`: it ends with the main program. */
export const scenario: Scenario = {
  id: 'S004-11',
  title: 'A daemon clock thread ends with the main program',
  topics: ['thread', 'daemon'],
  usesContext: false,
  async run(ctx) {
    const run = await runClockProgram(ctx, 'thread-daemon');
    expectEndedWithMain(ctx, run, 'clock thread');
  },
};
