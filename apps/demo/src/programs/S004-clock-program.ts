/**
 * The main programs of document 004's clock examples, run as programs of their
 * own, since what they show is whether the program exits when its main code
 * ends. `node S004-clock-program.js <variant> <context> <intervalMs> <boundMs> <workMs>`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Process, Thread, type ContextKind } from '@ipc/core';
import { print } from '../_print.js';
import type { ClockVariant } from '../_clock-program.js';
import { ClockProcess, ClockThread, clock } from '../tasks/S004-clock.js';

const variants: readonly string[] = ['process', 'process-daemon-false', 'process-daemon-true', 'process-subclass', 'thread-daemon', 'thread-subclass'] satisfies ClockVariant[];

function makeClock(variant: ClockVariant, context: ContextKind, interval: number, until: number): Process {
  switch (variant) {
    case 'process':
      return new Process({ target: clock, args: [interval, until], context }); // #p.daemon = False
    case 'process-daemon-false': {
      const p = new Process({ target: clock, args: [interval, until], context });
      p.daemon = false;
      return p;
    }
    case 'process-daemon-true': {
      const p = new Process({ target: clock, args: [interval, until], context });
      p.daemon = true;
      return p;
    }
    case 'process-subclass':
      return new ClockProcess(interval, until, context);
    case 'thread-daemon': {
      const t = new Thread({ target: clock, args: [interval, until] });
      t.daemon = true;
      return t;
    }
    case 'thread-subclass':
      return new ClockThread(interval, until);
  }
}

const [variant = '', context, interval, bound, work] = process.argv.slice(2);
if (!variants.includes(variant) || (context !== 'thread' && context !== 'process')) {
  throw new Error(`usage: S004-clock-program.js <${variants.join('|')}> <thread|process> <intervalMs> <boundMs> <workMs>`);
}
// The clock's endless loop ends at the demo's --seconds bound, counted from here.
const p = makeClock(variant as ClockVariant, context, Number(interval), Date.now() + Number(bound));
p.start();
// The document's main ends right after start(); ours does a little work first, so
// that the clock is seen ticking while the main program still runs.
await sleep(Number(work));
print('hello!');
