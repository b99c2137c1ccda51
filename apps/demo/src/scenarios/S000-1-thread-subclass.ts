import type { Scenario } from '../scenario.js';
import { doSomething, MyThread } from '../tasks/S000-1-thread-subclass.js';

/** 000: a Thread subclass whose run() calls a function; getResult() after join(). */
export const scenario: Scenario = {
  id: 'S000-1',
  title: 'Custom thread class: run() keeps the result, getResult() after join()',
  topics: ['thread', 'result'],
  usesContext: false,
  async run(ctx) {
    const thread = new MyThread(doSomething, [1, ctx.scale]);
    thread.start();
    await thread.join();
    if (thread.exitCode !== 0) throw new Error(`${thread.name} failed`, { cause: thread.error });
    const result = thread.getResult();
    ctx.log('子线程返回值 (the thread returned) :', result);
  },
};
