import { Pool } from '@ipc/pool';
import type { Scenario } from '../scenario.js';
import { ProcessTest } from '../tasks/S001-6-pool-task-reference.js';

/** 001: a pool task must be a function other contexts can find: a bound method fails at once, saying how to fix it. */
export const scenario: Scenario = {
  id: 'S001-6',
  title: 'A pool task must be a function the workers can find',
  topics: ['pool'],
  usesContext: true,
  async run(ctx) {
    await using pool = new Pool({ processes: 2, context: ctx.context });
    const test = new ProcessTest();
    try {
      await pool.map(test.bound.bind(test), [1, 2, 3]);
      throw new Error('a bound method was accepted as a pool task');
    } catch (err) {
      const e = err as Error & { code?: string };
      ctx.log(`bound method: ${e.name} (${e.code}): ${e.message}`);
    }
    ctx.log(`static task: ${JSON.stringify(await pool.map(ProcessTest.workWithPool, [1, 2, 3]))}`);
  },
};
