import { isMainThread, workerData } from 'node:worker_threads';
import { perHeap } from './_global.js';

/**
 * One table per OS process, shared by every heap (main thread and workers) in
 * it: a slot per heap saying whether it is alive. Locks record their owner as
 * a heap id, so a waiter can tell that the owner died (a worker terminated
 * mid-critical-section) and recover the lock instead of hanging.
 *
 * A heap id is `slot | generation << 16`: slots are reused, generations tell
 * a new heap from a dead one that had the same slot.
 */
const SLOTS = 4096;
const HEADER = 2; // [0]: next free slot hint; [1]: heaps marked dead so far (see heapDeaths)

interface Registry {
  table: Int32Array;
  id: number;
}

/** The keys under which a worker we start finds the table and its own id in its workerData. */
export const REGISTRY_KEY = '@ipc/core.heapRegistry';
export const HEAP_ID_KEY = '@ipc/core.heapId';

const registry = perHeap<Registry>('heapRegistry', () => {
  const data = isMainThread ? undefined : (workerData as Record<string, unknown> | null | undefined);
  const inherited = data?.[REGISTRY_KEY];
  if (inherited instanceof SharedArrayBuffer) {
    const adopted = data?.[HEAP_ID_KEY];
    return { table: new Int32Array(inherited), id: typeof adopted === 'number' ? adopted : -1 };
  }
  // The main thread, or a worker not started by @ipc: a table of its own.
  const table = new Int32Array(new SharedArrayBuffer((HEADER + SLOTS) * 4));
  return { table, id: claim(table) };
});

/** Finds a free slot and marks it alive with the next generation. */
function claim(table: Int32Array): number {
  for (let i = 0; i < SLOTS; i++) {
    const slot = (Atomics.add(table, 0, 1) + i) % SLOTS;
    const cur = Atomics.load(table, HEADER + slot);
    if (cur > 0) continue; // alive
    const gen = ((-cur & 0x7fff) + 1) & 0x7fff || 1;
    if (Atomics.compareExchange(table, HEADER + slot, cur, gen) === cur) return slot | (gen << 16);
  }
  throw new Error('@ipc/core: more than 4096 live threads in one process');
}

/** This heap's id: stable for its life, never 0. */
export function heapId(): number {
  if (registry.id === -1) registry.id = claim(registry.table);
  return registry.id;
}

/** Whether the heap with this id is still alive (false once the worker that had it has exited). */
export function isHeapAlive(id: number): boolean {
  if (id <= 0) return false;
  const slot = id & 0xffff;
  const gen = id >>> 16;
  return Atomics.load(registry.table, HEADER + slot) === gen;
}

/** Marks a heap dead: called by whoever saw its worker exit (the Process that started it), and by a heap on its way out. */
export function markHeapDead(id: number): void {
  const slot = id & 0xffff;
  const gen = id >>> 16;
  if (Atomics.compareExchange(registry.table, HEADER + slot, gen, -gen) === gen) Atomics.add(registry.table, DEATHS, 1);
}

const DEATHS = 1;

/**
 * How many heaps of this process have been marked dead so far (wrapping): one
 * load tells a holder table that nothing died since its last look, where
 * asking whether each holder is alive, or reading the clock to decide when to
 * ask again, costs more than the operation it guards.
 */
export function heapDeaths(): number {
  return Atomics.load(registry.table, DEATHS);
}

/**
 * What a worker we start needs in its workerData: the shared table and an id
 * claimed for it now, so the parent knows which id to mark dead when the
 * worker exits, however it exits.
 */
export function heapDataForWorker(): { [REGISTRY_KEY]: SharedArrayBuffer; [HEAP_ID_KEY]: number } {
  return { [REGISTRY_KEY]: registry.table.buffer as SharedArrayBuffer, [HEAP_ID_KEY]: claim(registry.table) };
}


/**
 * Claims an id for something that acts like a heap of this process without
 * being one: a remote caller served by the broker. Mark it dead when it goes.
 */
export function claimHeapId(): number {
  return claim(registry.table);
}
