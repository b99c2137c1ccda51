import { Pool } from '@ipc/pool';
import type { Scenario } from '../scenario.js';
import { f } from '../tasks/S003-6-pool-map.js';

/** 003: `map_async(f, [1, 2, 3]).get()` and `map(f, [1, 2, 3])` on `Pool(5)`. */
export const scenario: Scenario = {
  id: 'S003-6',
  title: 'map and mapAsync().get() on Pool(5)',
  topics: ['pool'],
  usesContext: true,
  async run(ctx) {
    await using p = new Pool({ processes: 5, context: ctx.context }); // with Pool(5) as p:
    ctx.log(JSON.stringify(await p.mapAsync(f, [1, 2, 3]).get())); // asynchronous, like apply_async
    ctx.log(JSON.stringify(await p.map(f, [1, 2, 3])));
  },
};
