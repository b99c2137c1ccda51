import { Pool } from '@ipc/pool';
import type { Scenario } from '../scenario.js';
import { greet, initWorker } from '../tasks/S003-4-pool-initializer.js';

/** 003: `Pool(numprocess, initializer, initargs)`; `apply` blocks, `apply_async` does not; `join` only after `close`. */
export const scenario: Scenario = {
  id: 'S003-4',
  title: 'Pool(n, initializer, initargs); apply vs applyAsync; close before join',
  topics: ['pool'],
  usesContext: true,
  async run(ctx) {
    const p = new Pool({ processes: 2, initializer: initWorker, initargs: ['hello'], context: ctx.context });
    ctx.log(`apply (waits for the result): ${await p.apply(greet, ['apply'])}`);
    const later = p.applyAsync(greet, ['applyAsync']);
    ctx.log(`applyAsync (returns at once): ready() = ${later.ready()}`);
    try {
      await p.join();
      throw new Error('join() before close() was accepted');
    } catch (err) {
      ctx.log(`join() before close(): ${(err as Error).name}: ${(err as Error).message}`);
    }
    p.close();
    await p.join();
    ctx.log(`after close() and join(): ${await later.get()}`);
  },
};
