import { Pool, type AsyncResult } from '@ipc/pool';
import type { Scenario } from '../scenario.js';
import { workWithPool } from '../tasks/S001-5-pool-map-apply-async.js';

/** 001: `Pool(5).map(work, [1..5])`, then `Pool(3)` with nine `apply_async`, `close`, `join`, and the results. */
export const scenario: Scenario = {
  id: 'S001-5',
  title: 'Pool: map on five workers, then nine applyAsync on three',
  topics: ['pool'],
  usesContext: true,
  async run(ctx) {
    {
      await using pool = new Pool({ processes: 5, context: ctx.context }); // with Pool(5) as pool:
      ctx.track(pool, 14);
      // map(work, [1..5]); each item also carries the demo's time scale, so starmap.
      const res = await pool.starmap(workWithPool, [1, 2, 3, 4, 5].map((n) => [n, ctx.scale] as [number, number]));
      ctx.log(`---start_with_pool---res:${JSON.stringify(res)}`);
    }
    const results: AsyncResult<number>[] = [];
    await using pool = new Pool({ processes: 3, context: ctx.context });
    ctx.track(pool);
    for (let i = 1; i < 10; i++) results.push(pool.applyAsync(workWithPool, [i, ctx.scale]));
    pool.close();
    await pool.join();
    const res = await Promise.all(results.map((r) => r.get()));
    ctx.log(`---start_with_pool---res = ${JSON.stringify(res)}`);
  },
};
