import { setTimeout as sleep } from 'node:timers/promises';
import { task, Thread } from '@ipc/core';
import { print } from '../_print.js';

/** The document's `do_something(seconds)`: a slow operation, slept here `seconds × scale`. */
export const doSomething = task(import.meta.url, async (seconds: number, scale: number) => {
  print(`Sleep ${seconds} second(s)...`);
  await sleep(seconds * 1000 * scale);
  return 'Done Sleeping';
});

/**
 * The document's `MyThread(func, args)`: `run()` calls the function, and
 * `getResult()` gives its result after `join()`. Python's `run()` stores
 * `self.result` on the shared object; here `run()` runs on its own heap, so it
 * returns the result and `join()` (which resolves with it) keeps it.
 */
export class MyThread<A extends unknown[], R> extends Thread<[], R> {
  private result: Awaited<R> | undefined;

  constructor(
    readonly func: (...args: A) => R | Promise<R>,
    readonly funcArgs: A,
  ) {
    super();
  }

  override run(): R | Promise<R> {
    return this.func(...this.funcArgs);
  }

  override async join(timeoutMs?: number): Promise<Awaited<R> | undefined> {
    const result = await super.join(timeoutMs);
    this.result = result;
    return result;
  }

  /** Python's `get_result()`: the result, or undefined (Python's None) before the thread has finished. */
  getResult(): Awaited<R> | undefined {
    return this.result;
  }
}
task(import.meta.url, MyThread);
