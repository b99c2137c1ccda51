import { expectKeptAlive, runClockProgram } from '../_clock-program.js';
import type { Scenario } from '../scenario.js';

/** 004: code listing 2 — the same with `p.daemon = False`: no difference from listing 1. */
export const scenario: Scenario = {
  id: 'S004-2',
  title: 'The same clock process with daemon = false set explicitly',
  topics: ['process', 'daemon'],
  usesContext: true,
  async run(ctx) {
    const run = await runClockProgram(ctx, 'process-daemon-false');
    expectKeptAlive(ctx, run, 'clock process');
  },
};
