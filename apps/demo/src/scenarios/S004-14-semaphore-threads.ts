import { Thread } from '@ipc/core';
import { Semaphore } from '@ipc/sync';
import type { Scenario } from '../scenario.js';
import { useResource } from '../tasks/S004-14-semaphore-threads.js';

const VALUE = 2;

/** 004: the document leaves the Semaphore between threads out ("可能暂时略"): five threads, two permits. */
export const scenario: Scenario = {
  id: 'S004-14',
  title: 'Semaphore between threads: five threads, two permits',
  topics: ['sync', 'thread'],
  usesContext: false,
  async run(ctx) {
    const semaphore = new Semaphore(VALUE);
    // The threads count the holders in shared memory, as they go: [now, most].
    const holders = new SharedArrayBuffer(8);
    const threads = Array.from({ length: 5 }, () => new Thread({ target: useResource, args: [semaphore, holders, 1000 * ctx.scale] }));
    for (const t of threads) t.start();
    for (const t of threads) await t.join();
    const most = new Int32Array(holders)[1]!;
    if (most > VALUE) throw new Error(`${most} threads held a permit at once; the semaphore's value is ${VALUE}`);
    ctx.log(`at most ${most} thread(s) held a permit at once (value ${VALUE}); free permits now: ${semaphore.getValue()}`);
  },
};
