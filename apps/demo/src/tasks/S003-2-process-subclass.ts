import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Process, task, type ContextKind } from '@ipc/core';
import { print } from '../_print.js';

/** The document's `MyMutilProcess(name)`: a Process subclass whose run() sleeps 3 to 5 seconds, then says who it is. */
export class MyMutilProcess extends Process {
  constructor(
    name: string,
    readonly scale: number,
    context: ContextKind,
  ) {
    super({ context });
    this.name = name;
  }

  // 重写run函数，实现在多进程里面的自定义操作 (override run() with what the process does)
  override async run(): Promise<void> {
    await sleep(randomInt(3, 6) * 1000 * this.scale); // 阻塞3到5秒 (block 3 to 5 seconds)
    print(`我是进程${this.name} (${process.pid}) (I am process ${this.name}, pid ${process.pid})`);
  }
}
task(import.meta.url, MyMutilProcess);
