import { Pool, type AsyncResult } from '@ipc/pool';
import type { Scenario } from '../scenario.js';
import { longTimeTask } from '../tasks/S004-9-pool-fifth-waits.js';

/** 004: `Pool(4)` and five long tasks: the fifth starts only when one of the first four has finished. */
export const scenario: Scenario = {
  id: 'S004-9',
  title: 'Pool(4) with five long tasks: the fifth waits for a free worker',
  topics: ['pool'],
  usesContext: true,
  async run(ctx) {
    ctx.log(`Main process (${process.pid}) starts...`);
    const p = new Pool({ processes: 4, context: ctx.context });
    ctx.track(p, 5);
    const runs: AsyncResult<{ start: number; end: number }>[] = [];
    // The document's random() * 3 s, at least 0.5 s so that the order shows at any scale.
    for (let i = 0; i < 5; i++) runs.push(p.applyAsync(longTimeTask, [i, Math.max(500, Math.random() * 3000) * ctx.scale]));
    ctx.log('Waiting for all subprocesses done!');
    p.close();
    await p.join();
    ctx.log('All subprocesses done!');
    const times = await Promise.all(runs.map((r) => r.get()));
    const firstEnd = Math.min(...times.slice(0, 4).map((t) => t.end));
    ctx.log(`the fifth task started ${times[4]!.start >= firstEnd ? 'after' : 'BEFORE'} the first of the four ended`);
  },
};
