import { expectKeptAlive, runClockProgram } from '../_clock-program.js';
import type { Scenario } from '../scenario.js';

/** 004: code listing 4 — `class ClockProcess(Process)` with an interval; non-daemon, as in listings 1 and 2. */
export const scenario: Scenario = {
  id: 'S004-4',
  title: 'ClockProcess: a Process subclass printing the time every interval',
  topics: ['process', 'daemon'],
  usesContext: true,
  async run(ctx) {
    const run = await runClockProgram(ctx, 'process-subclass');
    expectKeptAlive(ctx, run, 'ClockProcess');
  },
};
