import type { TransferListItem } from 'node:worker_threads';
import { ArgumentError, StateError, checkTimeout, cpuCount, encode, requireTaskRef, type ContextKind } from '@ipc/core';
import { Engine, type PoolStats, type TaskEvent, type TaskStartEvent } from './_engine.js';
import type { Mode } from './_protocol.js';
import { carryArgs, type Carried } from './_forms.js';
import { settleWith, type Settle } from './_settle.js';
import { AsyncResult } from './async-result.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a task's arguments are whatever it declares
type AnyFn = (...args: any[]) => unknown;
type Result<F extends AnyFn> = Awaited<ReturnType<F>>;

export interface PoolOptions {
  /** Workers; default `cpuCount()`. */
  processes?: number;
  /** Run once in each worker before its first task: a `task()` export. */
  initializer?: AnyFn;
  initargs?: readonly unknown[];
  /** A worker is replaced after this many tasks (default: never). */
  maxtasksperchild?: number;
  /** `'thread'` (default) or `'process'`. */
  context?: ContextKind;
}

/** Per-call options of `apply` / `applyAsync`. */
export interface ApplyOptions<T> {
  /** Called in this thread with the result (Python's `callback`). */
  callback?: (value: T) => void;
  /** Called in this thread with the error (Python's `error_callback`). */
  errorCallback?: (error: unknown) => void;
  /** Aborts the task: rejected at once; inside the task `taskSignal()` aborts; a worker that ignores it is replaced after a grace period. */
  signal?: AbortSignal;
  /** Milliseconds before the task is aborted with `TimeoutError`; not given, `null` or `Infinity`: none. */
  timeout?: number | null;
  /** ArrayBuffers to move to a thread worker without a copy (thread context). */
  transfer?: TransferListItem[];
}

export interface MapOptions<T> {
  callback?: (value: T) => void;
  errorCallback?: (error: unknown) => void;
  signal?: AbortSignal;
}

/**
 * Python's `multiprocessing.Pool`: a fixed set of workers — threads or
 * processes — running tasks (`task()` exports) in parallel.
 */
export class Pool {
  private readonly engine: Engine;
  private readonly context: ContextKind;

  constructor(options: PoolOptions | number = {}) {
    const opts = typeof options === 'number' ? { processes: options } : options;
    if (opts === null || typeof opts !== 'object') throw new ArgumentError('Pool takes a number of processes or an options object');
    const { processes = cpuCount(), initializer, initargs = [], maxtasksperchild, context = 'thread' } = opts;
    if (!Number.isInteger(processes) || processes < 1) throw new ArgumentError(`processes must be at least 1 (got ${String(processes)})`);
    if (maxtasksperchild !== undefined && (!Number.isInteger(maxtasksperchild) || maxtasksperchild < 1)) throw new ArgumentError('maxtasksperchild must be a positive integer');
    if (context !== 'thread' && context !== 'process') throw new ArgumentError(`context must be 'thread' or 'process', not ${String(context)}`);
    this.context = context;
    this.engine = new Engine({
      context,
      size: processes,
      namePrefix: 'PoolWorker-',
      initializer: initializer === undefined ? undefined : requireTaskRef(initializer, 'initializer'),
      initargs: encode([...initargs], context, 'initargs').tree,
      maxTasks: maxtasksperchild ?? 0,
    });
  }

  /** Workers in the pool. */
  get size(): number {
    return this.engine.size;
  }

  /** Runs `fn(...args)` in a worker and resolves with its result (Python's blocking `apply`). */
  apply<F extends AnyFn>(fn: F, args: Parameters<F> = [] as unknown as Parameters<F>, options: Omit<ApplyOptions<Result<F>>, 'callback' | 'errorCallback'> = {}): Promise<Result<F>> {
    return settleLater(() => this.applyAsync(fn, args, options).get());
  }

  /** Queues `fn(...args)`; the AsyncResult resolves with its result. A function that cannot be found, or arguments that cannot be copied, throw here. */
  applyAsync<F extends AnyFn>(fn: F, args: Parameters<F> = [] as unknown as Parameters<F>, options: ApplyOptions<Result<F>> = {}): AsyncResult<Result<F>> {
    const result = new AsyncResult<Result<F>>(options.callback, options.errorCallback);
    this.run(fn, 'call', args, options, result);
    return result;
  }

  /** `fn` over every item, results in order; items go in chunks (Python's automatic chunksize when not given). */
  map<T, R>(fn: (item: T) => R, iterable: Iterable<T>, chunksize?: number): Promise<Awaited<R>[]> {
    return settleLater(() => this.mapAsync(fn, iterable, chunksize).get());
  }

  /**
   * `map` as an AsyncResult. Throws here, as Python's `map_async` raises at the call: a pool that
   * is not running (`StateError`, Python's `ValueError: Pool not running`), an iterable that
   * throws (its own error), a bad `chunksize` (`ArgumentError`), items that cannot be copied.
   */
  mapAsync<T, R>(fn: (item: T) => R, iterable: Iterable<T>, chunksize?: number, options: MapOptions<Awaited<R>[]> = {}): AsyncResult<Awaited<R>[]> {
    this.checkRunning();
    return AsyncResult.of(this.chunked<Awaited<R>>(fn, 'map', iterable, chunksize, options.signal), options.callback, options.errorCallback);
  }

  /** `fn(...args)` for every argument list, results in order (Python's `starmap`). */
  starmap<A extends unknown[], R>(fn: (...args: A) => R, iterable: Iterable<A>, chunksize?: number): Promise<Awaited<R>[]> {
    return settleLater(() => this.starmapAsync(fn, iterable, chunksize).get());
  }

  starmapAsync<A extends unknown[], R>(fn: (...args: A) => R, iterable: Iterable<A>, chunksize?: number, options: MapOptions<Awaited<R>[]> = {}): AsyncResult<Awaited<R>[]> {
    this.checkRunning();
    return AsyncResult.of(this.chunked<Awaited<R>>(fn as AnyFn, 'star', iterable, chunksize, options.signal), options.callback, options.errorCallback);
  }

  /**
   * Results in order, as they become available (Python's `imap`; `chunksize`
   * default 1). As in Python, the tasks are queued here, at the call: a bad
   * `chunksize` (`ArgumentError`) or a pool that is not running (`StateError`)
   * throws now, and `close()` after `imap()` still runs them.
   */
  imap<T, R>(fn: (item: T) => R, iterable: Iterable<T>, chunksize = 1): AsyncGenerator<Awaited<R>> {
    const chunks = this.queuedChunks<Awaited<R>>(fn, iterable, chunksize);
    return (async function* inOrder(): AsyncGenerator<Awaited<R>> {
      for (const chunk of chunks) yield* await chunk;
    })();
  }

  /** Results as they finish, in any order (Python's `imap_unordered`); queued at the call, as `imap`. */
  imapUnordered<T, R>(fn: (item: T) => R, iterable: Iterable<T>, chunksize = 1): AsyncGenerator<Awaited<R>> {
    const pending = new Map<number, Promise<[number, Awaited<R>[]]>>();
    this.queuedChunks<Awaited<R>>(fn, iterable, chunksize).forEach((p, i) => {
      const tagged = p.then((v): [number, Awaited<R>[]] => [i, v]);
      // Seen when raced; a failure after the iteration has ended (or never begun) is no unhandled rejection.
      tagged.catch(() => {});
      pending.set(i, tagged);
    });
    return (async function* asTheyFinish(): AsyncGenerator<Awaited<R>> {
      while (pending.size > 0) {
        const [i, values] = await Promise.race(pending.values());
        pending.delete(i);
        yield* values;
      }
    })();
  }

  /** No more tasks; the workers end once the queued ones are done. */
  close(): void {
    this.engine.close();
  }

  /** Stops the workers now; tasks not finished reject with `CancelledError`. */
  terminate(): void {
    this.engine.terminate();
  }

  /** Waits for the workers to end; after `close()` or `terminate()` (before → `StateError`, as Python's `ValueError`). */
  async join(): Promise<void> {
    if (!this.engine.closed) throw new StateError('join() before close() or terminate()');
    await this.engine.joined();
  }

  /** `await using pool = new Pool()`: terminates at the end of the scope, as Python's `with Pool()`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.terminate();
    await this.engine.joined();
  }

  /** Counters: submitted, running, queued, completed, failed, cancelled, workers. */
  stats(): PoolStats {
    return this.engine.stats();
  }

  /**
   * Ends the worker with this id (the `workerId` of the task events: a thread id,
   * or a pid) as a crash would: a thread is terminated, a process SIGKILLed. The
   * tasks it held run again, each alone (at-least-once, as after any crash); a
   * replacement starts. Returns false when no live worker has that id.
   */
  killWorker(workerId: number): boolean {
    return this.engine.killWorker(workerId);
  }

  /** `'taskStart'`: a task (or chunk) handed to a worker; `'task'`: one finished — worker, times, outcome; `'workerExit'`: a worker ended. */
  on(event: 'task', listener: (e: TaskEvent) => void): this;
  on(event: 'taskStart', listener: (e: TaskStartEvent) => void): this;
  on(event: 'workerExit', listener: (e: { worker: string; code: number | null; signal: string | null }) => void): this;
  on(event: 'task' | 'taskStart' | 'workerExit', listener: (e: never) => void): this {
    (this.engine as unknown as NodeJS.EventEmitter).on(event, listener as (e: unknown) => void);
    return this;
  }

  off(event: 'task' | 'taskStart' | 'workerExit', listener: (e: never) => void): this {
    (this.engine as unknown as NodeJS.EventEmitter).off(event, listener as (e: unknown) => void);
    return this;
  }

  private checkRunning(): void {
    if (this.engine.closed) throw new StateError('Pool not running');
  }

  /** A task's job, its outcome to `to`. */
  private run<T>(fn: AnyFn, mode: Mode, args: readonly unknown[], options: ApplyOptions<T>, to: Settle): void {
    this.checkRunning();
    if (!Array.isArray(args)) throw new ArgumentError('args must be an array of arguments');
    checkTimeout(options.timeout);
    // Copied now: later changes by the caller do not show.
    this.submit(fn, mode, carryArgs(args, mode, this.context), options, to, false);
  }

  private submit<T>(fn: AnyFn, mode: Mode, carried: Carried, options: ApplyOptions<T>, to: Settle, packedAsIs: boolean): void {
    const ref = requireTaskRef(fn, 'pool task');
    let tree = carried.value;
    let transfer: readonly TransferListItem[] = options.transfer === undefined ? carried.transfer : [...carried.transfer, ...options.transfer];
    if (transfer.length > 0) {
      if (this.context === 'thread') {
        // Moved now, not when a worker is free: the caller's buffers are detached at the call, as with postMessage.
        const moved = structuredClone({ tree, transfer }, { transfer: [...transfer] });
        tree = moved.tree;
        transfer = moved.transfer;
      } else transfer = [];
    }
    // Most tasks have none of these: no object for them.
    const timeout = options.timeout == null || options.timeout === Infinity ? undefined : options.timeout;
    const more = transfer.length > 0 || options.signal !== undefined || timeout !== undefined || packedAsIs ? { transfer, signal: options.signal, timeout, packedAsIs } : undefined;
    this.engine.submit(ref, mode, carried.form, tree, more, to);
  }

  /** A chunk's job, as a promise of its results. */
  private chunk<R>(fn: AnyFn, mode: Mode, items: unknown[], from: number, to: number, signal: AbortSignal | undefined, packedAsIs: boolean): Promise<R[]> {
    let settle: Settle | undefined;
    const result = new Promise<R[]>((resolve, reject) => (settle = settleWith(resolve as (v: unknown) => void, reject)));
    // Outside the promise's executor, where a throw would only reject it: items that cannot be copied, a function that is not a task, fail the call.
    this.submit(fn, mode, carryArgs(items, mode, this.context, from, to), { signal }, settle!, packedAsIs);
    return result;
  }

  /**
   * A map's chunks, queued here — and what goes wrong at the call throws here (`mapAsync`) or
   * rejects (`map`): an iterable that throws, as Python's `map_async` lists its iterable at the
   * call; a bad `chunksize`; items that cannot be copied.
   */
  private chunked<R>(fn: AnyFn, mode: Mode, iterable: Iterable<unknown>, chunksize: number | undefined, signal: AbortSignal | undefined): Promise<R[]> {
    const items = Array.isArray(iterable) ? (iterable as unknown[]) : [...iterable];
    const size = chunksize ?? autoChunksize(items.length, this.engine.size);
    return joinParts(this.chunks<R>(fn, mode, items, size, signal, true), items.length);
  }

  /**
   * imap's chunks: checked as Python's (`Chunksize must be 1+`, even for no
   * items) and queued now. An iterable that throws part way behaves as in
   * Python: the whole chunks before it run and are given, then its error (the
   * chunk it interrupted is dropped). A failure nobody has reached yet is no
   * unhandled rejection.
   */
  private queuedChunks<R>(fn: AnyFn, iterable: Iterable<unknown>, chunksize: number): Promise<R[]>[] {
    if (!Number.isInteger(chunksize) || chunksize < 1) throw new ArgumentError(`Chunksize must be 1+, not ${String(chunksize)}`);
    this.checkRunning();
    const items: unknown[] = [];
    let failure: { error: unknown } | undefined;
    try {
      for (const item of iterable) items.push(item);
    } catch (error) {
      failure = { error };
      items.length -= items.length % chunksize;
    }
    const chunks = this.chunks<R>(fn, 'map', items, chunksize, undefined);
    // The iterable's own error, passed on as it was thrown.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    if (failure !== undefined) chunks.push(Promise.reject(failure.error));
    for (const c of chunks) c.catch(() => {});
    return chunks;
  }

  /** The chunks' tasks; with `packedAsIs`, a chunk of numbers resolves with its typed array rather than an array (`chunked` copies it). */
  private chunks<R>(fn: AnyFn, mode: Mode, items: unknown[], chunksize: number, signal: AbortSignal | undefined, packedAsIs = false): Promise<R[]>[] {
    if (!Number.isInteger(chunksize) || chunksize < 1) {
      if (items.length === 0) return [];
      throw new ArgumentError(`chunksize must be a positive integer (got ${String(chunksize)})`);
    }
    this.checkRunning();
    const out: Promise<R[]>[] = [];
    try {
      for (let i = 0; i < items.length; i += chunksize) out.push(this.chunk<R>(fn, mode, items, i, Math.min(i + chunksize, items.length), signal, packedAsIs));
    } catch (err) {
      // A chunk that cannot be copied: the call fails, and the chunks queued before it are nobody's any more.
      for (const c of out) c.catch(() => {});
      throw err;
    }
    return out;
  }
}

/** A map's results, its chunks joined in order. */
async function joinParts<R>(chunks: Promise<R[]>[], length: number): Promise<R[]> {
  const parts = await Promise.all(chunks);
  // Joined by hand: Array.prototype.flat is several times slower on large arrays. A part of numbers is still the typed array it came in.
  const out = new Array<R>(length);
  let at = 0;
  for (const part of parts) for (let i = 0; i < part.length; i++) out[at++] = part[i]!;
  return out;
}

// The Promise forms (apply, map, starmap) reject rather than throw, whatever goes wrong at the call.
function settleLater<T>(start: () => Promise<T>): Promise<T> {
  try {
    return start();
  } catch (err) {
    // What was thrown is passed on as it is.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    return Promise.reject(err);
  }
}

/**
 * V8 puts an array of more than ~16,000 elements (128 KiB) in its large-object space, in memory
 * fresh from the kernel at every allocation: where a page fault is dear (~10 µs on the VM of the
 * bench) such an array costs ~35 ns an element to make, against ~1 ns below. A chunk makes a few
 * arrays of its length on each side, so automatic chunks stay under it.
 */
export const MAX_AUTO_CHUNKSIZE = 15_000;

/** Python's rule, about four chunks per worker — but no more than `MAX_AUTO_CHUNKSIZE` items a chunk. */
export function autoChunksize(n: number, workers: number): number {
  if (n === 0) return 0;
  const [q, r] = [Math.floor(n / (workers * 4)), n % (workers * 4)];
  return Math.min(q + (r > 0 ? 1 : 0), MAX_AUTO_CHUNKSIZE);
}
