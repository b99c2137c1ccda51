import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { activeChildren, ArgumentError, SerializationError, StateError, TaskReferenceError, TimeoutError, type ContextKind } from '@ipc/core';
import { ALL_COMPLETED, BrokenPoolError, CancelledError, FIRST_COMPLETED, FIRST_EXCEPTION, Pool, ProcessPoolExecutor, ThreadPoolExecutor, asCompleted, autoChunksize, wait, type TaskEvent } from '@ipc/pool';
// @ts-expect-error -- plain JS fixture, loaded in the workers too
import * as fx from './fixtures/tasks.mjs';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixtures take what the tests give them
type Task = (...args: any[]) => any;
const f = fx as Record<'square' | 'add' | 'fail' | 'sleep' | 'whoAmI' | 'dieHard' | 'exitThread' | 'init' | 'initState' | 'badInit' | 'obeysAbort' | 'timersWork' | 'byteLength' | 'notATask' | 'doomAt' | 'same' | 'later' | 'shapeShift', Task>;

const execFileP = promisify(execFile);

afterAll(() => {
  expect(activeChildren()).toEqual([]);
});

describe.each<ContextKind>(['thread', 'process'])('Pool in the %s context', (context) => {
  it('apply, applyAsync with callbacks, map, starmap, imap, imapUnordered — results in submission order', async () => {
    await using pool = new Pool({ processes: 2, context });
    expect(await pool.apply(f.add, [2, 3])).toBe(5);
    const seen: unknown[] = [];
    const results = [1, 2, 3, 4, 5].map((x) => pool.applyAsync(f.square, [x], { callback: (v) => seen.push(v) }));
    expect(await Promise.all(results.map((r) => r.get()))).toEqual([1, 4, 9, 16, 25]);
    expect(seen.sort((a, b) => (a as number) - (b as number))).toEqual([1, 4, 9, 16, 25]);
    expect(results.every((r) => r.ready() && r.successful())).toBe(true);
    const many = Array.from({ length: 100 }, (_, i) => i);
    expect(await pool.map(f.square, many)).toEqual(many.map((x) => x * x));
    expect(await pool.map(f.square, [1, 2, 3], 1)).toEqual([1, 4, 9]);
    expect(await pool.mapAsync(f.square, [1, 2, 3]).get()).toEqual([1, 4, 9]);
    expect(await pool.map(f.square, [])).toEqual([]);
    expect(await pool.starmap(f.add, [[1, 2], [3, 4]])).toEqual([3, 7]);
    const ordered: number[] = [];
    for await (const v of pool.imap(f.square, [1, 2, 3, 4], 2)) ordered.push(v as number);
    expect(ordered).toEqual([1, 4, 9, 16]);
    const unordered: number[] = [];
    for await (const v of pool.imapUnordered(f.square, [1, 2, 3, 4])) unordered.push(v as number);
    expect(unordered.sort((a, b) => a - b)).toEqual([1, 4, 9, 16]);
  });

  it('map carries long arrays of numbers exactly both ways (-0, NaN, ±Infinity, floats, int32 edges) and mixed items as they are', async () => {
    await using pool = new Pool({ processes: 2, context });
    const edge = [0, -0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 0.1, NaN, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE];
    const floats = Array.from({ length: 3_000 }, (_, i) => edge[i % edge.length]!);
    const back = (await pool.map(f.same, floats)) as number[];
    expect(back).toHaveLength(floats.length);
    back.forEach((v, i) => expect(Object.is(v, floats[i])).toBe(true));
    const ints = Array.from({ length: 5_000 }, (_, i) => i - 2_500);
    expect(await pool.map(f.same, ints, 1_000)).toEqual(ints);
    const mixed = Array.from({ length: 600 }, (_, i) => (i % 3 === 0 ? `s${i}` : i % 3 === 1 ? i : { i }));
    expect(await pool.map(f.same, mixed)).toEqual(mixed);
    expect(await pool.map(f.later, ints.slice(0, 700))).toEqual(ints.slice(0, 700).map((x) => x * 2));
  });

  it('tiny tasks of numbers carry every number exactly, alone, in bursts, beside other tasks in one batch, and with many arguments', async () => {
    await using pool = new Pool({ processes: 2, context });
    const edge = [0, -0, 1, -1, 2 ** 53, -(2 ** 53) - 2, 0.1, NaN, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 31];
    for (const x of edge) expect(Object.is(await pool.apply(f.same, [x]), x)).toBe(true);
    // A burst: thousands in one turn (frames of their own size), with other kinds of tasks among them.
    const burst = Array.from({ length: 5_000 }, (_, i) => (i % 997 === 5 ? pool.applyAsync(f.same, [`s${i}`]) : pool.applyAsync(f.same, [edge[i % edge.length]!])));
    const got = await Promise.all(burst.map((r) => r.get()));
    got.forEach((v, i) => expect(Object.is(v, i % 997 === 5 ? `s${i}` : edge[i % edge.length])).toBe(true));
    // Many arguments, and results that are not numbers.
    const many = Array.from({ length: 600 }, (_, i) => i / 7);
    expect(await pool.apply(f.add, many)).toBe(many[0]! + many[1]!);
    expect(await pool.apply(f.shapeShift, [900])).toBe('nine hundred');
    expect(await pool.apply(f.shapeShift, [920])).toBe(1840); // a promise, awaited in the worker
    await expect(pool.apply(f.fail, ['boom'])).rejects.toThrow('boom');
  });

  it('a chunk of numbers whose results turn into floats, -0, other values and promises comes back exact, whatever the chunking', async () => {
    await using pool = new Pool({ processes: 2, context });
    const items = Array.from({ length: 1_200 }, (_, i) => i);
    const expected = items.map((x) => (x < 300 ? x : x < 600 ? x + 0.5 : x === 600 ? -0 : x < 900 ? x : x === 900 ? 'nine hundred' : x < 950 ? x * 2 : x));
    for (const chunksize of [1_200, 400, 250, undefined]) {
      const back = await pool.map(f.shapeShift, items, chunksize);
      expect(back).toHaveLength(items.length);
      back.forEach((v, i) => expect(Object.is(v, expected[i])).toBe(true));
    }
    const got: unknown[] = [];
    for await (const v of pool.imap(f.shapeShift, items, 600)) got.push(v);
    got.forEach((v, i) => expect(Object.is(v, expected[i])).toBe(true));
    // Longer than one automatic chunk (MAX_AUTO_CHUNKSIZE): in order, every item once.
    const long = Array.from({ length: 40_000 }, (_, i) => i * 3);
    expect(await pool.map(f.same, long)).toEqual(long);
  });

  it('arguments and results keep their exact shape whatever they look like (no value is taken for a packed or plain form)', async () => {
    await using pool = new Pool({ processes: 2, context });
    const lookalikes: unknown[] = [
      { packed: new Int32Array([1, 2]) },
      { packed: [1, 2] },
      new Int32Array(300).fill(7),
      Array.from({ length: 300 }, (_, i) => i),
      { a: -0, b: undefined, c: [null, true, 'é', 2n ** 70n], d: { e: { f: 1.5 } } },
      [{ x: 1 }, [2, [3]]],
      new Uint8Array([254, 1, 2]),
      new Map([[1, { y: 2 }]]),
      new Date(86_400_000),
      [new Set(['s'])],
    ];
    for (const v of lookalikes) {
      const back = await pool.apply(f.same, [v]);
      expect(back).toStrictEqual(v);
      if (typeof v === 'object' && v !== null && 'a' in v) expect(Object.is((back as { a: number }).a, -0)).toBe(true);
    }
    expect(await pool.map(f.same, lookalikes, 3)).toStrictEqual(lookalikes);
    // A copy is made at the call: a change made afterwards does not reach the worker.
    const arg = { n: 1 };
    const pending = pool.apply(f.same, [arg]);
    arg.n = 2;
    expect(await pending).toStrictEqual({ n: 1 });
  });

  it('counts what it did (stats) and reports each task as it is handed out and as it ends', async () => {
    await using pool = new Pool({ processes: 2, context });
    const started: number[] = [];
    const ended: number[] = [];
    pool.on('taskStart', (e) => started.push(e.task));
    pool.on('task', (e) => ended.push(e.task));
    await Promise.all([1, 2, 3, 4, 5].map((x) => pool.apply(f.square, [x])));
    await expect(pool.apply(f.fail, ['x'])).rejects.toThrow(RangeError);
    expect(pool.stats()).toEqual({ submitted: 6, running: 0, queued: 0, completed: 5, failed: 1, cancelled: 0, workers: 2 });
    expect(started.sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(ended.sort()).toEqual([0, 1, 2, 3, 4, 5]);
    const slow = pool.apply(f.sleep, [10_000, 'late']).catch((e: unknown) => e);
    pool.terminate();
    expect(await slow).toBeInstanceOf(CancelledError);
    expect(pool.stats()).toMatchObject({ submitted: 7, cancelled: 1 });
  });

  it('errors come back with their class; errorCallback; successful() is false', async () => {
    await using pool = new Pool({ processes: 1, context });
    const seen: unknown[] = [];
    const r = pool.applyAsync(f.fail, ['boom'], { errorCallback: (e) => seen.push(e) });
    await expect(r.get()).rejects.toThrow(RangeError);
    await expect(r.get()).rejects.toThrow('boom');
    expect(r.successful()).toBe(false);
    expect(seen[0]).toBeInstanceOf(RangeError);
    await expect(pool.map(f.fail, ['x'])).rejects.toThrow(RangeError);
    expect(await pool.apply(f.add, [1, 1])).toBe(2); // the worker is fine
  });

  it('a function that cannot be found fails at the call, saying how to fix it (S001-6)', async () => {
    await using pool = new Pool({ processes: 1, context });
    expect(() => pool.applyAsync(f.notATask, [1])).toThrow(TaskReferenceError);
    expect(() => pool.applyAsync(f.notATask, [1])).toThrow(/task\(import\.meta\.url/);
    expect(() => pool.applyAsync(f.square, [() => 1])).toThrow(SerializationError);
    expect(() => pool.applyAsync(f.square, [() => 1])).toThrow(/args\[0\]/);
  });

  it('runs the initializer once per worker; maxtasksperchild replaces workers', async () => {
    await using pool = new Pool({ processes: 2, context, initializer: f.init, initargs: ['ready'] });
    const states = await Promise.all(Array.from({ length: 6 }, () => pool.apply(f.initState)));
    expect(states.every((s) => s.initialized === 1 && s.initValue === 'ready')).toBe(true);
    await using renewing = new Pool({ processes: 1, context, maxtasksperchild: 2 });
    const ids: { name: string; pid: number; threadId: number }[] = [];
    for (let i = 0; i < 6; i++) ids.push((await renewing.apply(f.whoAmI)) as { name: string; pid: number; threadId: number });
    const distinct = new Set(ids.map((w) => (context === 'process' ? w.pid : w.threadId)));
    expect(distinct.size).toBe(3);
    expect(new Set(ids.map((w) => w.name)).size).toBe(3);
    expect(ids[0]!.name).toMatch(/^PoolWorker-\d+$/);
  });

  it('a worker that dies mid-task fails that task with BrokenPoolError and is replaced; nothing hangs', async () => {
    await using pool = new Pool({ processes: 2, context });
    const doomed = pool.apply(context === 'process' ? f.dieHard : f.exitThread);
    const others = Array.from({ length: 20 }, (_, i) => pool.apply(f.square, [i]));
    await expect(doomed).rejects.toThrow(BrokenPoolError);
    expect(await Promise.all(others)).toEqual(Array.from({ length: 20 }, (_, i) => i * i));
    expect(await pool.apply(f.add, [20, 22])).toBe(42);
  });

  it.each(['SIGKILL', 'exit'])('a worker that dies (%s) amid hundreds of pipelined tasks fails exactly the task that killed it', async (how) => {
    await using pool = new Pool({ processes: 2, context });
    const doom = 150;
    const outcomes = await Promise.allSettled(Array.from({ length: 400 }, (_, i) => pool.apply(f.doomAt, [i, doom, how])));
    outcomes.forEach((o, i) => {
      if (i === doom) {
        expect(o.status).toBe('rejected');
        expect((o as PromiseRejectedResult).reason).toBeInstanceOf(BrokenPoolError);
        expect(String((o as PromiseRejectedResult).reason.message)).toMatch(how === 'SIGKILL' && context === 'process' ? /killed by SIGKILL/ : /exit code 7/);
      } else expect(o).toEqual({ status: 'fulfilled', value: i + 1 });
    });
  });

  it('killWorker(id) ends a worker from outside as a crash would: the task it was running runs again, alone, and completes', async () => {
    await using pool = new Pool({ processes: 1, context });
    const started = new Promise<number>((resolve) => pool.on('taskStart', (e) => resolve(e.workerId)));
    const slow = pool.apply(f.sleep, [200, 'done']);
    const id = await started;
    expect(pool.killWorker(id)).toBe(true);
    expect(await slow).toBe('done');
    expect(pool.killWorker(id)).toBe(false); // gone: nothing else is touched
    expect(pool.stats()).toMatchObject({ completed: 1, failed: 0, workers: 1 });
    expect(await pool.apply(f.add, [20, 22])).toBe(42);
  });

  it('a program whose only work is a pool ends by itself once the pool is disposed or joined (no unsettled await)', async () => {
    const { stdout } = await execFileP(process.execPath, [fileURLToPath(new URL('./fixtures/dispose-program.mjs', import.meta.url)), context], { timeout: 20_000 });
    expect(stdout.trim().split('\n')).toEqual(['[1,4,9]', 'callback 16', 'joined']);
  });

  it('a failing initializer breaks the pool with BrokenPoolError instead of restarting for ever', async () => {
    await using pool = new Pool({ processes: 1, context, initializer: f.badInit });
    await expect(pool.apply(f.square, [2])).rejects.toThrow(BrokenPoolError);
    await expect(pool.apply(f.square, [2])).rejects.toThrow(/init failed/);
  });

  it('per-task signal and timeout: the task sees its signal; one that ignores it loses its worker', async () => {
    await using pool = new Pool({ processes: 1, context });
    const ac = new AbortController();
    const obeying = pool.apply(f.obeysAbort, [false], { signal: ac.signal });
    setTimeout(() => ac.abort(new Error('stop it')), 50);
    await expect(obeying).rejects.toThrow('stop it');
    const t0 = performance.now();
    await expect(pool.apply(f.obeysAbort, [true], { timeout: 100 })).rejects.toThrow(TimeoutError);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(60);
    expect(await pool.apply(f.add, [1, 2])).toBe(3); // after the grace period, a fresh worker
  });

  it('the worker’s event loop runs timers and promises; long tasks go to the first free worker (S004-9)', async () => {
    await using pool = new Pool({ processes: 2, context });
    expect(await pool.apply(f.timersWork)).toBe(true);
    const events: TaskEvent[] = [];
    pool.on('task', (e) => events.push(e));
    await Promise.all([pool.apply(f.sleep, [200]), pool.apply(f.sleep, [200]), pool.apply(f.sleep, [50])]);
    const byStart = [...events].sort((a, b) => a.start - b.start);
    const third = byStart[2]!;
    // The third starts only when one of the first two has finished.
    expect(third.start).toBeGreaterThanOrEqual(Math.min(byStart[0]!.end, byStart[1]!.end) - 5);
    expect(new Set(events.map((e) => e.worker)).size).toBe(2);
  });

  it('close, join, terminate follow Python’s rules', async () => {
    const pool = new Pool({ processes: 2, context });
    await expect(pool.join()).rejects.toThrow(StateError);
    const r = pool.applyAsync(f.sleep, [50, 'done']);
    pool.close();
    expect(() => pool.applyAsync(f.square, [1])).toThrow(StateError);
    await pool.join();
    expect(await r.get()).toBe('done');
    const t = new Pool({ processes: 1, context });
    const pending = t.apply(f.sleep, [10_000]);
    t.terminate();
    await expect(pending).rejects.toThrow(CancelledError);
    await t.join();
  });
});

describe('Pool details', () => {
  it('an AsyncResult waited on by several get()s and wait()s before it ends gives each the value (or the error)', async () => {
    await using pool = new Pool({ processes: 1 });
    const r = pool.applyAsync(f.sleep, [100, 'late']);
    const waits = [r.get(), r.get(), r.wait(), r.get(10_000)];
    expect(await Promise.all(waits)).toEqual(['late', 'late', true, 'late']);
    const bad = pool.applyAsync(f.fail, ['boom']);
    const failures = await Promise.allSettled([bad.get(), bad.get(), bad.get(10_000)]);
    expect(failures.map((x) => x.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const x of failures) expect(((x as PromiseRejectedResult).reason as Error).message).toContain('boom');
  });

  it('a callback never runs inside the call that submitted its task, however soon the answer comes', async () => {
    await using pool = new Pool({ processes: 1 });
    // Warm: the pool now expects answers within µs, and watches for them instead of sleeping.
    for (let i = 0; i < 300; i++) await pool.apply(f.square, [i]);
    let inside = false;
    let ranInside = 0;
    let ran = 0;
    const callback = (): void => {
      ran++;
      if (inside) ranInside++;
    };
    for (let i = 0; i < 100; i++) {
      inside = true;
      const buf = new ArrayBuffer(8);
      const results = [pool.applyAsync(f.square, [i], { callback }), pool.applyAsync(f.byteLength, [buf], { transfer: [buf], callback })];
      inside = false;
      await Promise.all(results.map((r) => r.get()));
    }
    expect(ran).toBe(200);
    expect(ranInside).toBe(0);
  });

  it('moves a transferred ArrayBuffer to a thread worker without a copy', async () => {
    await using pool = new Pool({ processes: 1 });
    const buf = new ArrayBuffer(1024);
    const r = pool.applyAsync(f.byteLength, [buf], { transfer: [buf] });
    expect(buf.byteLength).toBe(0); // detached here: it moved
    expect(await r.get()).toBe(1024);
  });

  it('uses Python’s automatic chunksize', () => {
    expect(autoChunksize(100, 2)).toBe(13);
    expect(autoChunksize(8, 2)).toBe(1);
    expect(autoChunksize(0, 4)).toBe(0);
    // Capped, so that a chunk's arrays stay out of V8's large-object space (Python would make 125,000).
    expect(autoChunksize(1_000_000, 2)).toBe(15_000);
  });

  it('refuses bad options', () => {
    expect(() => new Pool({ processes: 0 })).toThrow(ArgumentError);
    expect(() => new Pool({ maxtasksperchild: 0 })).toThrow(ArgumentError);
    expect(() => new Pool({ context: 'fiber' as ContextKind })).toThrow(ArgumentError);
  });

  it('AsyncResult.get(timeout) rejects with TimeoutError within bounds; successful() before ready is an error', async () => {
    await using pool = new Pool({ processes: 1 });
    const r = pool.applyAsync(f.sleep, [1000]);
    expect(() => r.successful()).toThrow(StateError);
    const t0 = performance.now();
    await expect(r.get(100)).rejects.toThrow(TimeoutError);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(60);
    expect(await r.wait(10)).toBe(false);
  });
});

describe.each([
  ['ThreadPoolExecutor', () => new ThreadPoolExecutor({ maxWorkers: 2 })],
  ['ProcessPoolExecutor', () => new ProcessPoolExecutor({ maxWorkers: 2 })],
] as const)('%s', (_, make) => {
  it('submit → Future: result, exception, done callbacks, running/done states (S000-2)', async () => {
    await using ex = make();
    const fut = ex.submit(f.sleep, 30, 'Done Sleeping');
    const called: unknown[] = [];
    fut.addDoneCallback((x) => called.push(x.done()));
    expect(await fut.result()).toBe('Done Sleeping');
    expect(fut.done() && !fut.running() && !fut.cancelled()).toBe(true);
    expect(called).toEqual([true]);
    const bad = ex.submit(f.fail, 'bad');
    expect(await bad.exception()).toBeInstanceOf(RangeError);
    await expect(bad.result()).rejects.toThrow('bad');
    await expect(ex.submit(f.sleep, 1000).result(50)).rejects.toThrow(TimeoutError);
  });

  it('cancel() works only before a future starts; wait() and asCompleted()', async () => {
    await using ex = make();
    const busy = [ex.submit(f.sleep, 300, 1), ex.submit(f.sleep, 300, 2)];
    const queued = ex.submit(f.sleep, 10, 3);
    expect(queued.cancel()).toBe(true);
    expect(queued.cancelled()).toBe(true);
    await expect(queued.result()).rejects.toThrow(CancelledError);
    const fast = ex.submit(f.sleep, 10, 'fast');
    const first = await wait([...busy, fast], { returnWhen: FIRST_COMPLETED });
    expect(first.done.size).toBeGreaterThanOrEqual(1);
    const failing = ex.submit(f.fail, 'x');
    const slowOne = ex.submit(f.sleep, 300);
    const exc = await wait([failing, slowOne], { returnWhen: FIRST_EXCEPTION });
    expect(exc.done.has(failing)).toBe(true);
    const all = await wait([...busy, slowOne], { returnWhen: ALL_COMPLETED });
    expect(all.notDone.size).toBe(0);
    const order: unknown[] = [];
    for await (const fut of asCompleted([ex.submit(f.sleep, 150, 'slow'), ex.submit(f.sleep, 10, 'quick')])) order.push(await fut.result());
    expect(order).toEqual(['quick', 'slow']);
    await expect(
      (async () => {
        for await (const _ of asCompleted([ex.submit(f.sleep, 2000)], { timeout: 50 })) void _;
      })(),
    ).rejects.toThrow(TimeoutError);
  });

  it('map in order; shutdown refuses new work and can cancel what has not started', async () => {
    const ex = make();
    const out: unknown[] = [];
    for await (const v of ex.map(f.add, [[1, 2, 3], [10, 20, 30]])) out.push(v);
    expect(out).toEqual([11, 22, 33]);
    // After the map's tiny tasks the pool pipelines: two tasks could go to one worker while the other is still starting.
    // A task of some length first makes the pool hand tasks out one at a time, so each of these has a worker of its own.
    expect(await ex.submit(f.sleep, 30, 'slow enough').result()).toBe('slow enough');
    const running = [ex.submit(f.sleep, 200, 'a'), ex.submit(f.sleep, 200, 'b')];
    // Both workers have taken one (a worker that is still starting has not).
    for (let i = 0; i < 2000 && !running.every((r) => r.running() || r.done()); i++) await new Promise((r) => setTimeout(r, 5));
    const waiting = ex.submit(f.sleep, 200, 'c');
    await ex.shutdown({ cancelFutures: true });
    expect(waiting.cancelled()).toBe(true);
    expect(await Promise.all(running.map((r) => r.result()))).toEqual(['a', 'b']);
    expect(() => ex.submit(f.square, 1)).toThrow(StateError);
  });
});
