import { Manager } from '@ipc/shared';
import { Pool } from '@ipc/pool';
import type { Scenario } from '../scenario.js';
import { appendPid } from '../tasks/S000-5-manager-list-pool.js';

/** 000: a Manager list shared with Pool workers: two `apply_async` tasks each append their process id. */
export const scenario: Scenario = {
  id: 'S000-5',
  title: 'Manager list shared with Pool workers',
  topics: ['manager', 'shared', 'pool'],
  usesContext: true,
  async run(ctx) {
    await using manager = await Manager.start(); // with multiprocessing.Manager() as manager:
    const managerList = await manager.list<number>();
    const pool = new Pool({ context: ctx.context });
    pool.applyAsync(appendPid, [managerList, 2, ctx.scale]);
    pool.applyAsync(appendPid, [managerList, 2, ctx.scale]);
    pool.close();
    await pool.join();
    // The parent reads the ids the workers put there.
    ctx.log(JSON.stringify(await managerList.copy()));
  },
};
