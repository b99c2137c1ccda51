import { task } from '@ipc/core';
import type { ArrayProxy, BarrierProxy, BoundedSemaphoreProxy, ConditionProxy, DictProxy, EventProxy, ListProxy, LockProxy, NamespaceProxy, QueueProxy, RLockProxy, SemaphoreProxy, ValueProxy } from '@ipc/shared';

export interface ManagedObjects {
  list: ListProxy<string>;
  dict: DictProxy<string, string>;
  namespace: NamespaceProxy<{ count: number }>;
  lock: LockProxy;
  rlock: RLockProxy;
  semaphore: SemaphoreProxy;
  boundedSemaphore: BoundedSemaphoreProxy;
  condition: ConditionProxy;
  event: EventProxy;
  barrier: BarrierProxy;
  queue: QueueProxy<string>;
  value: ValueProxy<'i'>;
  array: ArrayProxy<'i'>;
}

/** Uses each of the manager's types from the other process; returns one line per type. */
export const useEachType = task(import.meta.url, async (o: ManagedObjects): Promise<string[]> => {
  const out: string[] = [];
  await o.list.append('from the child');
  out.push(`list: appended, now ${JSON.stringify(await o.list.copy())}`);
  await o.dict.set('child', 'was here');
  out.push(`dict: set child, keys ${JSON.stringify(await o.dict.keys())}`);
  await o.namespace.set('count', (await o.namespace.get('count')) + 1);
  out.push(`Namespace: count = ${await o.namespace.get('count')}`);
  out.push(`Lock: acquired ${await o.lock.withLock(() => true)}, released`);
  await o.rlock.acquire();
  out.push(`RLock: acquired twice ${await o.rlock.acquire({ block: false })}`);
  await o.rlock.release();
  await o.rlock.release();
  await o.semaphore.acquire();
  out.push(`Semaphore: acquired, value now ${await o.semaphore.getValue()}`);
  await o.boundedSemaphore.acquire();
  await o.boundedSemaphore.release();
  out.push(`BoundedSemaphore: acquired and released, value ${await o.boundedSemaphore.getValue()}`);
  await o.condition.withLock(() => o.condition.notifyAll());
  out.push('Condition: notified all');
  await o.event.set();
  out.push('Event: set');
  out.push(`Barrier: passed as party ${await o.barrier.wait({ timeout: 10_000 })}`);
  await o.queue.put('a message from the child');
  out.push('Queue: put a message');
  await o.value.set((await o.value.get()) * 10);
  out.push(`Value: now ${await o.value.get()}`);
  await o.array.set(0, 100);
  out.push(`Array: now [${(await o.array.toArray()).join(', ')}]`);
  return out;
});
