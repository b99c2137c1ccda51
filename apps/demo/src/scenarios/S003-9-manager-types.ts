import { Process } from '@ipc/core';
import { Manager } from '@ipc/shared';
import type { Scenario } from '../scenario.js';
import { useEachType, type ManagedObjects } from '../tasks/S003-9-manager-types.js';

/** 003: a Manager's list, dict, Namespace, Lock, RLock, Semaphore, BoundedSemaphore, Condition, Event, Barrier, Queue, Value and Array, each used from another process. */
export const scenario: Scenario = {
  id: 'S003-9',
  title: 'Manager: every supported type, used from another process',
  topics: ['manager', 'shared', 'process'],
  usesContext: true,
  async run(ctx) {
    await using manager = await Manager.start();
    const objects: ManagedObjects = {
      list: await manager.list(['from the parent']),
      dict: await manager.dict({ parent: 'was here' }),
      namespace: await manager.Namespace({ count: 0 }),
      lock: await manager.Lock(),
      rlock: await manager.RLock(),
      semaphore: await manager.Semaphore(2),
      boundedSemaphore: await manager.BoundedSemaphore(1),
      condition: await manager.Condition(),
      event: await manager.Event(),
      barrier: await manager.Barrier(2),
      queue: await manager.Queue(),
      value: await manager.Value('i', 4),
      array: await manager.Array('i', [1, 2, 3]),
    };
    const child = new Process({ target: useEachType, args: [objects], context: ctx.context });
    child.start();
    await objects.barrier.wait({ timeout: 10_000 });
    const lines = await child.join();
    if (lines === undefined) throw new Error('the child failed', { cause: child.error });
    for (const line of lines) ctx.log(`child  ${line}`);
    ctx.log(`parent sees: list ${JSON.stringify(await objects.list.copy())}, dict child=${await objects.dict.get('child')}, count ${await objects.namespace.get('count')}, event ${await objects.event.isSet()}, queue "${await objects.queue.get({ timeout: 5000 })}", value ${await objects.value.get()}, array [${(await objects.array.toArray()).join(', ')}]`);
  },
};
