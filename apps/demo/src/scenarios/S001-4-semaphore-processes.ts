import { Process } from '@ipc/core';
import { Semaphore } from '@ipc/sync';
import type { Scenario } from '../scenario.js';
import { workWithSemaphore } from '../tasks/S001-4-semaphore-processes.js';

const VALUE = 1; // the document's output shows one process at a time

/** 001: five processes share a Semaphore; each holds it for a second, never more of them at once than its value. */
export const scenario: Scenario = {
  id: 'S001-4',
  title: 'Semaphore: five processes take turns (never more holders than its value)',
  topics: ['sync', 'process'],
  usesContext: true,
  async run(ctx) {
    const semaphore = new Semaphore(VALUE);
    const procs = Array.from({ length: 5 }, (_, i) => new Process({ target: workWithSemaphore, args: [semaphore, i, 1000 * ctx.scale], context: ctx.context }));
    for (const p of procs) p.start();
    const held: (readonly [number, number])[] = [];
    for (const p of procs) {
      const times = await p.join();
      if (times === undefined) throw new Error(`${p.name} failed`, { cause: p.error });
      held.push(times);
    }

    // Check what the document only shows: at no instant did more than VALUE processes hold a permit.
    const events = held.flatMap(([start, finish]) => [
      { at: start, d: 1 },
      { at: finish, d: -1 },
    ]);
    events.sort((a, b) => a.at - b.at || a.d - b.d);
    let holders = 0;
    let most = 0;
    for (const e of events) most = Math.max(most, (holders += e.d));
    if (most > VALUE) throw new Error(`${most} processes held the semaphore at once; its value is ${VALUE}`);
    ctx.log(`at most ${most} process(es) held the semaphore at once (value ${VALUE})`);
  },
};
