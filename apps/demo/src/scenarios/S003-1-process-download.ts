import { Process } from '@ipc/core';
import { joinOk } from '../_join-ok.js';
import type { Scenario, ScenarioContext } from '../scenario.js';
import { downloadTask } from '../tasks/S003-1-process-download.js';

/** The document's `get_time` decorator: prints how long the wrapped function took. */
function getTime<A extends unknown[], R>(ctx: ScenarioContext, func: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args) => {
    const start = performance.now();
    const result = await func(...args);
    const end = performance.now();
    ctx.log(`总共花费时间为${((end - start) / 1000).toFixed(2)} (took ${((end - start) / 1000).toFixed(2)} s in all)`);
    return result;
  };
}

/** 003, method one: two Processes made with a target and args, both started, then both joined. */
export const scenario: Scenario = {
  id: 'S003-1',
  title: 'Process with target and args: two downloads run side by side',
  topics: ['process'],
  usesContext: true,
  async run(ctx) {
    // @get_time
    const timedMain = getTime(ctx, async function main() {
      const p1 = new Process({ target: downloadTask, args: ['Python入门1.pdf', ctx.scale], context: ctx.context }); // 创建进程 (create the process)
      p1.start(); // 进程启动 (start it)
      const p2 = new Process({ target: downloadTask, args: ['Python入门2.pdf', ctx.scale], context: ctx.context });
      p2.start();
      // join() waits for each to end; it does not change the order in which the two run.
      const seconds = [await joinOk(p1), await joinOk(p2)];
      ctx.log(`(the downloads took ${seconds.join(' and ')} document seconds: the total is the longer one, not the sum, × scale ${ctx.scale})`);
      return main.name;
    });
    const result = await timedMain();
    ctx.log(result);
  },
};
