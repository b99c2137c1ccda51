import { task } from '@ipc/core';
import type { SynchronizedArray, SynchronizedValue } from '@ipc/shared';
import { print } from '../_print.js';

/** The document's `work_with_shared_memory1/2`: add `n` to the value and to every element, each under its lock. */
export const workWithSharedMemory = task(import.meta.url, async (label: string, value: SynchronizedValue<'i'>, array: SynchronizedArray<'i'>, n: number) => {
  await value.getLock().withLock(() => {
    value.value += n;
  });
  await array.getLock().withLock(() => {
    for (let i = 0; i < array.length; i++) array[i] = array[i]! + n;
  });
  print(`---${label}---shared_value:${value.value}, shared_array:[${array.toArray().join(', ')}]`);
});
