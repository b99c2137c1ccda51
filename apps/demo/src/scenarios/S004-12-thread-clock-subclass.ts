import { expectKeptAlive, runClockProgram } from '../_clock-program.js';
import type { Scenario } from '../scenario.js';

/** 004: `class ClockThread(Thread)` setting `self.daemon = False`: it keeps the program alive. */
export const scenario: Scenario = {
  id: 'S004-12',
  title: 'ClockThread: a Thread subclass with daemon = false keeps the program alive',
  topics: ['thread', 'daemon'],
  usesContext: false,
  async run(ctx) {
    const run = await runClockProgram(ctx, 'thread-subclass');
    expectKeptAlive(ctx, run, 'ClockThread');
  },
};
