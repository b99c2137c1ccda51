import { ArgumentError, acknowledged, serve, type BrokerCaller, type Served, type ServedRef } from '@ipc/core';
import type { SharedBackend } from './_shared-backend.js';
import { pack, unpack } from './_packed.js';

/** The most bytes one lease carries (beyond its first item): a reply stays far below the broker's largest frame. */
const LEASE_BYTES = 1 << 20;

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
          // A holder's batch, packed, in its order; the caller gone half-way, the rest was never accepted.
          const [packed] = args as [Uint8Array];
          const items = unpack(packed);
          let i = 0;
          // What fits now goes in without a promise an item; the first that must wait, and all after it, wait in line.
          for (; i < items.length; i++) {
            const now = queue.putNow(items[i]!);
            if (now === false) break;
            if (now !== true) await now;
          }
          for (; i < items.length; i++) await queue.put(items[i]!, true, undefined, signal);
          return undefined;
        }
        case 'get': {
          const [block, timeout] = args as [boolean, number | undefined];
          const bytes = await queue.get(block, timeout, signal);
          // If the caller never receives it (it died, or gave up), the item goes back into the queue.
          return acknowledged(bytes, () => queue.requeue(bytes));
        }
        case 'getMany': {
          // One trip for many: the first item as a get, then whatever else is there already, packed.
          const [block, timeout, lease, max] = args as [boolean, number | undefined, number, number];
          const mine = leasesOf(caller.heapId);
          mine.delete(lease);
          const first = queue.tryTake() ?? (await queue.get(block, timeout, signal));
          const batch = [first];
          let bytes = first.byteLength;
          while (batch.length < max && bytes < LEASE_BYTES) {
            const next = queue.tryTake();
            if (next === undefined) break;
            batch.push(next);
            bytes += next.byteLength;
          }
          mine.set(lease, batch);
          return acknowledged(pack(batch), () => {
            if (mine.get(lease) === batch) mine.delete(lease);
            for (const item of batch) queue.requeue(item);
          });
        }
        case 'release': {
          // A consumer closing: what it had not handed out goes back, in order.
          const [lease, unused] = args as [number, Uint8Array];
          leasesOf(caller.heapId).delete(lease);
          for (const item of unpack(unused)) queue.requeue(item);
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
