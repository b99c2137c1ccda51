import { Manager } from '@ipc/shared';
import { Pool } from '@ipc/pool';
import type { Scenario } from '../scenario.js';
import { putMessage } from '../tasks/S000-6-manager-queue-pool.js';

/** 000: a Manager queue shared with Pool workers: two tasks put a message; the parent drains it while not empty. */
export const scenario: Scenario = {
  id: 'S000-6',
  title: 'Manager queue shared with Pool workers',
  topics: ['manager', 'shared', 'pool', 'queue'],
  usesContext: true,
  async run(ctx) {
    await using manager = await Manager.start();
    const managerQueue = await manager.Queue<string>();
    const pool = new Pool({ context: ctx.context });
    pool.applyAsync(putMessage, [managerQueue, 2, ctx.scale]);
    pool.applyAsync(putMessage, [managerQueue, 2, ctx.scale]);
    pool.close();
    await pool.join();
    while (!(await managerQueue.empty())) ctx.log(await managerQueue.get());
  },
};
