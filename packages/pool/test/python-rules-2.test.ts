// A second pass over CPython's own tests — test_concurrent_futures/ (test_future, test_wait,
// test_as_completed, executor, test_thread_pool, test_process_pool, test_init, test_deadlock,
// test_shutdown) and the pool classes of _test_multiprocessing.py — for rules a porter relies on
// that python-rules.test.ts and the other suites do not check. Each test names its CPython test.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { activeChildren, ArgumentError, SerializationError, StateError, TimeoutError, cpuCount, type ContextKind } from '@ipc/core';
import {
  ALL_COMPLETED,
  BrokenPoolError,
  CancelledError,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  Future,
  InvalidStateError,
  Pool,
  ProcessPoolExecutor,
  ThreadPoolExecutor,
  asCompleted,
  wait,
  type ExecutorOptions,
} from '@ipc/pool';
// @ts-expect-error -- plain JS fixture, loaded in the workers too
import * as fx from './fixtures/tasks.mjs';
// @ts-expect-error -- plain JS fixture, loaded in the workers too
import * as fx2 from './fixtures/tasks-2.mjs';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixtures take what the tests give them
type Task = (...args: any[]) => any;
const f = fx as Record<'square' | 'add' | 'fail' | 'sleep' | 'whoAmI' | 'badInit' | 'dieHard' | 'exitThread', Task>;
const t = fx2 as Record<'divmod' | 'pow' | 'unclonableResult' | 'raiseLarge' | 'failWithCause' | 'makeObject' | 'identity' | 'setStatus' | 'getStatus' | 'crashAfter' | 'crashWithData', Task>;
const execFileP = promisify(execFile);
const exitProgram = fileURLToPath(new URL('./fixtures/exit-program.mjs', import.meta.url));

// Python's gc.collect(), for the rules about references an executor or a pool must not keep.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
/** Whether every target has been collected: a WeakRef keeps its target until the turn that made it ends, so a few turns. */
async function collected(refs: readonly WeakRef<object>[]): Promise<boolean> {
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setImmediate(r));
    gc();
    if (refs.every((r) => r.deref() === undefined)) return true;
  }
  return false;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
async function list<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of it) out.push(v);
  return out;
}
/** Python's `create_future(state=…)`, by the public API. */
function successful(v = 42): Future<unknown> {
  const x = new Future<unknown>();
  x.setResult(v);
  return x;
}
function failed(): Future<unknown> {
  const x = new Future<unknown>();
  x.setException(new RangeError('OSError'));
  return x;
}
function cancelled(): Future<unknown> {
  const x = new Future<unknown>();
  x.cancel();
  return x;
}

const executors = [
  ['ThreadPoolExecutor', (o: ExecutorOptions = {}) => new ThreadPoolExecutor({ maxWorkers: 3, ...o })],
  ['ProcessPoolExecutor', (o: ExecutorOptions = {}) => new ProcessPoolExecutor({ maxWorkers: 3, ...o })],
] as const;
const contexts: ContextKind[] = ['thread', 'process'];

afterEach(() => {
  vi.restoreAllMocks();
});
afterAll(() => {
  expect(activeChildren()).toEqual([]);
});

describe('Future (test_future.py FutureTests)', () => {
  it('setRunningOrNotifyCancel: pending → running (true), cancelled → false; any other state is a StateError (Python RuntimeError)', () => {
    const p = new Future<number>();
    expect(p.setRunningOrNotifyCancel()).toBe(true);
    expect([p.running(), p.done()]).toEqual([true, false]);
    expect(String(p)).toMatch(/^<Future at 0x[0-9a-f]+ state=running>$/); // test_repr
    expect(() => p.setRunningOrNotifyCancel()).toThrow(StateError);
    expect(() => p.setRunningOrNotifyCancel()).toThrow(/Future in unexpected state/);
    p.setResult(1); // a running future takes its result
    expect(() => p.setRunningOrNotifyCancel()).toThrow(StateError);
    const c = cancelled();
    expect(c.setRunningOrNotifyCancel()).toBe(false);
    expect(c.cancelled()).toBe(true);
  });

  it('cancel() of a running future is false and it stays running; cancelled and finished ones as before (test_cancel)', () => {
    const r = new Future<number>();
    r.setRunningOrNotifyCancel();
    expect(r.cancel()).toBe(false);
    expect([r.running(), r.cancelled(), r.done()]).toEqual([true, false, false]);
    expect(cancelled().cancel()).toBe(true);
    expect(failed().cancel()).toBe(false);
    expect(successful().cancel()).toBe(false);
  });

  it('setting a done future twice: InvalidStateError with the state and the repr; the first outcome stays (test_multiple_set_result / _exception)', async () => {
    const x = new Future<number>();
    x.setResult(1);
    expect(() => x.setResult(2)).toThrow(InvalidStateError);
    expect(() => x.setResult(2)).toThrow(/^FINISHED: <Future at 0x[0-9a-f]+ state=finished returned number>$/);
    expect(await x.result()).toBe(1);
    const e = new RangeError('first');
    const y = new Future<number>();
    y.setException(e);
    expect(() => y.setException(new Error('second'))).toThrow(/^FINISHED: <Future at 0x[0-9a-f]+ state=finished raised RangeError>$/);
    expect(await y.exception()).toBe(e);
    expect(() => cancelled().setResult(1)).toThrow(/^CANCELLED: <Future at 0x[0-9a-f]+ state=cancelled>$/);
  });

  it('a result() or exception() already waiting is woken by setResult, setException or cancel (test_result_with_success / _cancel, test_exception_with_success)', async () => {
    const a = new Future<number>();
    const b = new Future<number>();
    const c = new Future<number>();
    const waiting = [a.result(5000), b.exception(5000), c.result(5000)];
    setImmediate(() => {
      a.setResult(42);
      b.setException(new RangeError('OSError'));
      c.cancel();
    });
    const [ra, rb, rc] = await Promise.allSettled(waiting);
    expect(ra).toEqual({ status: 'fulfilled', value: 42 });
    expect((rb as PromiseFulfilledResult<unknown>).value).toBeInstanceOf(RangeError);
    expect((rc as PromiseRejectedResult).reason).toBeInstanceOf(CancelledError);
  });

  it('a done-callback added before the end sees the outcome: result, exception, cancel (test_done_callback_with_result / _exception / _cancel)', async () => {
    const seen: unknown[] = [];
    const a = new Future<number>();
    a.addDoneCallback((x) => void x.result().then((v) => seen.push(v)));
    const b = new Future<number>();
    b.addDoneCallback((x) => void x.exception().then((e) => seen.push((e as Error).message)));
    const c = new Future<number>();
    c.addDoneCallback((x) => seen.push(x.cancelled()));
    a.setResult(5);
    b.setException(new Error('test'));
    expect(c.cancel()).toBe(true);
    await Promise.resolve();
    await Promise.resolve();
    expect(seen.sort()).toEqual([5, 'test', true].sort());
  });
});

describe.each(executors)('wait with %s futures (test_wait.py WaitTests)', (_, make) => {
  it('the same future twice is one future (test_20369)', async () => {
    await using ex = make();
    const x = ex.submit(f.sleep, 50, 'x');
    const { done, notDone } = await wait([x, x], { returnWhen: ALL_COMPLETED });
    expect(done).toEqual(new Set([x]));
    expect(notDone.size).toBe(0);
  });

  it('FIRST_COMPLETED: the quick one; with some already done, those at once (test_first_completed, _some_already_completed)', async () => {
    await using ex = make();
    const quick = ex.submit(f.add, 21, 21);
    const slow = ex.submit(f.sleep, 1500);
    let r = await wait([quick, slow], { returnWhen: FIRST_COMPLETED });
    expect(r.done).toEqual(new Set([quick]));
    expect(r.notDone).toEqual(new Set([slow]));
    const [c, s] = [cancelled(), successful()];
    r = await wait([c, s, slow], { returnWhen: FIRST_COMPLETED });
    expect(r.done).toEqual(new Set([c, s]));
    expect(r.notDone).toEqual(new Set([slow]));
  });

  it('FIRST_EXCEPTION: returns at the failure with what is done by then; a cancelled future is done but no exception (test_first_exception, _some_already_complete, _one_already_failed)', async () => {
    await using ex = make();
    const ok = ex.submit(f.add, 2, 21);
    await ok.result();
    const failing = ex.submit(t.raiseLarge, 100);
    const slow = ex.submit(f.sleep, 1500);
    let r = await wait([ok, failing, slow], { returnWhen: FIRST_EXCEPTION });
    expect(r.done).toEqual(new Set([ok, failing]));
    expect(r.notDone).toEqual(new Set([slow]));
    const [s, c] = [successful(), cancelled()];
    const divZero = ex.submit(t.divmod, 21, 0);
    r = await wait([s, c, divZero, slow], { returnWhen: FIRST_EXCEPTION });
    expect(r.done).toEqual(new Set([s, c, divZero]));
    expect(r.notDone).toEqual(new Set([slow]));
    const bad = failed();
    r = await wait([bad, slow], { returnWhen: FIRST_EXCEPTION });
    expect(r.done).toEqual(new Set([bad]));
    expect(r.notDone).toEqual(new Set([slow]));
  });

  it('ALL_COMPLETED over done, failed, cancelled and running futures; with a timeout, what is done by then (test_all_completed, test_timeout)', async () => {
    await using ex = make();
    const pre = [successful(), cancelled(), failed()];
    const divZero = ex.submit(t.divmod, 2, 0);
    const mul = ex.submit(f.add, 2, 40);
    let r = await wait([...pre, divZero, mul], { returnWhen: ALL_COMPLETED });
    expect(r.done).toEqual(new Set([...pre, divZero, mul]));
    expect(r.notDone.size).toBe(0);
    const slow = ex.submit(f.sleep, 1000);
    const t0 = performance.now();
    r = await wait([...pre, slow], { timeout: 100, returnWhen: ALL_COMPLETED });
    const took = performance.now() - t0;
    expect(r.done).toEqual(new Set(pre));
    expect(r.notDone).toEqual(new Set([slow]));
    expect(took).toBeGreaterThanOrEqual(60);
    expect(took).toBeLessThan(1000);
  });

  it('many futures finishing together are all seen (test_pending_calls_race); any iterable of futures is taken', async () => {
    await using ex = make();
    const fs = new Set(range(100).map((i) => ex.submit(f.square, i)));
    function* again(): Generator<Future<unknown>> {
      yield* fs;
    }
    const { done, notDone } = await wait(again(), { returnWhen: ALL_COMPLETED });
    expect(done.size).toBe(100);
    expect(notDone.size).toBe(0);
  });
});

describe.each(executors)('asCompleted with %s futures (test_as_completed.py AsCompletedTests)', (_, make) => {
  it('every future, those done before and those that finish (test_no_timeout)', async () => {
    await using ex = make();
    const pre = [cancelled(), failed(), successful()];
    const a = ex.submit(f.add, 2, 40);
    const b = ex.submit(f.add, 7, 35);
    expect(new Set(await list(asCompleted([...pre, a, b])))).toEqual(new Set([...pre, a, b]));
  });

  it.each([0, 100])('timeout %s: the done ones, then TimeoutError, the slow one never yielded (test_future_times_out)', async (timeout) => {
    await using ex = make();
    const pre = new Set([cancelled(), failed(), successful()]);
    const slow = ex.submit(f.sleep, timeout * 10 + 500);
    const got = new Set<Future<unknown>>();
    const t0 = performance.now();
    await expect(
      (async () => {
        for await (const x of asCompleted(new Set([...pre, slow]), { timeout })) got.add(x);
      })(),
    ).rejects.toThrow(TimeoutError);
    const took = performance.now() - t0;
    expect(got).toEqual(pre);
    expect(took).toBeGreaterThanOrEqual(timeout * 0.6);
    expect(took).toBeLessThan(Math.max(timeout * 10, 500));
  });

  it('a future given three times by a generator is yielded once (test_duplicate_futures)', async () => {
    await using ex = make();
    const x = ex.submit(f.sleep, 100, 'x');
    function* repeat(): Generator<Future<unknown>> {
      for (let i = 0; i < 3; i++) yield x;
    }
    expect(await list(asCompleted(repeat()))).toEqual([x]);
  });
});

describe('asCompleted keeps no future it has yielded (test_free_reference_yielded_future)', () => {
  it('each yielded future can be collected once the caller drops it', async () => {
    let pending: (Future<unknown> | undefined)[] = [...range(8).map(() => new Future<unknown>()), cancelled(), successful()];
    const refs: WeakRef<object>[] = [];
    // In a function of its own: a suspended async function (the test's) keeps the last value it iterated in its frame.
    const consume = async (): Promise<void> => {
      for await (const x of asCompleted(pending as Future<unknown>[], { timeout: 10_000 })) {
        refs.push(new WeakRef(x));
        pending[pending.indexOf(x)] = undefined;
        // The one yielded before this one is gone: nothing in the iterator holds it.
        if (refs.length > 1) expect(await collected(refs.slice(0, -1))).toBe(true);
        pending.find((p) => p !== undefined && !p.done())?.setResult('test');
      }
    };
    pending[0]!.setResult('test');
    await consume();
    expect(refs).toHaveLength(10);
    pending = [];
    expect(await collected(refs)).toBe(true);
  });
});

describe.each(executors)('%s (executor.py ExecutorTest, test_process_pool.py, test_thread_pool.py)', (name, make) => {
  it('submit; map over two iterables, with a chunksize of 3, 6, 40, 50 (test_submit, test_map, test_map_chunksize)', async () => {
    await using ex = make();
    expect(await ex.submit(t.pow, 2, 8).result()).toBe(256);
    const ref = range(40).map((i) => i ** i);
    expect(await list(ex.map(t.pow, [range(40), range(40)]))).toEqual(ref);
    for (const chunksize of [3, 6, 40, 50]) expect(await list(ex.map(t.pow, [range(40), range(40)], { chunksize }))).toEqual(ref);
  });

  it('map: the results before a failure, then its error (test_map_exception)', async () => {
    await using ex = make();
    const it = ex.map(t.divmod, [
      [1, 1, 1, 1],
      [2, 3, 0, 5],
    ]);
    expect((await it.next()).value).toEqual([0, 1]);
    expect((await it.next()).value).toEqual([0, 1]);
    await expect(it.next()).rejects.toThrow(/division or modulo by zero/);
  });

  it('map(timeout): a result done before the deadline is given however late it is asked for (lazy consumption, as _result_or_cancel)', async () => {
    await using ex = make({ maxWorkers: 1 });
    const it = ex.map(f.square, [[1, 2, 3]], { timeout: 200 });
    // One worker, in order: when this ends, the map's calls have ended and the deadline has passed.
    expect(await ex.submit(f.sleep, 300, 'after').result()).toBe('after');
    expect(await list(it)).toEqual([1, 4, 9]);
  });

  it('map(timeout=0) on a busy pool: TimeoutError at the first next(), and both calls are cancelled, never run (test_executor_map_current_future_cancel)', async () => {
    await using ex = make({ maxWorkers: 1 });
    const first = ex.submit(f.sleep, 300, 'first');
    const gen = ex.map(f.whoAmI, [['second', 'third']], { timeout: 0 });
    await expect(gen.next()).rejects.toThrow(TimeoutError);
    expect(await first.result()).toBe('first');
    await ex.shutdown();
    expect(ex.stats()).toMatchObject({ submitted: 3, completed: 1, cancelled: 2 });
  });

  it('map keeps no result it has yielded (test_free_reference)', async () => {
    await using ex = make();
    const refs: WeakRef<object>[] = [];
    for await (const obj of ex.map(t.makeObject, [range(10)])) {
      refs.push(new WeakRef(obj as object));
      if (refs.length > 1) expect(await collected(refs.slice(0, -1))).toBe(true);
    }
    expect(refs).toHaveLength(10);
  });

  it('a finished future nobody holds is not kept by the executor (test_no_stale_references)', async () => {
    await using ex = make();
    let fut: Future<unknown> | undefined = ex.submit(t.makeObject, 1);
    const ref = new WeakRef(fut);
    const value = fut.result();
    fut = undefined;
    expect(await value).toMatchObject({ i: 1 });
    expect(await collected([ref])).toBe(true);
  });

  it('maxWorkers of 0 or -1 is ArgumentError (Python ValueError, test_max_workers_negative)', () => {
    for (const maxWorkers of [0, -1, 1.5]) expect(() => make({ maxWorkers })).toThrow(ArgumentError);
  });

  it('no more workers than maxWorkers, however many tasks wait (test_saturation)', async () => {
    await using ex = make({ maxWorkers: 2 });
    const fs = range(30).map((i) => ex.submit(f.sleep, 5, i));
    expect(ex.stats().workers).toBe(2);
    expect(await Promise.all(fs.map((x) => x.result()))).toEqual(range(30));
    expect(ex.stats().workers).toBe(2);
  });

  it('cancel() of a future that has started is false, and it completes (test_future.py test_cancel on a real executor)', async () => {
    await using ex = make({ maxWorkers: 1 });
    const started = new Promise<void>((resolve) => ex.on('taskStart', () => resolve()));
    const x = ex.submit(f.sleep, 200, 'ran');
    await started;
    expect(x.running()).toBe(true);
    expect(x.cancel()).toBe(false);
    expect(await x.result()).toBe('ran');
  });

  it('a task’s error comes back with its class, message and cause, and the worker’s stack names the line that threw (test_traceback)', async () => {
    await using ex = make();
    const err = (await ex.submit(t.failWithCause, 123).exception()) as Error;
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toBe('outer 123');
    expect(err.cause).toBeInstanceOf(RangeError);
    expect((err.cause as Error).message).toBe('inner 123');
    expect(err.stack).toMatch(/tasks-2\.mjs:\d+/);
  });

  it('maxTasksPerChild=1 with 6 tasks on 3 workers, then shutdown(): every result (test_max_tasks_early_shutdown)', async () => {
    const ex = make({ maxTasksPerChild: 1 });
    const fs = range(6).map((i) => ex.submit(f.add, i, i * i - i));
    await ex.shutdown();
    expect(await Promise.all(fs.map((x) => x.result()))).toEqual(range(6).map((i) => i * i));
  });

  it('initializer and initargs run in every worker before its tasks (test_init.py InitializerMixin)', async () => {
    await using ex = make({ maxWorkers: 2, initializer: t.setStatus, initargs: ['initialized'] });
    const fs = range(2).map(() => ex.submit(t.getStatus));
    expect(await Promise.all(fs.map((x) => x.result()))).toEqual(['initialized', 'initialized']);
  });

  if (name === 'ThreadPoolExecutor') {
    it('workers default to min(32, cpuCount() + 4) (test_default_workers)', async () => {
      await using ex = new ThreadPoolExecutor();
      expect(ex.stats().workers).toBe(Math.min(32, cpuCount() + 4));
    });

    it('workers are named <prefix>_0 … <prefix>_N-1, the prefix ThreadPoolExecutor-<n> unless threadNamePrefix is given (test_thread_names_assigned / _default)', async () => {
      const names = async (ex: ThreadPoolExecutor): Promise<Set<string>> => {
        const seen = new Set<string>();
        ex.on('task', (e) => seen.add(e.worker));
        const fs = range(10).map(() => ex.submit(f.whoAmI));
        const inside = await Promise.all(fs.map((x) => x.result() as Promise<{ name: string }>));
        await ex.shutdown();
        // The name a worker has inside is the one the executor gives it.
        for (const w of inside) expect(seen.has(w.name)).toBe(true);
        return seen;
      };
      for (const n of await names(new ThreadPoolExecutor({ maxWorkers: 5, threadNamePrefix: 'SpecialPool' }))) expect(n).toMatch(/^SpecialPool_[0-4]$/);
      for (const n of await names(new ThreadPoolExecutor({ maxWorkers: 5 }))) expect(n).toMatch(/^ThreadPoolExecutor-\d+_[0-4]$/);
    });
  }
});

describe.each(executors)('%s deadlocks (test_deadlock.py ExecutorDeadlockTest)', (_, make) => {
  it('a task that ends its worker fails with BrokenPoolError and the executor goes on (test_crash_during_func_exec_on_worker; Python breaks the executor)', async () => {
    await using ex = make({ maxWorkers: 2 });
    await expect(ex.submit(t.crashWithData, 'x').result(20_000)).rejects.toThrow(BrokenPoolError);
    expect(await ex.submit(f.add, 1, 2).result()).toBe(3);
  });

  it('an error in the task comes back as itself (test_error_during_func_exec_on_worker)', async () => {
    await using ex = make({ maxWorkers: 2 });
    await expect(ex.submit(f.fail, 'RuntimeError').result()).rejects.toThrow(RangeError);
  });

  it('a result that cannot be copied back fails its future, the worker lives (test_error_during_result_pickle_on_worker)', async () => {
    await using ex = make({ maxWorkers: 1 });
    for (let i = 0; i < 3; i++) await expect(ex.submit(t.unclonableResult).result()).rejects.toThrow(SerializationError);
    expect(await ex.submit(f.add, 1, 2).result()).toBe(3);
    expect(ex.stats().workers).toBe(1);
  });

  it('a worker that dies after shutdown() began: shutdown still returns, the future is BrokenPoolError (test_shutdown_deadlock)', async () => {
    const ex = make({ maxWorkers: 2 });
    const doomed = ex.submit(t.crashAfter, 100);
    await ex.shutdown();
    await expect(doomed.result(0)).rejects.toThrow(BrokenPoolError);
  });

  it('map over 10 tasks that each kill their worker, with 1 MiB arguments: BrokenPoolError, no hang (test_crash_big_data)', async () => {
    const data = 'a'.repeat(1024 ** 2);
    const ex = make({ maxWorkers: 2 });
    try {
      await expect(list(ex.map(t.crashWithData, [Array.from({ length: 10 }, () => data)]))).rejects.toThrow(BrokenPoolError);
    } finally {
      await ex.shutdown({ cancelFutures: true });
    }
  });
});

describe.each(executors)('%s shutdown (test_shutdown.py ExecutorShutdownTest)', (name, make) => {
  const kind = name === 'ThreadPoolExecutor' ? 'thread' : 'process';

  it.each([
    ['no-shutdown', 'test_interpreter_shutdown: never shut down, the task still runs to its end'],
    ['shutdown-no-wait', 'test_hang_gh83386: shutdown({ wait: false }) with a running future'],
  ])('a program that ends with work in its executor (%s) prints "apple" and exits by itself, 0 (%s)', async (scenario) => {
    const { stdout, stderr } = await execFileP(process.execPath, [exitProgram, scenario, kind], { timeout: 20_000 });
    expect(stdout.trim()).toBe('apple');
    expect(stderr).toBe('');
  });

  it('shutdown({ wait: false, cancelFutures: true }) in a program that then ends: "apple" or nothing, no error (test_cancel_futures_wait_false)', async () => {
    const { stdout, stderr } = await execFileP(process.execPath, [exitProgram, 'cancel-no-wait', kind], { timeout: 20_000 });
    expect(['apple', '']).toContain(stdout.trim());
    expect(stderr).toBe('');
  });

  it('50 submits, then shutdown(): every result (test_hang_issue12364); shutdown twice is harmless', async () => {
    const ex = make();
    const fs = range(50).map((i) => ex.submit(f.sleep, 10, i));
    await ex.shutdown();
    expect(await Promise.all(fs.map((x) => x.result(0)))).toEqual(range(50));
    await ex.shutdown();
    expect(() => ex.submit(f.square, 2)).toThrow('cannot schedule new futures after shutdown');
  });

  it('a future submitted and cancelled right before shutdown() does not hang it (test_hang_gh94440)', async () => {
    const ex = make({ maxWorkers: 1 });
    expect(await ex.submit(f.square, 3).result()).toBe(9);
    const x = ex.submit(f.square, 4);
    // A free worker has taken it already (cancel() is false), as Python's may have: either way, no hang.
    x.cancel();
    await ex.shutdown();
    expect(x.cancelled() || (await x.result(0)) === 16).toBe(true);
  });

  it('`await using`: the map is done and every worker has ended at the end of the scope (test_context_manager_shutdown)', async () => {
    let outer: ThreadPoolExecutor | ProcessPoolExecutor | undefined;
    {
      await using e = make({ maxWorkers: 5 });
      outer = e;
      expect(await list(e.map(f.square, [range(10).map((i) => i - 5)]))).toEqual([25, 16, 9, 4, 1, 0, 1, 4, 9, 16]);
    }
    expect(outer.stats().workers).toBe(0);
    expect(activeChildren()).toEqual([]);
  });

  it('map, then shutdown({ wait: false }): every result is still computed (test_shutdown_no_wait)', async () => {
    const ex = make({ maxWorkers: 5 });
    const res = ex.map(f.square, [range(10).map((i) => i - 5)]);
    await ex.shutdown({ wait: false });
    expect(await list(res)).toEqual([25, 16, 9, 4, 1, 0, 1, 4, 9, 16]);
    await ex.shutdown();
    expect(ex.stats().workers).toBe(0);
  });
});

describe('ProcessPoolExecutor: a worker killed from outside (test_process_pool.py test_killed_child)', () => {
  // Python breaks the whole executor (BrokenProcessPool for this future and every later submit); here
  // the task it held runs again on a replacement (at-least-once) and the executor goes on.
  it('the task runs again on a fresh worker and completes; later submits work', async () => {
    await using ex = new ProcessPoolExecutor({ maxWorkers: 1 });
    const started = new Promise<number>((resolve) => ex.on('taskStart', (e) => resolve(e.workerId)));
    const x = ex.submit(f.sleep, 300, 'done');
    const pid = await started;
    expect(pid).toBeGreaterThan(1); // never 0: process.kill(0) would signal our whole process group
    process.kill(pid, 'SIGTERM');
    expect(await x.result(20_000)).toBe('done');
    expect(await ex.submit(t.pow, 2, 8).result()).toBe(256);
  });
});

describe.each(contexts)('Pool in the %s context (_TestPool)', (context) => {
  it('apply, map and starmap with chunksize 20, mapAsync, starmapAsync (test_apply, test_map, test_starmap, test_map_async, test_starmap_async)', async () => {
    await using pool = new Pool({ processes: 4, context });
    expect(await pool.apply(f.square, [5])).toBe(25);
    expect(await pool.map(f.square, range(10))).toEqual(range(10).map((i) => i * i));
    expect(await pool.map(f.square, range(100), 20)).toEqual(range(100).map((i) => i * i));
    const tuples = range(100).map((i) => [i, 99 - i] as [number, number]);
    expect(await pool.starmap(f.add, tuples.slice(0, 10))).toEqual(tuples.slice(0, 10).map(([a, b]) => a + b));
    expect(await pool.starmap(f.add, tuples, 20)).toEqual(tuples.map(([a, b]) => a + b));
    expect(await pool.starmapAsync(f.add, tuples).get()).toEqual(tuples.map(([a, b]) => a + b));
    expect(await pool.mapAsync(f.square, range(10)).get()).toEqual(range(10).map((i) => i * i));
  });

  it('mapAsync callback gets the whole list once; errorCallback is called once, however many chunks fail (test_map_async_callbacks)', async () => {
    const pool = new Pool({ processes: 2, context });
    const calls: unknown[] = [];
    const push = (v: unknown): void => void calls.push(v);
    await pool.mapAsync(f.square, [1], undefined, { callback: push, errorCallback: push }).wait();
    expect(calls).toEqual([[1]]);
    const r = pool.starmapAsync(t.divmod, [[1, 0], [2, 0], [3, 0], [4, 1]], 1, { callback: push, errorCallback: push });
    await r.wait();
    // Every chunk ended, and every callback run: the failures after the first must not have called it again.
    pool.close();
    await pool.join();
    expect(pool.stats().failed).toBe(3);
    expect(calls).toHaveLength(2);
    expect(calls[1]).toBeInstanceOf(RangeError);
    expect(r.successful()).toBe(false);
  });

  it('arguments that cannot be copied fail at the call, nothing hangs (test_map_unplicklable; Python fails when pickling)', async () => {
    await using pool = new Pool({ processes: 1, context });
    await expect(pool.map(f.square, range(10).map(() => () => 1))).rejects.toThrow(SerializationError);
    expect(() => pool.mapAsync(f.square, [() => 1])).toThrow(SerializationError);
    expect(await pool.map(f.square, [3])).toEqual([9]);
  });

  it('no items: map, imap, imapUnordered, mapAsync(chunksize 1) give [] at once (test_empty_iterable, test_map_chunksize)', async () => {
    const pool = new Pool({ processes: 1, context });
    expect(await pool.map(f.square, [])).toEqual([]);
    expect(await list(pool.imap(f.square, []))).toEqual([]);
    expect(await list(pool.imapUnordered(f.square, []))).toEqual([]);
    expect(await pool.mapAsync(f.square, [], 1).get(5000)).toEqual([]);
    pool.close();
    await pool.join();
  });

  it('an iterable that throws: map rejects and mapAsync throws at the call with its error, not wrapped, each time (test_map_handle_iterable_exception, test_traceback)', async () => {
    await using pool = new Pool({ processes: 2, context });
    class SayWhenError extends Error {}
    const said = new SayWhenError('Somebody said when');
    function* throwing(total: number, when: number): Generator<number> {
      if (when === -1) throw said;
      for (let i = 0; i < total; i++) {
        if (i === when) throw said;
        yield i;
      }
    }
    const special: Iterable<number> = { [Symbol.iterator]: () => ({ next: (): IteratorResult<number> => { throw said; } }) };
    for (let again = 0; again < 2; again++) {
      await expect(pool.map(f.square, throwing(1, -1), 1)).rejects.toBe(said);
      await expect(pool.map(f.square, special, 1)).rejects.toBe(said);
    }
    await expect(pool.map(f.square, throwing(10, 3), 1)).rejects.toBe(said);
    expect(said.cause).toBeUndefined();
    expect(() => pool.mapAsync(f.square, throwing(10, 3), 1)).toThrow(said);
    expect(() => pool.starmapAsync(f.add, special as unknown as Iterable<[number, number]>)).toThrow(said);
    expect(await pool.map(f.square, [2])).toEqual([4]);
  });

  it('imap in order, item by item, then done for good; with chunksize 100 over 1000 (test_imap); imapUnordered all of them (test_imap_unordered)', async () => {
    await using pool = new Pool({ processes: 4, context });
    const it = pool.imap(f.square, range(10));
    for (let i = 0; i < 10; i++) expect(await it.next()).toEqual({ done: false, value: i * i });
    expect((await it.next()).done).toBe(true);
    expect((await it.next()).done).toBe(true);
    expect(await list(pool.imap(f.square, range(1000), 100))).toEqual(range(1000).map((i) => i * i));
    const unordered = (await list(pool.imapUnordered(f.square, range(1000), 100))) as number[];
    expect(unordered.sort((a, b) => a - b)).toEqual(range(1000).map((i) => i * i));
  });

  it('Pool(-1), Pool(0) are ArgumentError (Python ValueError); Pool(3) has 3 workers (test_make_pool)', async () => {
    for (const n of [-1, 0, 1.5]) expect(() => new Pool(n)).toThrow(ArgumentError);
    const pool = new Pool({ processes: 3, context });
    expect(pool.size).toBe(3);
    expect(pool.stats().workers).toBe(3);
    pool.close();
    await pool.join();
  });

  it('terminate() with 10,000 long tasks queued: join() returns promptly, the map is CancelledError (test_terminate)', async () => {
    const pool = new Pool({ processes: 3, context });
    const started = new Promise<void>((resolve) => pool.on('taskStart', () => resolve()));
    const result = pool.mapAsync(f.sleep, range(10_000).map(() => 60_000), 1);
    await started;
    const t0 = performance.now();
    pool.terminate();
    await pool.join();
    expect(performance.now() - t0).toBeLessThan(10_000);
    await expect(result.get()).rejects.toThrow(CancelledError);
    expect(pool.stats().workers).toBe(0);
  });

  it('`await using` terminates at the end of the scope; join() after it works, new work is StateError; disposing again is harmless (test_context, test_enter)', async () => {
    let outer: Pool | undefined;
    {
      await using p = new Pool({ processes: 2, context });
      outer = p;
      expect(await p.mapAsync(f.square, range(10)).get()).toEqual(range(10).map((i) => i * i));
    }
    await outer.join();
    await outer.join();
    expect(() => outer.mapAsync(f.square, [1])).toThrow(StateError);
    // Python's `with pool:` on a pool no longer running is a ValueError at the enter; JS has no enter: disposing again does nothing.
    await outer[Symbol.asyncDispose]();
    expect(outer.stats().workers).toBe(0);
  });

  it('close() then terminate() then join(), twice: Python allows it', async () => {
    const pool = new Pool({ processes: 1, context });
    pool.close();
    pool.terminate();
    await pool.join();
    await pool.join();
  });

  it('a task’s error: its class, message, cause, and the worker’s stack naming the line that threw; get() re-raises the same error each time (test_traceback, test_wrapped_exception)', async () => {
    await using pool = new Pool({ processes: 1, context });
    const r = pool.applyAsync(t.failWithCause, [123]);
    const err = (await r.get().catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(TypeError);
    expect(err.message).toBe('outer 123');
    expect(err.cause).toBeInstanceOf(RangeError);
    expect(err.stack).toMatch(/tasks-2\.mjs:\d+/);
    await expect(r.get()).rejects.toBe(err);
    await expect(r.get(1000)).rejects.toBe(err);
  });

  it('map fails at the first failure, yet close() and join() wait for every task; 1 MiB errors cross (test_map_no_failfast)', async () => {
    const pool = new Pool({ processes: 2, context });
    await pool.apply(f.square, [1]); // workers up
    const t0 = performance.now();
    const err = (await pool.map(t.raiseLarge, [0, 1000], 1).catch((e: unknown) => e)) as Error;
    // Failed fast: the slow task is still running.
    expect(pool.stats()).toMatchObject({ failed: 1, running: 1 });
    expect(err).toBeInstanceOf(RangeError);
    expect(err.message).toHaveLength(1024 ** 2);
    pool.close();
    await pool.join();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(600);
    expect(pool.stats()).toMatchObject({ failed: 2, running: 0 });
  });

  it('map keeps neither its arguments nor its results once done (test_release_task_refs)', async () => {
    await using pool = new Pool({ processes: 2, context });
    let objs: object[] | undefined = range(10).map((i) => ({ i }));
    const refs = objs.map((o) => new WeakRef(o));
    let results: unknown[] | undefined = await pool.map(t.identity, objs);
    expect(results).toEqual(objs);
    refs.push(...results.map((o) => new WeakRef(o as object)));
    objs = results = undefined;
    expect(await collected(refs)).toBe(true);
  });
});

describe.each(contexts)('Pool worker errors in the %s context (_TestPoolWorkerErrors)', (context) => {
  it('errorCallback gets the task’s error, get() rejects with it (test_async_error_callback)', async () => {
    const pool = new Pool({ processes: 2, context });
    const seen: unknown[] = [];
    const r = pool.applyAsync(f.fail, ['key'], { errorCallback: (e) => seen.push(e) });
    await expect(r.get()).rejects.toThrow(RangeError);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(RangeError);
    pool.close();
    await pool.join();
  });

  it('a result that cannot be copied back, 20 times: SerializationError to get() and errorCallback (Python MaybeEncodingError), no worker lost (test_unpickleable_result)', async () => {
    const pool = new Pool({ processes: 2, context });
    for (let i = 0; i < 20; i++) {
      let seen: unknown;
      const r = pool.applyAsync(t.unclonableResult, [], { errorCallback: (e) => (seen = e) });
      await expect(r.get()).rejects.toThrow(SerializationError);
      expect(seen).toBeInstanceOf(SerializationError);
    }
    expect(pool.stats()).toMatchObject({ workers: 2, failed: 20 });
    expect(await pool.apply(f.square, [7])).toBe(49);
    pool.close();
    await pool.join();
  });
});

describe('Pool worker lifetime (_TestPoolWorkerLifetime)', () => {
  it('maxtasksperchild of 0, -1, 0.5 or "12" is ArgumentError (Python ValueError, test_pool_maxtasksperchild_invalid)', () => {
    for (const maxtasksperchild of [0, -1, 0.5, '12']) expect(() => new Pool({ processes: 3, maxtasksperchild: maxtasksperchild as number })).toThrow(ArgumentError);
  });

  it.each(contexts)('maxtasksperchild=10 over 100 tasks: every result, and the workers are not the first ones any more (test_pool_worker_lifetime, %s)', async (context) => {
    await using pool = new Pool({ processes: 3, maxtasksperchild: 10, context });
    const id = (w: { pid: number; threadId: number }): number => (context === 'process' ? w.pid : w.threadId);
    const first = new Set((await Promise.all(range(3).map(() => pool.apply(f.whoAmI)))).map(id));
    const results = range(100).map((i) => pool.applyAsync(f.square, [i]));
    expect(await Promise.all(results.map((r) => r.get()))).toEqual(range(100).map((i) => i * i));
    const last = new Set((await Promise.all(range(3).map(() => pool.apply(f.whoAmI)))).map(id));
    expect([...last].some((x) => first.has(x))).toBe(false);
  });

  it.each(contexts)('a program whose pool is kept in a global and never closed exits by itself, 0 (test_worker_finalization_via_atexit_handler_of_multiprocessing, %s)', async (context) => {
    const { stdout, stderr } = await execFileP(process.execPath, [exitProgram, 'pool-left-open', context], { timeout: 20_000 });
    expect(stdout.trim()).toBe('[1,4,9]');
    expect(stderr).toBe('');
  });
});
