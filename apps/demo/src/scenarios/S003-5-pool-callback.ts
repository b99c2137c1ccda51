import { Pool } from '@ipc/pool';
import type { Scenario } from '../scenario.js';
import { nameTask } from '../tasks/S003-5-pool-callback.js';

/** 003: `apply_async(task, callback=prase_task)`: the callback handles each result in the parent. */
export const scenario: Scenario = {
  id: 'S003-5',
  title: 'applyAsync with a callback: Pool(2), five tasks',
  topics: ['pool'],
  usesContext: true,
  async run(ctx) {
    ctx.log(`Father Process PID:${process.pid}`);
    const praseTask = (res: number): void => ctx.log(`You name is ${res}`);
    const p = new Pool({ processes: 2, context: ctx.context });
    for (let i = 0; i < 5; i++) p.applyAsync(nameTask, [i], { callback: praseTask });
    p.close();
    await p.join(); // every callback has run when join() returns
    ctx.log('All task done!');
  },
};
