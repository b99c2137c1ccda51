import { Process } from '@ipc/core';
import { Array as SharedArray, Value, type Typecode } from '@ipc/shared';
import type { Scenario } from '../scenario.js';
import { workWithSharedMemory } from '../tasks/S001-3-shared-value-array.js';

/** 001: a Value and an Array in shared memory, changed by two processes: +1 and +5. */
export const scenario: Scenario = {
  id: 'S001-3',
  title: 'Shared memory: Value and Array changed by two processes',
  topics: ['shared', 'process'],
  usesContext: true,
  async run(ctx) {
    const sharedValue = Value('i', 0);
    const sharedArray = SharedArray('i', [1, 2, 3, 4, 5]);
    const p1 = new Process({ target: workWithSharedMemory, args: ['process_data_shared_memory1', sharedValue, sharedArray, 1], context: ctx.context });
    const p2 = new Process({ target: workWithSharedMemory, args: ['process_data_shared_memory2', sharedValue, sharedArray, 5], context: ctx.context });
    p1.start();
    p2.start();
    await p1.join();
    await p2.join();
    if (p1.exitCode !== 0 || p2.exitCode !== 0) throw new Error('a process failed', { cause: p1.error ?? p2.error });
    ctx.log(`---start_with_shared_memory---shared_value:${sharedValue.value}, shared_array:[${sharedArray.toArray().join(', ')}]`);

    // The document lists the typecodes that can be shared: show each holding a value.
    const samples: [Typecode, number | string][] = [['i', -7], ['d', 2.5], ['f', 0.25], ['c', 'x'], ['b', -128], ['B', 255]];
    ctx.log(`typecodes: ${samples.map(([tc, v]) => `'${tc}' → ${JSON.stringify(Value(tc, v as never).value)}`).join(', ')}`);
  },
};
