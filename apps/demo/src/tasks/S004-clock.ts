import { setTimeout as sleep } from 'node:timers/promises';
import { Process, Thread, task, type ContextKind } from '@ipc/core';
import { ctime } from '../_ctime.js';
import { print } from '../_print.js';

// The clocks of document 004. The document's loops run forever (`while True`); here they
// stop at `until` (wall-clock ms), the demo's --seconds bound, and say so.

/** The document's `clock(interval)`, as a target. */
export const clock = task(import.meta.url, async (intervalMs: number, until: number) => {
  while (Date.now() < until) {
    print(`The time is ${ctime()}`);
    await sleep(intervalMs);
  }
  print('(the clock stops: the demo bounds its endless loop)');
});

/** The document's `ClockProcess(interval)`: a Process subclass whose run() is the clock. */
export class ClockProcess extends Process {
  constructor(
    readonly interval: number,
    readonly until: number,
    context: ContextKind,
  ) {
    super({ context });
  }

  override async run(): Promise<void> {
    await clock(this.interval, this.until);
  }
}
task(import.meta.url, ClockProcess);

/** The document's `ClockThread(seconds)`: a Thread subclass, `daemon = false` set in its constructor. */
export class ClockThread extends Thread {
  constructor(
    readonly seconds: number,
    readonly until: number,
  ) {
    super();
    this.daemon = false;
  }

  override async run(): Promise<void> {
    await clock(this.seconds, this.until);
  }
}
task(import.meta.url, ClockThread);
