import { joinOk } from '../_join-ok.js';
import type { Scenario } from '../scenario.js';
import { MyMutilProcess } from '../tasks/S003-2-process-subclass.js';

/** 003, method two: a Process subclass overriding run(), given a name; started and joined one after the other. */
export const scenario: Scenario = {
  id: 'S003-2',
  title: 'Process subclass overriding run(), started and joined in turn',
  topics: ['process'],
  usesContext: true,
  async run(ctx) {
    ctx.log(`我是主进程(${process.pid}) (I am the main process, pid ${process.pid})`);
    const process1 = new MyMutilProcess('process1', ctx.scale, ctx.context); // 创建进程1 (create process 1)
    process1.start(); // 启动进程，会在内部自动调用run函数 (start() calls run() inside the child)
    await joinOk(process1); // 主进程等待进程1结束 (the main process waits for process 1)

    const process2 = new MyMutilProcess('process2', ctx.scale, ctx.context);
    process2.start();
    await joinOk(process2); // 主进程等到进程2结束，才会结束 (and for process 2 before it ends)

    ctx.log('所有的进程都执行完了 (all processes done)');
  },
};
