// Rules of Python's _test_multiprocessing.py (_TestPool…) and test_concurrent_futures (executor.py,
// test_thread_pool.py, test_process_pool.py, test_initializers.py) that a porter relies on.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { activeChildren, ArgumentError, StateError, TimeoutError, type ContextKind } from '@ipc/core';
import { asCompleted, BrokenPoolError, Pool, ProcessPoolExecutor, ThreadPoolExecutor, wait } from '@ipc/pool';
// @ts-expect-error -- plain JS fixture, loaded in the workers too
import * as fx from './fixtures/tasks.mjs';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixtures take what the tests give them
type Task = (...args: any[]) => any;
const f = fx as Record<'square' | 'add' | 'fail' | 'sleep' | 'whoAmI' | 'badInit', Task>;
const execFileP = promisify(execFile);
const program = fileURLToPath(new URL('./fixtures/max-tasks-program.mjs', import.meta.url));

afterEach(() => {
  vi.restoreAllMocks();
});
afterAll(() => {
  expect(activeChildren()).toEqual([]);
});

describe.each<ContextKind>(['thread', 'process'])('maxtasksperchild in the %s context', (context) => {
  // The bug: once the worker retired nothing held the event loop, so a program whose only work was the pool ended with its task unrun.
  it.each(['pool', 'executor'])('%s: the task after the last one a worker may take runs on a replacement, in a program with nothing else to do', async (kind) => {
    const { stdout } = await execFileP(process.execPath, [program, kind, context], { timeout: 20_000 });
    const ids = JSON.parse(stdout) as number[];
    expect(ids).toHaveLength(4);
    expect(new Set(ids.slice(0, 3)).size).toBe(1);
    expect(ids[3]).not.toBe(ids[0]);
  });
});

describe.each<ContextKind>(['thread', 'process'])('Pool workers renewed in the %s context (_TestPoolWorkerLifetime)', (context) => {
  it('maxtasksperchild=1 with tasks queued, then close() and join(): every result is there (test_pool_worker_lifetime_early_close)', async () => {
    const pool = new Pool({ processes: 3, maxtasksperchild: 1, context });
    const results = [0, 1, 2, 3, 4, 5].map((i) => pool.applyAsync(f.sleep, [50, i * i]));
    pool.close();
    await pool.join();
    expect(results.every((r) => r.ready())).toBe(true);
    expect(await Promise.all(results.map((r) => r.get()))).toEqual([0, 1, 4, 9, 16, 25]);
  });
});

describe('Pool (_TestPool)', () => {
  it('imap / imapUnordered check chunksize at the call (Python: "Chunksize must be 1+"), even with no items', async () => {
    await using pool = new Pool(1);
    for (const bad of [0, -1, 1.5]) {
      expect(() => pool.imap(f.square, [1, 2], bad)).toThrow(ArgumentError);
      expect(() => pool.imapUnordered(f.square, [], bad)).toThrow(/Chunksize must be 1\+/);
    }
    const none: unknown[] = [];
    for await (const v of pool.imap(f.square, [])) none.push(v);
    for await (const v of pool.imapUnordered(f.square, [])) none.push(v);
    expect(none).toEqual([]);
  });

  it('imap queues its tasks at the call: close() and join() after imap() still give every result', async () => {
    const pool = new Pool(2);
    const ordered = pool.imap(f.square, [1, 2, 3, 4], 2);
    const unordered = pool.imapUnordered(f.square, [5, 6]);
    pool.close();
    await pool.join();
    const got: unknown[] = [];
    for await (const v of ordered) got.push(v);
    const rest: number[] = [];
    for await (const v of unordered) rest.push(v as number);
    expect(got).toEqual([1, 4, 9, 16]);
    expect(rest.sort((a, b) => a - b)).toEqual([25, 36]);
  });

  it('work after close(): "Pool not running" at the call (Python ValueError); the Promise forms reject', async () => {
    const pool = new Pool(1);
    pool.close();
    expect(() => pool.applyAsync(f.square, [1])).toThrow('Pool not running');
    expect(() => pool.mapAsync(f.square, [1])).toThrow(StateError);
    expect(() => pool.starmapAsync(f.add, [[1, 2]])).toThrow(StateError);
    expect(() => pool.imap(f.square, [1])).toThrow(StateError);
    expect(() => pool.imapUnordered(f.square, [1])).toThrow(StateError);
    await expect(pool.apply(f.square, [1])).rejects.toThrow(StateError);
    await expect(pool.map(f.square, [1])).rejects.toThrow(StateError);
    await expect(pool.starmap(f.add, [[1, 2]])).rejects.toThrow(StateError);
    await pool.join();
  });

  it('AsyncResult.get(timeout): 0 and negative timeouts have passed (TimeoutError), as in Python; a ready result is given whatever the timeout', async () => {
    await using pool = new Pool(2);
    const slow = pool.applyAsync(f.sleep, [2000, 1]);
    await expect(slow.get(-1)).rejects.toThrow(TimeoutError);
    await expect(slow.get(0)).rejects.toThrow(TimeoutError);
    expect(await slow.wait(-1)).toBe(false);
    expect(() => slow.successful()).toThrow(/not ready/);
    const quick = pool.applyAsync(f.square, [3]);
    await quick.wait();
    expect(await quick.get(-1)).toBe(9);
    expect(quick.successful()).toBe(true);
    await expect(slow.get(Number.NaN)).rejects.toThrow(ArgumentError);
  });

  it('a callback or errorCallback that throws is reported, runs before get() resolves, and does not change the result', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    await using pool = new Pool(1);
    const ok = pool.applyAsync(f.square, [4], {
      callback: () => {
        throw new Error('callback failed');
      },
    });
    expect(await ok.get()).toBe(16);
    expect(ok.successful()).toBe(true);
    const errors: unknown[] = [];
    const bad = pool.applyAsync(f.fail, ['task failed'], {
      errorCallback: (e) => {
        errors.push(e);
        throw new Error('errorCallback failed');
      },
    });
    await expect(bad.get()).rejects.toThrow('task failed');
    expect(errors[0]).toBeInstanceOf(RangeError);
    const mapped = pool.mapAsync(f.square, [1, 2], undefined, {
      callback: () => {
        throw new Error('map callback failed');
      },
    });
    expect(await mapped.get()).toEqual([1, 4]);
    expect(logged).toHaveBeenCalledTimes(3);
    expect(String(logged.mock.calls[0]![0])).toMatch(/^exception calling callback for <AsyncResult/);
  });
});

describe.each([
  ['ThreadPoolExecutor', (o: { maxWorkers: number; initializer?: Task }) => new ThreadPoolExecutor(o)],
  ['ProcessPoolExecutor', (o: { maxWorkers: number; initializer?: Task }) => new ProcessPoolExecutor(o)],
] as const)('%s (test_concurrent_futures)', (_, make) => {
  it('map submits every call at the call, not at the first next() (test_map_submits_without_iteration)', async () => {
    const ex = make({ maxWorkers: 1 });
    const results = ex.map(f.square, [[1, 2, 3]]);
    await ex.shutdown();
    const got: unknown[] = [];
    for await (const v of results) got.push(v);
    expect(got).toEqual([1, 4, 9]);
  });

  it('map: the shortest iterable wins, no iterables give nothing; a bad chunksize is ArgumentError (Python ValueError)', async () => {
    await using ex = make({ maxWorkers: 2 });
    const got: unknown[] = [];
    for await (const v of ex.map(f.add, [[1, 2, 3], [10, 20]], { chunksize: 6 })) got.push(v);
    expect(got).toEqual([11, 22]);
    for await (const v of ex.map(f.square, [])) got.push(v);
    expect(got).toHaveLength(2);
    expect(() => ex.map(f.square, [[1]], { chunksize: 0 })).toThrow(ArgumentError);
    expect(() => ex.map(f.square, [[1]], { chunksize: -1 })).toThrow(/chunksize must be >= 1/);
  });

  it('map(timeout) counts from the call; on TimeoutError the calls not started are cancelled (test_map_timeout)', async () => {
    await using ex = make({ maxWorkers: 1 });
    // Warm: a process worker's start must not eat into the timeout.
    expect(await ex.submit(f.square, 2).result()).toBe(4);
    const got: unknown[] = [];
    const t0 = performance.now();
    await expect(
      (async () => {
        for await (const v of ex.map(f.sleep, [[0, 0, 1500, 0], ['a', 'b', 'c', 'd']], { timeout: 300 })) got.push(v);
      })(),
    ).rejects.toThrow(TimeoutError);
    const took = performance.now() - t0;
    expect(got).toEqual(['a', 'b']);
    expect(took).toBeGreaterThanOrEqual(180);
    expect(took).toBeLessThan(1500);
    expect(ex.stats().cancelled).toBe(1);
  });

  it('once the initializer has broken the pool, submit() throws BrokenPoolError (Python BrokenExecutor)', async () => {
    const ex = make({ maxWorkers: 1, initializer: f.badInit });
    await expect(ex.submit(f.square, 1).result()).rejects.toThrow(BrokenPoolError);
    expect(() => ex.submit(f.square, 2)).toThrow(BrokenPoolError);
    await ex.shutdown();
  });
});

describe('Pool: an iterable that throws part way (test_imap_handle_iterable_exception)', () => {
  class SayWhenError extends Error {}
  function* throwingAt(total: number, when: number): Generator<number> {
    for (let i = 0; i < total; i++) {
      if (i === when) throw new SayWhenError(`Somebody said when at ${i}`);
      yield i;
    }
  }

  it('imap gives the whole chunks before the failure, then its error; map rejects with it', async () => {
    await using pool = new Pool(2);
    for (const [total, when, chunksize, before] of [
      [1, 0, 1, 0],
      [10, 3, 1, 3],
      [20, 7, 2, 6],
      [20, 7, 4, 4],
    ] as const) {
      const it = pool.imap(f.square, throwingAt(total, when), chunksize);
      const got: unknown[] = [];
      for (let i = 0; i < before; i++) got.push((await it.next()).value);
      expect(got).toEqual(Array.from({ length: before }, (_, i) => i * i));
      await expect(it.next()).rejects.toBeInstanceOf(SayWhenError);
    }
    await expect(pool.map(f.square, throwingAt(10, 3), 1)).rejects.toBeInstanceOf(SayWhenError);
  });

  it('imapUnordered ends with the error, having given only real results', async () => {
    await using pool = new Pool(2);
    const expected = new Set(Array.from({ length: 10 }, (_, i) => i * i));
    const got: unknown[] = [];
    await expect(
      (async () => {
        for await (const v of pool.imapUnordered(f.square, throwingAt(10, 3))) got.push(v);
      })(),
    ).rejects.toBeInstanceOf(SayWhenError);
    for (const v of got) expect(expected.has(v as number)).toBe(true);
  });
});

describe.each([
  ['ThreadPoolExecutor', () => new ThreadPoolExecutor({ maxWorkers: 3 })],
  ['ProcessPoolExecutor', () => new ProcessPoolExecutor({ maxWorkers: 3 })],
] as const)('%s shutdown (test_shutdown.py)', (_, make) => {
  it('cancelFutures right after a burst of submits: many cancelled, the rest done without error, at least one ran (test_cancel_futures)', async () => {
    const ex = make();
    const fs = Array.from({ length: 50 }, (_, i) => ex.submit(f.sleep, 100, i));
    await ex.shutdown({ cancelFutures: true });
    const cancelled = fs.filter((x) => x.cancelled());
    const others = fs.filter((x) => !x.cancelled());
    expect(cancelled.length).toBeGreaterThan(20);
    expect(others.length).toBeGreaterThan(0);
    for (const x of others) {
      expect(x.done()).toBe(true);
      expect(await x.exception()).toBeNull();
    }
  });

  it('shutdown({ wait: false }) returns at once and the futures still complete (test_shutdown_no_wait)', async () => {
    const ex = make();
    const fs = [1, 2, 3, 4].map((i) => ex.submit(f.sleep, 50, i));
    await ex.shutdown({ wait: false });
    expect(await Promise.all(fs.map((x) => x.result(10_000)))).toEqual([1, 2, 3, 4]);
    await ex.shutdown();
  });
});

describe('imapUnordered left early', () => {
  it('failures of tasks nobody waits for any more are no unhandled rejections', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown): void => void unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const pool = new Pool(2);
      pool.imapUnordered(f.fail, ['never iterated']);
      for await (const v of pool.imapUnordered(f.square, [1, 2, 3])) if (v !== undefined) break;
      await expect(
        (async () => {
          for await (const v of pool.imapUnordered(f.fail, ['a', 'b', 'c'])) void v;
        })(),
      ).rejects.toThrow(RangeError);
      pool.close();
      await pool.join();
      // A turn for any late rejection to be reported.
      await new Promise((r) => setImmediate(r));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

// Python's timeout=None, and timeouts past a Node timer's range (which fires after 1 ms if given as is).
describe('timeouts of null, Infinity and past 2^31 ms wait for the result', () => {
  const longs = [null, Infinity, 2 ** 31 + 10];

  it.each(longs)('Pool: a task timeout of %s does not abort the task; get/wait(%s) wait for it', async (timeout) => {
    const pool = new Pool({ processes: 1 });
    try {
      const r = pool.applyAsync(f.sleep, [60, 'done'], { timeout });
      expect(await r.wait(timeout)).toBe(true);
      expect(await r.get(timeout)).toBe('done');
      expect(await pool.apply(f.sleep, [30, 'again'], { timeout })).toBe('again');
    } finally {
      pool.terminate();
      await pool.join();
    }
  });

  it('Pool: a task timeout that is negative or not a number is an ArgumentError at the call, nothing queued', async () => {
    const pool = new Pool({ processes: 1 });
    try {
      expect(() => pool.applyAsync(f.square, [2], { timeout: -1 })).toThrow(ArgumentError);
      await expect(pool.apply(f.square, [2], { timeout: Number.NaN })).rejects.toThrow(ArgumentError);
      expect(await pool.apply(f.square, [3], { timeout: 10_000 })).toBe(9);
    } finally {
      pool.terminate();
      await pool.join();
    }
  });

  it.each(longs)('executor: result/exception(%s), wait and asCompleted with it, map with it', async (timeout) => {
    const ex = new ThreadPoolExecutor({ maxWorkers: 1 });
    try {
      const fut = ex.submit(f.sleep, 60, 'done');
      const { done } = await wait([fut], { timeout });
      expect(done.has(fut)).toBe(true);
      expect(await fut.result(timeout)).toBe('done');
      expect(await fut.exception(timeout)).toBeNull();
      const other = ex.submit(f.sleep, 40, 'two');
      const order: unknown[] = [];
      for await (const g of asCompleted([other], { timeout })) order.push(await g.result());
      expect(order).toEqual(['two']);
      const mapped: unknown[] = [];
      for await (const v of ex.map(f.sleep, [[30, 30], ['a', 'b']], { timeout })) mapped.push(v);
      expect(mapped).toEqual(['a', 'b']);
    } finally {
      await ex.shutdown();
    }
  });
});
