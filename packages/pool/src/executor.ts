import { passedTimeout, ArgumentError, StateError, cpuCount, encode, requireTaskRef, type ContextKind } from '@ipc/core';
import { carryArgs } from './_forms.js';
import { SETTLE } from './_settle.js';
import { Engine, type PoolStats, type TaskEvent, type TaskStartEvent } from './_engine.js';
import { Future } from './future.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a task's arguments are whatever it declares
type AnyFn = (...args: any[]) => unknown;

export interface ExecutorOptions {
  /** Workers; default: `min(32, cpuCount() + 4)` for threads (Python's), `cpuCount()` for processes. */
  maxWorkers?: number;
  initializer?: AnyFn;
  initargs?: readonly unknown[];
  /** A worker is replaced after this many tasks (Python's `max_tasks_per_child`). */
  maxTasksPerChild?: number;
}

export interface ShutdownOptions {
  /** Resolve only once every pending future is done and the workers have ended (default true). */
  wait?: boolean;
  /** Cancel the futures that have not started (default false). */
  cancelFutures?: boolean;
}

let executors = 0;

/** What ThreadPoolExecutor and ProcessPoolExecutor share: Python's `concurrent.futures.Executor`. */
abstract class Executor {
  private readonly engine: Engine;
  private readonly futures = new Set<Future<unknown>>();
  private isShutdown = false;

  protected constructor(
    private readonly context: ContextKind,
    options: ExecutorOptions,
    defaultWorkers: number,
    namePrefix: string,
  ) {
    const { maxWorkers = defaultWorkers, initializer, initargs = [], maxTasksPerChild } = options;
    if (!Number.isInteger(maxWorkers) || maxWorkers < 1) throw new ArgumentError(`maxWorkers must be at least 1 (got ${String(maxWorkers)})`);
    if (maxTasksPerChild !== undefined && (!Number.isInteger(maxTasksPerChild) || maxTasksPerChild < 1)) throw new ArgumentError('maxTasksPerChild must be a positive integer');
    this.engine = new Engine({
      context,
      size: maxWorkers,
      namePrefix,
      initializer: initializer === undefined ? undefined : requireTaskRef(initializer, 'initializer'),
      initargs: encode([...initargs], context, 'initargs').tree,
      maxTasks: maxTasksPerChild ?? 0,
      // Python numbers an executor's threads from 0 (`ThreadPoolExecutor-0_0`).
      firstIndex: 0,
    });
  }

  /**
   * Schedules `fn(...args)`; the Future settles with its result. After
   * `shutdown()`: `StateError` (Python's `RuntimeError`); once the pool is
   * broken (its initializer failed): `BrokenPoolError`, as Python's
   * `BrokenExecutor`.
   */
  submit<F extends AnyFn>(fn: F, ...args: Parameters<F>): Future<Awaited<ReturnType<F>>> {
    const broken = this.engine.brokenBy;
    if (broken !== undefined) throw broken;
    if (this.isShutdown) throw new StateError('cannot schedule new futures after shutdown');
    const ref = requireTaskRef(fn, 'task');
    const { form, value: tree, transfer } = carryArgs(args, 'call', this.context);
    const future = new Future<Awaited<ReturnType<F>>>();
    const job = this.engine.submit(
      ref,
      'call',
      form,
      tree,
      { transfer, onStart: () => future.setRunning() },
      {
        [SETTLE](ok, value) {
          if (future.done()) return;
          if (ok) future.setResult(value as Awaited<ReturnType<F>>);
          else future.setException(value);
        },
      },
    );
    future.cancelJob = () => this.engine.cancel(job);
    this.futures.add(future as Future<unknown>);
    future.addDoneCallback(() => this.futures.delete(future as Future<unknown>));
    return future;
  }

  /**
   * `fn` over the items of the iterables taken together (as Python's
   * `map(fn, *iterables)`, stopping at the shortest), results in order. As in
   * Python, every call is submitted here, at the call — not when iteration
   * starts — and `timeout` (ms) counts from here: the iterator throws
   * `TimeoutError` for a result not ready by then. Leaving the iteration early
   * (or a timeout, or an error) cancels the calls that have not started.
   * `chunksize` must be an integer ≥ 1 (`ArgumentError`, Python's
   * `ValueError`); it only groups the work in Python and is accepted for
   * compatibility.
   */
  map<R>(fn: (...args: never[]) => R, iterables: readonly Iterable<unknown>[], options: { timeout?: number | null; chunksize?: number } = {}): AsyncGenerator<Awaited<R>> {
    const { timeout, chunksize = 1 } = options;
    if (!Number.isInteger(chunksize) || chunksize < 1) throw new ArgumentError(`chunksize must be >= 1 (got ${String(chunksize)})`);
    const ms = passedTimeout(timeout);
    if (!Array.isArray(iterables as unknown)) throw new ArgumentError('map takes an array of iterables: map(fn, [xs, ys])');
    const lists = iterables.map((it): unknown[] => [...it]);
    const n = lists.length === 0 ? 0 : Math.min(...lists.map((l) => l.length));
    const until = performance.now() + ms;
    const futures = Array.from({ length: n }, (_, i) => this.submit(fn as AnyFn, ...lists.map((l) => l[i])));
    return inOrder(futures as Future<Awaited<R>>[], ms === Infinity ? Infinity : until);
  }

  /**
   * No new futures; with `wait`, resolves once the pending ones are done and
   * the workers ended. `cancelFutures` cancels those not started — but for one
   * per free worker, which (as in Python) has in effect already taken it.
   */
  async shutdown(options: ShutdownOptions = {}): Promise<void> {
    const { wait = true, cancelFutures = false } = options;
    this.isShutdown = true;
    if (cancelFutures) {
      // As in Python, where a free worker has already taken its next item off the queue: the first
      // pending futures, one per free (or still starting) worker, are left to run; the rest are cancelled.
      let spare = this.engine.freeWorkers;
      for (const f of this.futures) {
        if (f.running() || f.done()) continue;
        if (spare > 0) spare--;
        else f.cancel();
      }
    }
    this.engine.close();
    if (wait) {
      await Promise.all([...this.futures].map((f) => f.whenDone()));
      await this.engine.joined();
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
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

  on(event: 'task', listener: (e: TaskEvent) => void): this;
  on(event: 'taskStart', listener: (e: TaskStartEvent) => void): this;
  on(event: 'task' | 'taskStart', listener: (e: never) => void): this {
    (this.engine as unknown as NodeJS.EventEmitter).on(event, listener as (e: unknown) => void);
    return this;
  }

  /** Counters: submitted, running, queued, completed, failed, cancelled, workers. */
  stats(): PoolStats {
    return this.engine.stats();
  }
}

export interface ThreadPoolExecutorOptions extends ExecutorOptions {
  /** Workers are named `<threadNamePrefix>_0`, `_1`…; default `ThreadPoolExecutor-<n>` (Python's `thread_name_prefix`). */
  threadNamePrefix?: string;
}

/** Python's `ThreadPoolExecutor`: workers are threads of this process (worker_threads). */
export class ThreadPoolExecutor extends Executor {
  constructor(options: ThreadPoolExecutorOptions = {}) {
    const n = executors++;
    // An empty prefix is no prefix, as Python's `thread_name_prefix or …`.
    const prefix = options.threadNamePrefix === undefined || options.threadNamePrefix === '' ? `ThreadPoolExecutor-${n}` : options.threadNamePrefix;
    super('thread', options, Math.min(32, cpuCount() + 4), `${prefix}_`);
  }
}

/** Python's `ProcessPoolExecutor`: workers are child processes. */
export class ProcessPoolExecutor extends Executor {
  constructor(options: ExecutorOptions = {}) {
    super('process', options, cpuCount(), `ProcessPoolExecutor-${executors++}_`);
  }
}

/**
 * An executor map's results, in order. As Python's `result_iterator`, each
 * future is let go once its result is given — a long map consumed as it goes
 * holds no result it has yielded — and one that fails or times out is
 * cancelled, with all those after it. A module function, so that the
 * iterator holds the futures and nothing else of the call (its arguments).
 */
async function* inOrder<R>(futures: Future<R>[], until: number): AsyncGenerator<R> {
  futures.reverse();
  try {
    while (futures.length > 0) yield await resultOrCancel(futures.pop()!, until === Infinity ? undefined : Math.max(0, until - performance.now()));
  } finally {
    for (const f of futures) f.cancel();
  }
}

async function resultOrCancel<R>(f: Future<R>, timeout: number | undefined): Promise<R> {
  try {
    return await f.result(timeout);
  } finally {
    f.cancel();
  }
}
