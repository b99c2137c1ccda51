import { ArgumentError, serve, type BrokerCaller, type Served, type ServedRef } from '@ipc/core';
import type { SharedBackend } from './_shared-backend.js';
import { LeaseHome } from './_lease-home.js';
import type { SyncPuts } from './_remote-backend.js';
import { unpack } from './_packed.js';
import { deadline, waitInLine } from './_waits.js';
import { Empty } from './errors.js';

/** The queue as other processes reach it: each operation done here, on their behalf. */
export function serveQueue(queue: SharedBackend): { ref: ServedRef; unserve: () => void } {
  const leases = new LeaseHome(queue);
  const lines = new PutLines();
  const served: Served & { queue: SharedBackend } = {
    queue,
    callerGone(caller: BrokerCaller): void {
      leases.gone(caller.heapId);
      lines.gone(caller.heapId);
    },
    async call(op: string, args: readonly unknown[], caller: BrokerCaller, signal: AbortSignal): Promise<unknown> {
      switch (op) {
        case 'put': {
          // A put alone: with a timeout or a signal, or a putSync (numbered, with the batches it carries: in the holder's order).
          const [bytes, block, timeout, holder, seq, batches] = args as [Uint8Array, boolean, number | undefined, number?, number?, SyncPuts[1]?];
          const line = lines.of(caller.heapId, holder);
          if (batches !== undefined) await catchUp(line, batches, Infinity, signal);
          await inTurn(line, seq, signal, () => queue.put(bytes, block, timeout, signal));
          return undefined;
        }
        case 'putMany': {
          // A holder's batch, packed, in its order; the caller gone half-way, the rest was never accepted.
          const [packed, holder, seq] = args as [Uint8Array, number?, number?];
          await inTurn(lines.of(caller.heapId, holder), seq, signal, () => putPacked(packed, signal));
          return undefined;
        }
        case 'catchUp': {
          // Another queue's sync call blocks the holder's thread: its batches, each done once, in order.
          const [holder, batches] = args as [number, SyncPuts[1]];
          await catchUp(lines.of(caller.heapId, holder), batches, Infinity, signal);
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
          // getSync: the holder's puts first (`SyncPuts`), as far as the timeout allows.
          const [block, timeout, lease, max, grant, lastGrant, lastHanded, after, batches] = args as [boolean, number | undefined, number, number, number, number, number, ...Partial<SyncPuts>];
          leases.release({ heap: caller.heapId, lease, grant: lastGrant }, lastHanded);
          if (after !== undefined) await catchUp(lines.of(caller.heapId, lease), batches ?? [], deadline(block, timeout), signal, after);
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
        case 'qsize':
          // Once the holder's puts are in (Python's put counts at once).
          await holderPutsIn(caller.heapId, args, signal);
          return queue.qsize();
        case 'taskDone':
          await holderPutsIn(caller.heapId, args, signal);
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
  /** A batch's items into the queue, in order: what fits now without a promise an item; the first that must wait, and all after it, wait in line. */
  async function putPacked(packed: Uint8Array, signal: AbortSignal): Promise<void> {
    const items = unpack(packed);
    let i = 0;
    for (; i < items.length; i++) {
      const now = queue.putNow(items[i]!);
      if (now === false) break;
      if (now !== true) await now;
    }
    for (; i < items.length; i++) await queue.put(items[i]!, true, undefined, signal);
  }

  /** A sync call's `[holder, after, batches]`: the holder's put calls up to `after` done first. */
  async function holderPutsIn(heap: number, args: readonly unknown[], signal: AbortSignal): Promise<void> {
    const [holder, after, batches] = args as [number?, ...Partial<SyncPuts>];
    if (after !== undefined) await catchUp(lines.of(heap, holder), batches ?? [], Infinity, signal, after);
  }

  /** A sync call's batches (each done once, whichever copy comes first), then every put call up to `after`; `Empty` at `until`. */
  async function catchUp(line: PutLine | undefined, batches: SyncPuts[1], until: number, signal: AbortSignal, after?: number): Promise<void> {
    for (const [seq, packed] of batches) await inTurn(line, seq, signal, () => putPacked(packed, signal));
    if (line !== undefined && after !== undefined) await line.reached(after, signal, until);
  }

  const serving = serve(served);
  return { ref: { address: serving.address, id: serving.id, token: serving.token }, unserve: () => serving.unserve() };
}

/**
 * Each remote holder's put calls, numbered by the holder, done in their
 * order. Why: a holder sends its batches one after the other on one
 * connection, but a sync call goes on another (its helper thread's), and it
 * must find the holder's puts before it done — Python's feeder thread sends
 * them while the caller blocks; here the holder sends them as it blocks.
 */
class PutLines {
  private readonly byHeap = new Map<number, Map<number, PutLine>>();

  /** The line of this holder (a holder numbers its put calls from 1); undefined without a holder. */
  of(heap: number, holder: number | undefined): PutLine | undefined {
    if (holder === undefined) return undefined;
    let holders = this.byHeap.get(heap);
    if (holders === undefined) this.byHeap.set(heap, (holders = new Map<number, PutLine>()));
    let line = holders.get(holder);
    if (line === undefined) holders.set(holder, (line = new PutLine()));
    return line;
  }

  gone(heap: number): void {
    this.byHeap.delete(heap);
  }
}

class PutLine {
  /** Every call up to this number is done. */
  private upTo = 0;
  /** Calls done beyond `upTo` (one came before one it follows had finished: aborted while waiting). */
  private readonly ahead = new Set<number>();
  /** Calls being done now. */
  private readonly doing = new Set<number>();
  private readonly waiters = new Set<{ readonly seq: number; readonly wake: () => void }>();

  /** Whether call `seq` is done or being done. */
  claimed(seq: number): boolean {
    return seq <= this.upTo || this.ahead.has(seq) || this.doing.has(seq);
  }

  started(seq: number): void {
    this.doing.add(seq);
  }

  /** Resolves once every call up to `seq` is done; the signal's reason on abort, `Empty` at `until`. */
  reached(seq: number, signal: AbortSignal, until = Infinity): Promise<void> {
    if (this.upTo >= seq) return Promise.resolve();
    let wake!: () => void;
    const done = new Promise<void>((resolve) => (wake = resolve));
    const waiter = { seq, wake };
    this.waiters.add(waiter);
    return waitInLine(done, until, signal, () => new Empty()).finally(() => this.waiters.delete(waiter));
  }

  /** Call `seq` is done (whether it put its items or failed). */
  finished(seq: number): void {
    this.doing.delete(seq);
    this.ahead.add(seq);
    while (this.ahead.delete(this.upTo + 1)) this.upTo++;
    for (const waiter of [...this.waiters]) {
      if (waiter.seq <= this.upTo) waiter.wake();
    }
  }
}

/** A holder's put call `seq` done in its turn, once (a sync call may carry a copy of a batch also on its way). */
async function inTurn(line: PutLine | undefined, seq: number | undefined, signal: AbortSignal, put: () => Promise<void>): Promise<void> {
  if (line === undefined || seq === undefined) return put();
  if (!line.claimed(seq)) {
    try {
      await line.reached(seq - 1, signal);
    } catch (err) {
      line.finished(seq); // cancelled, or its caller gone: the calls after it need not wait for it
      throw err;
    }
  }
  // Its other copy did it, or does it now.
  if (line.claimed(seq)) return line.reached(seq, signal);
  line.started(seq);
  try {
    await put();
  } finally {
    line.finished(seq);
  }
}
