import { ArgumentError, acknowledged, serve, type BrokerCaller, type Served, type ServedRef } from '@ipc/core';
import type { SharedBackend } from './_shared-backend.js';

/** The queue as other processes reach it: each operation done here, on their behalf. */
export function serveQueue(queue: SharedBackend): { ref: ServedRef; unserve: () => void } {
  const served: Served & { queue: SharedBackend } = {
    queue,
    async call(op: string, args: readonly unknown[], _caller: BrokerCaller, signal: AbortSignal): Promise<unknown> {
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
