import { setTimeout as sleep } from 'node:timers/promises';
import { task } from '@ipc/core';
import type { LockProxy, ValueProxy } from '@ipc/shared';
import { print } from '../_print.js';

/** The document's `plus_one_task(num)`, bounded to `rounds`: the read-modify-write holds the lock (the document's does not). */
export const plusOneTask = task(import.meta.url, async (num: ValueProxy<'i'>, lock: LockProxy, rounds: number, sleepMs: number) => {
  for (let i = 0; i < rounds; i++) {
    await lock.withLock(async () => {
      await num.set((await num.get()) + 1);
      print(`plus one reslut ${await num.get()}`);
    });
    await sleep(sleepMs);
  }
});

/** The document's `minus_two_task`, using its own argument (the document's reads a global by mistake). */
export const minusTwoTask = task(import.meta.url, async (value: ValueProxy<'i'>, lock: LockProxy, rounds: number, sleepMs: number) => {
  for (let i = 0; i < rounds; i++) {
    await lock.withLock(async () => {
      await value.set((await value.get()) - 2);
      print(`minus two result ${await value.get()}`);
    });
    await sleep(sleepMs);
  }
});
