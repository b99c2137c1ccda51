import { cpuCount } from '@ipc/core';
import { Pool, type AsyncResult } from '@ipc/pool';
import type { Scenario } from '../scenario.js';
import { hardTask } from '../tasks/S003-3-pool-default-size.js';

/** 003: `Pool()` has cpu_count() workers; four `apply_async`, `close`, `join`, then each result. */
export const scenario: Scenario = {
  id: 'S003-3',
  title: 'Pool() of cpuCount() workers: four applyAsync, close, join, results',
  topics: ['pool'],
  usesContext: true,
  async run(ctx) {
    ctx.log(cpuCount());
    ctx.log(`Parent process ${process.pid}.`);
    const p = new Pool({ context: ctx.context });
    ctx.track(p, 4);
    const resAll: AsyncResult<string>[] = [];
    for (let i = 0; i < 4; i++) resAll.push(p.applyAsync(hardTask, [i, ctx.scale]));
    ctx.log('Wait for all process done!');
    p.close();
    await p.join();
    for (const res of resAll) ctx.log(await res.get());
    ctx.log('All subprocess done!');
  },
};
