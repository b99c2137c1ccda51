import { expectEndedWithMain, runClockProgram } from '../_clock-program.js';
import type { Scenario } from '../scenario.js';

/** 004: code listing 3 — `p.daemon = True`: the endless clock ends with the main program. */
export const scenario: Scenario = {
  id: 'S004-3',
  title: 'A daemon clock process ends when the program ends',
  topics: ['process', 'daemon'],
  usesContext: true,
  async run(ctx) {
    const run = await runClockProgram(ctx, 'process-daemon-true');
    expectEndedWithMain(ctx, run, 'clock process');
  },
};
