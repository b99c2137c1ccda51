import { Process } from '@ipc/core';
import { Lock } from '@ipc/sync';
import type { Scenario } from '../scenario.js';
import { guardedWork } from '../tasks/S004-13-lock-guard.js';

/** 004: a Lock as a scoped guard (Python's `with lock:`): released when the body ends, even by throwing. */
export const scenario: Scenario = {
  id: 'S004-13',
  title: 'Lock as a scoped guard (with lock:), released even when the body throws',
  topics: ['sync', 'thread', 'process'],
  usesContext: true,
  async run(ctx) {
    const lock = new Lock();

    // Here, with the callback form.
    try {
      await lock.withLock(() => {
        ctx.log(`main: holds the lock (locked() = ${String(lock.locked())})`);
        throw new Error('main failed inside "with lock:"');
      });
    } catch (err) {
      ctx.log(`main: caught "${(err as Error).message}"; locked() = ${String(lock.locked())}`);
    }
    if (lock.locked()) throw new Error('the lock was not released after the body threw');

    // In a child, with `await using`: its body throws (Python prints the traceback, so does the child), the lock comes back.
    const failing = new Process({ target: guardedWork, args: [lock, 'child-1', true], name: 'child-1', context: ctx.context });
    failing.start();
    await failing.join();
    ctx.log(`main: child-1 exited with code ${String(failing.exitCode)} ("${(failing.error as Error | undefined)?.message ?? ''}"); locked() = ${String(lock.locked())}`);

    // The lock is free for the next ones, who take turns.
    const next = ['child-2', 'child-3'].map((name) => new Process({ target: guardedWork, args: [lock, name, false], name, context: ctx.context }));
    for (const p of next) p.start();
    for (const p of next) await p.join();
    if (!(await lock.acquire({ timeout: 5000 }))) throw new Error('the lock is still held after every child ended');
    ctx.log('main: acquired the lock again: nothing was left holding it');
    lock.release();
  },
};
