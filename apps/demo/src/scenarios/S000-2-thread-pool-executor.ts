import { ThreadPoolExecutor, type Future } from '@ipc/pool';
import type { Scenario } from '../scenario.js';
import { doSomething } from '../tasks/S000-1-thread-subclass.js';

/** 000: `ThreadPoolExecutor().submit(do_something, 1)` gives a Future; `result()` waits for the value. */
export const scenario: Scenario = {
  id: 'S000-2',
  title: 'ThreadPoolExecutor: submit() gives a Future, result() its value',
  topics: ['pool', 'thread', 'result'],
  usesContext: false,
  async run(ctx) {
    await using executor = new ThreadPoolExecutor(); // with ThreadPoolExecutor() as executor:
    const future: Future<string> = executor.submit(doSomething, 1, ctx.scale);
    const result = await future.result();
    ctx.log('线程执行结果 (the thread’s result)', result);
  },
};
