import { describe, expect, it } from 'vitest';
import { Pool } from '@ipc/pool';
import { Manager } from '@ipc/shared';
// @ts-expect-error plain JavaScript fixture
import { poolAppend } from './fixtures/tasks.mjs';

// What S000-5 and S000-6 need: manager proxies as arguments of pool tasks.
describe('Manager proxies in pool tasks', () => {
  for (const context of ['thread', 'process'] as const) {
    it(`a list and a queue work in ${context} pool workers`, async () => {
      await using manager = await Manager.start();
      const list = await manager.list<number>();
      const queue = await manager.Queue<string>();
      const pool = new Pool({ processes: 2, context });
      try {
        const results = [pool.applyAsync(poolAppend, [list, queue]), pool.applyAsync(poolAppend, [list, queue])];
        pool.close();
        await pool.join();
        const pids = (await Promise.all(results.map((r) => r.get()))) as number[];
        expect((await list.copy()).sort()).toEqual([...pids].sort());
        const lines: string[] = [];
        while (!(await queue.empty())) lines.push(await queue.get());
        expect(lines.sort()).toEqual(pids.map((pid) => `${pid} put this message`).sort());
      } finally {
        pool.terminate();
      }
    });
  }
});
