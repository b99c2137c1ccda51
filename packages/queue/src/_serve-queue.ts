import { ArgumentError, acknowledged, serve, type BrokerCaller, type Served, type ServedRef } from '@ipc/core';
import type { SharedBackend } from './_shared-backend.js';

/** The queue as other processes reach it: each operation done here, on their behalf. */
export function serveQueue(queue: SharedBackend): { ref: ServedRef; unserve: () => void } {
  /**
   * What each remote consumer (by heap, then by its lease) holds of its last batch: given back to
   * the queue if it goes away. A consumer asks for a new batch only once it has handed out the
   * last one, so a new request ends the old lease.
   */
  const leases = new Map<number, Map<number, Uint8Array[]>>();
  const leasesOf = (heap: number): Map<number, Uint8Array[]> => {
    let mine = leases.get(heap);
    if (mine === undefined) leases.set(heap, (mine = new Map<number, Uint8Array[]>()));
    return mine;
  };
  const served: Served & { queue: SharedBackend } = {
    queue,
    callerGone(caller: BrokerCaller): void {
      const mine = leases.get(caller.heapId);
      if (mine === undefined) return;
      leases.delete(caller.heapId);
      for (const batch of mine.values()) for (const bytes of batch) queue.requeue(bytes);
    },
    async call(op: string, args: readonly unknown[], caller: BrokerCaller, signal: AbortSignal): Promise<unknown> {
      switch (op) {
        case 'put': {
          const [bytes, block, timeout] = args as [Uint8Array, boolean, number | undefined];
          await queue.put(bytes, block, timeout, signal);
          return undefined;
        }
        case 'putMany': {
          // A holder's batch, in its order; the caller gone half-way, the rest was never accepted.
          const [items] = args as [Uint8Array[]];
          for (const bytes of items) await queue.put(bytes, true, undefined, signal);
          return undefined;
        }
        case 'get': {
          const [block, timeout] = args as [boolean, number | undefined];
          const bytes = await queue.get(block, timeout, signal);
          // If the caller never receives it (it died, or gave up), the item goes back into the queue.
          return acknowledged(bytes, () => queue.requeue(bytes));
        }
        case 'getMany': {
          // One trip for many: the first item as a get, then whatever else is there already.
          const [block, timeout, lease, max] = args as [boolean, number | undefined, number, number];
          const mine = leasesOf(caller.heapId);
          mine.delete(lease);
          const batch = [await queue.get(block, timeout, signal)];
          while (batch.length < max) {
            const next = queue.tryTake();
            if (next === undefined) break;
            batch.push(next);
          }
          mine.set(lease, batch);
          return acknowledged(batch, () => {
            if (mine.get(lease) === batch) mine.delete(lease);
            for (const bytes of batch) queue.requeue(bytes);
          });
        }
        case 'release': {
          // A consumer closing: what it had not handed out goes back, in order.
          const [lease, unused] = args as [number, Uint8Array[]];
          leasesOf(caller.heapId).delete(lease);
          for (const bytes of unused) queue.requeue(bytes);
          return undefined;
        }
        case 'qsize':
          return queue.qsize();
        case 'taskDone':
          return queue.taskDone();
        case 'join': {
          const [timeout] = args as [number | undefined];
          return queue.join(timeout, signal);
        }
        default:
          throw new ArgumentError(`no queue operation ${op}`);
      }
    },
  };
  const serving = serve(served);
  return { ref: { address: serving.address, id: serving.id, token: serving.token }, unserve: () => serving.unserve() };
}
