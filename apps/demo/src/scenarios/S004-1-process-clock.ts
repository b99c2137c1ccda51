import { expectKeptAlive, runClockProgram } from '../_clock-program.js';
import type { Scenario } from '../scenario.js';

/** 004: code listing 1 — `Process(target=clock, args=(2,))`, `daemon` left unset (false), started; the main code ends. */
export const scenario: Scenario = {
  id: 'S004-1',
  title: 'A clock process, non-daemon by default: the program does not exit while it runs',
  topics: ['process', 'daemon'],
  usesContext: true,
  async run(ctx) {
    const run = await runClockProgram(ctx, 'process');
    expectKeptAlive(ctx, run, 'clock process');
  },
};
