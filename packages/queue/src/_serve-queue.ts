import { ArgumentError, serve, type BrokerCaller, type Served, type ServedRef } from '@ipc/core';
import type { SharedBackend } from './_shared-backend.js';
import { LeaseHome } from './_lease-home.js';
import { unpack } from './_packed.js';

/** The queue as other processes reach it: each operation done here, on their behalf. */
export function serveQueue(queue: SharedBackend): { ref: ServedRef; unserve: () => void } {
  const leases = new LeaseHome(queue);
  const arrivals = new Arrivals();
  const served: Served & { queue: SharedBackend } = {
    queue,
    callerGone(caller: BrokerCaller): void {
      leases.gone(caller.heapId);
      arrivals.gone(caller.heapId);
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
          // `holder` (not 0): the holder's puts resolved before they came, and its qsize() counts them (`Arrivals`).
          const [packed, holder = 0] = args as [Uint8Array, number?];
          const items = unpack(packed);
          let i = 0;
          // What fits now goes in without a promise an item; the first that must wait, and all after it, wait in line.
          for (; i < items.length; i++) {
            const now = queue.putNow(items[i]!);
            if (now === false) break;
            arrivals.came(caller.heapId, holder);
            if (now !== true) await now;
          }
          for (; i < items.length; i++) {
            await queue.put(items[i]!, true, undefined, signal);
            arrivals.came(caller.heapId, holder);
          }
          return undefined;
        }
        case 'get': {
          // One item, as a lease of one (so a reply never delivered goes back to the front, in order).
          const [block, timeout] = args as [boolean, number | undefined];
          return leases.lend({ heap: caller.heapId, lease: 0, grant: 0 }, 1, block, timeout, signal, false);
        }
        case 'getMany': {
          // One trip for many: the first item as a get, then whatever else is there already, packed. A holder
          // asks only once it has handed out its last lease, and says here how many of it it handed out.
          const [block, timeout, lease, max, grant, lastGrant, lastHanded] = args as [boolean, number | undefined, number, number, number, number, number];
          leases.release({ heap: caller.heapId, lease, grant: lastGrant }, lastHanded);
          return leases.lend({ heap: caller.heapId, lease, grant }, max, block, timeout, signal, true);
        }
        case 'watchLease': {
          // A holder's long poll, open while it holds leases: answered true when the lease out is wanted back.
          const [lease] = args as [number];
          return leases.watch(caller.heapId, lease, signal);
        }
        case 'release': {
          // The holder handed out this many items of the lease, and hands out no more.
          const [lease, grant, handed] = args as [number, number, number];
          leases.release({ heap: caller.heapId, lease, grant }, handed);
          return undefined;
        }
        case 'qsize': {
          // The holder's own puts still on their way count already, as in Python (whose put counts at once).
          const [holder = 0, sent = 0] = args as [number?, number?];
          return queue.qsize() + Math.max(0, sent - arrivals.of(caller.heapId, holder));
        }
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

/**
 * How many items each remote holder's unbounded puts have brought home, by
 * process and holder. Why: such a put resolves before its item is here, and a
 * holder's `qsize()` must count it at once (Python's counts a put at once).
 */
class Arrivals {
  private readonly byHeap = new Map<number, Map<number, number>>();

  came(heap: number, holder: number): void {
    if (holder === 0) return;
    let holders = this.byHeap.get(heap);
    if (holders === undefined) this.byHeap.set(heap, (holders = new Map<number, number>()));
    holders.set(holder, (holders.get(holder) ?? 0) + 1);
  }

  of(heap: number, holder: number): number {
    return this.byHeap.get(heap)?.get(holder) ?? 0;
  }

  gone(heap: number): void {
    this.byHeap.delete(heap);
  }
}
