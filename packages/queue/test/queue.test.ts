import { afterAll, describe, expect, it } from 'vitest';
import { activeChildren, ArgumentError, Process, SerializationError, StateError, type ContextKind } from '@ipc/core';
import { Empty, Full, JoinableQueue, LocalQueue, Queue, SimpleQueue } from '@ipc/queue';
// @ts-expect-error -- plain JS fixture, loaded in the children too
import * as fx from './fixtures/tasks.mjs';
import { drain, start, type Task } from './_helpers.js';

const f = fx as Record<
  'putAll' | 'getN' | 'getSyncThenGet' | 'produce' | 'consume' | 'work' | 'flood' | 'waitForItem' | 'tryPut' | 'inspect' | 'putBurst' | 'getThenHang' | 'qsizes' | 'putEmpty' | 'putThenJoin' | 'cancelThenPut' | 'syncAfterPuts',
  Task
>;

afterAll(() => {
  expect(activeChildren()).toEqual([]);
});



/** What `promise` settles to, or 'timed out' after `ms` (the timer cleared either way). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timed out'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<'timed out'>((resolve) => (timer = setTimeout(() => resolve('timed out'), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

async function timed(fn: () => Promise<unknown>): Promise<[unknown, number]> {
  const t0 = performance.now();
  try {
    return [await fn(), performance.now() - t0];
  } catch (err) {
    return [err, performance.now() - t0];
  }
}

describe('Queue in one thread', () => {
  it('takes its maxsize alone, as Python\'s Queue(maxsize), or in options; anything else is a clear error', async () => {
    for (const q of [new Queue(2), new JoinableQueue(2), new Queue({ maxsize: 2 })]) {
      expect(q.maxsize).toBe(2);
      await q.put(1);
      await q.put(2);
      expect(q.full()).toBe(true);
      await expect(q.put(3, { block: false })).rejects.toThrow(Full);
    }
    expect(new LocalQueue(1).maxsize).toBe(1);
    expect(new Queue(0).maxsize).toBe(0);
    expect(() => new Queue(1.5)).toThrow(/maxsize must be an integer/);
    expect(() => new Queue('3' as never)).toThrow(/new Queue\(3\), new Queue\(\{ maxsize: 3 \}\)/);
    expect(() => new JoinableQueue(null as never)).toThrow(/new JoinableQueue\(3\)/);
    expect(() => new LocalQueue(Number.NaN)).toThrow(ArgumentError);
  });

  it('keeps order, counts, and raises Empty and Full as Python does', async () => {
    const q = new Queue<unknown>({ maxsize: 2 });
    expect(q.empty()).toBe(true);
    await q.put({ a: 1, when: new Date(0), big: 10n ** 20n, m: new Map([[1, 'x']]) });
    q.putNowait('second');
    expect(q.qsize()).toBe(2);
    expect(q.full()).toBe(true);
    expect(() => q.putNowait('third')).toThrow(Full);
    // block: false ignores the timeout
    await expect(q.put('third', { block: false, timeout: 10_000 })).rejects.toThrow(Full);
    expect(await q.get()).toEqual({ a: 1, when: new Date(0), big: 10n ** 20n, m: new Map([[1, 'x']]) });
    expect(q.getNowait()).toBe('second');
    expect(() => q.getNowait()).toThrow(Empty);
    await expect(q.get({ block: false, timeout: 10_000 })).rejects.toThrow(Empty);
    expect(q.qsize()).toBe(0);
  });

  it('times out a get after 0.6× to 10× of the timeout, async and sync, and a put on a full queue', async () => {
    const q = new Queue<number>({ maxsize: 1 });
    const [err, took] = await timed(() => q.get({ timeout: 200 }));
    expect(err).toBeInstanceOf(Empty);
    expect(took).toBeGreaterThanOrEqual(120);
    expect(took).toBeLessThan(2000);
    let t0 = performance.now();
    expect(() => q.getSync({ timeout: 200 })).toThrow(Empty);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(120);
    q.putSync(1);
    t0 = performance.now();
    await expect(q.put(2, { timeout: 200 })).rejects.toThrow(Full);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(120);
    expect(q.qsize()).toBe(1);
  });

  it('refuses bad arguments at the call, changing nothing', async () => {
    const q = new Queue();
    await expect(q.get({ timeout: -1 })).rejects.toThrow(ArgumentError);
    await expect(q.put(1, { timeout: -5 })).rejects.toThrow(ArgumentError);
    expect(() => new Queue({ maxsize: 1.5 })).toThrow(ArgumentError);
    expect(q.qsize()).toBe(0);
  });

  it('fails at put with the path of what cannot be sent, and stays usable', async () => {
    const q = new Queue();
    await expect(q.put({ ok: 1, fn: () => 1 })).rejects.toThrow(SerializationError);
    await expect(q.put({ ok: 1, fn: () => 1 })).rejects.toThrow(/item\.fn/);
    expect(q.qsize()).toBe(0);
    await q.put('fine');
    expect(await q.get()).toBe('fine');
  });

  it('after close(): put and get are errors, joinThread waits for the buffered items', async () => {
    const q = new Queue();
    await q.put(1);
    q.close();
    await expect(q.put(2)).rejects.toThrow(StateError);
    await expect(q.get()).rejects.toThrow(StateError);
    await q.joinThread();
    expect(String(q)).toContain('closed');
  });

  it('aborts a waiting get with the signal’s reason', async () => {
    const q = new Queue();
    const ac = new AbortController();
    const waiting = q.get({ signal: ac.signal });
    ac.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    await q.put('after');
    expect(await q.get()).toBe('after');
  });

  it('buffers puts beyond what the memory holds, as Python’s feeder thread does, and delivers them all in order', async () => {
    const q = new Queue<string>();
    const big = 'x'.repeat(50_000);
    for (let i = 0; i < 100; i++) await q.put(`${i}${big}`); // 5 MB: more than the ring, no consumer yet
    expect(q.qsize()).toBe(100);
    const c = start('thread', f.getN, q, 100);
    const got = (await c.join()) as string[];
    expect(got.map((s) => Number.parseInt(s, 10))).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});

describe.each<ContextKind>(['thread', 'process'])('Queue with a child in the %s context', (context) => {
  it('carries items both ways, sync and async', async () => {
    const q = new Queue();
    const back = new Queue();
    const child = start(context, f.getN, q, 3, true);
    await q.put({ n: 1 });
    q.putSync([2, 'two']);
    await q.put(new Set([3]));
    expect(await child.join()).toEqual([{ n: 1 }, [2, 'two'], new Set([3])]);
    const producer = start(context, f.putAll, back, ['a', 'b']);
    expect(await producer.join()).toBe(2);
    expect([await back.get(), back.getSync()]).toEqual(['a', 'b']);
  });

  it('getSync of an item naming a module the child cannot load at once (top-level await) throws ModuleNotLoadedError and loses nothing: the next get gives it', async () => {
    // @ts-expect-error -- plain JS fixture
    const tla = (await import('./fixtures/tla-item.mjs')) as { marker: () => string };
    const q = new Queue();
    const child = start(context, f.getSyncThenGet, q);
    await q.put({ fn: tla.marker, n: 7 });
    await q.put('after');
    expect(await child.join()).toEqual({ error: { name: 'ModuleNotLoadedError', code: 'ERR_IPC_NOT_LOADED' }, isTask: true, called: 'tla', n: 7, next: 'after' });
  });

  it('gives real back-pressure: a child’s put waits on a full queue and fails with Full after its timeout', async () => {
    const q = new Queue<number>({ maxsize: 2 });
    const child = start(context, f.tryPut, q, 3, 300);
    expect(await child.join()).toEqual(['ok', 'ok', 'Full']);
    expect(q.qsize()).toBe(2);
    expect(q.full()).toBe(true);
  });

  it('sizes and Empty reach the child too', async () => {
    const q = new SimpleQueue();
    await q.put('x');
    await q.put('y');
    const child = start(context, f.inspect, q);
    expect(await child.join()).toEqual({ qsize: 1, now: 'x' });
    expect(await q.get()).toBe('y');
    const again = start(context, f.inspect, q);
    expect(await again.join()).toEqual({ qsize: 0, now: 'Empty' });
  });

  it('a child’s own puts count at once in its qsize() and empty(), as Python’s do (test_qsize, SimpleQueue test_empty)', async () => {
    for (const q of [new Queue(), new Queue({ maxsize: 3 })]) {
      expect(await start(context, f.qsizes, q).join()).toEqual([0, 1, 2, 1, 0]);
      expect(q.qsize()).toBe(0);
    }
    const simple = new SimpleQueue<boolean>();
    await start(context, f.putEmpty, simple).join();
    expect(simple.empty()).toBe(false);
    expect([await simple.get({ timeout: 20_000 }), await simple.get({ timeout: 20_000 })]).toEqual([true, false]);
    expect(simple.empty()).toBe(true);
  });

  it('JoinableQueue: a child’s join() right after its own put waits for that item to be done', async () => {
    const q = new JoinableQueue<string>();
    const [joined, took] = (await start(context, f.putThenJoin, q, 300).join()) as [boolean, number];
    expect(joined).toBe(false);
    expect(took).toBeGreaterThanOrEqual(180);
    expect(took).toBeLessThan(3000);
    expect(await q.get({ timeout: 20_000 })).toBe('task');
    expect(await q.join({ timeout: 0 })).toBe(false);
    q.taskDone();
    // Its next item is done (by this thread) while it joins: the join returns true.
    const child = start(context, f.putThenJoin, q, 20_000);
    expect(await q.get({ timeout: 20_000 })).toBe('task');
    q.taskDone();
    expect(((await child.join()) as [boolean, number])[0]).toBe(true);
  });

  it('JoinableQueue: join() returns once the child has marked every item done', async () => {
    const q = new JoinableQueue<number | null>();
    const out = new Queue<number>();
    const child = start(context, f.work, q, out);
    for (const n of [1, 2, 3]) await q.put(n);
    await q.put(null);
    expect(await q.join({ timeout: 20_000 })).toBe(true);
    expect([await out.get(), await out.get(), await out.get()]).toEqual([2, 4, 6]);
    await child.join();
    expect(() => q.taskDone()).toThrow(StateError);
  });

  it('puts made together travel together and keep their order', async () => {
    const q = new Queue<number | string>({ maxsize: 500 });
    const n = 2000;
    const child = start(context, f.putBurst, q, n);
    const got: (number | string)[] = [];
    for (let i = 0; i <= n; i++) got.push(await q.get({ timeout: 20_000 }));
    expect(typeof (await child.join())).toBe('number');
    expect(got).toEqual([...Array.from({ length: n }, (_, i) => i), 'end']);
  });

  it('a consumer that takes a few items and ends leaves the rest in the queue, in order, none twice', async () => {
    const q = new Queue<number>();
    for (let i = 0; i < 100; i++) await q.put(i);
    const child = start(context, f.getN, q, 5);
    expect(await child.join()).toEqual([0, 1, 2, 3, 4]);
    const rest: number[] = [];
    while (!q.empty()) rest.push(await q.get({ timeout: 20_000 }));
    expect(rest).toEqual(Array.from({ length: 95 }, (_, i) => i + 5));
  });

  it('a consumer killed while it holds items it took but had not handed out loses none of them', async () => {
    const q = new Queue<number>();
    const ready = new Queue<number[]>();
    for (let i = 0; i < 100; i++) await q.put(i);
    const child = start(context, f.getThenHang, q, 10, ready);
    const got = await ready.get({ timeout: 20_000 });
    expect(got).toEqual(Array.from({ length: 10 }, (_, i) => i));
    child.kill();
    await child.join();
    // Nothing is lost. A process consumer's last batch comes back whole (at-least-once for the items it
    // had handed out from it: they were in flight when it died), at the front, in order, once the home sees
    // its connection close — which may be a moment after join(), hence gets that wait; a thread consumer
    // works on the queue itself.
    const rest: number[] = [];
    while (rest.length < 90) rest.push(await q.get({ timeout: 20_000 }));
    rest.push(...(await drain(q, 300)));
    const again = rest.filter((i) => i < 10);
    if (context === 'thread') expect(again).toEqual([]);
    // What comes again is the end of what it had handed out (its last batch began there).
    else if (again.length > 0) expect(again).toEqual(got.slice(10 - again.length));
    expect(rest).toEqual([...again, ...Array.from({ length: 90 }, (_, i) => i + 10)]);
    expect(q.empty()).toBe(true);
  });

  it('a consumer killed while it waits in get() takes no item with it', async () => {
    const q = new Queue<string>();
    const ready = new Queue<string>();
    const child = start(context, f.waitForItem, q, ready);
    expect(await ready.get({ timeout: 20_000 })).toBe('waiting');
    child.kill();
    await child.join();
    await q.put('not lost');
    expect(await q.get({ timeout: 20_000 })).toBe('not lost');
  });
});

describe('cancelJoinThread() (Python’s cancel_join_thread)', () => {
  const pad = 'x'.repeat(1000);
  const isItem = (item: string, i: number): boolean => item === `${i}:${pad}`;

  it('drops nothing while the program runs: the buffer drains in order, and joinThread() no longer waits for it', async () => {
    const q = new Queue<string>();
    const n = 3000; // 3 MB: three times the ring, so most of it is buffered in this thread
    for (let i = 0; i < n; i++) await q.put(`${i}:${pad}`);
    q.cancelJoinThread();
    expect(q.qsize()).toBe(n);
    q.close();
    expect(await within(q.joinThread(), 5_000)).toBeUndefined(); // with no consumer yet
    const got = (await start('thread', f.getN, q, n).join()) as string[];
    expect(got).toHaveLength(n);
    expect(got.every(isItem)).toBe(true);
  });

  it('a thread child that called it ends without waiting for what it put, and the counts forget what it took with it', async () => {
    const q = new Queue<string>();
    const n = 3000; // no consumer: most of it never fits the ring
    const child = start('thread', f.cancelThenPut, q, n, 1000);
    try {
      expect(await within(child.join(), 10_000)).not.toBe('timed out');
    } finally {
      if (child.isAlive()) {
        child.kill();
        await child.join();
      }
    }
    expect(child.exitCode).toBe(0);
    const got = await drain(q, 300);
    expect(got.length).toBeGreaterThan(0);
    expect(got.length).toBeLessThan(n);
    expect(got.every(isItem)).toBe(true); // what the ring holds: the first items, in order
    expect(q.qsize()).toBe(0);
  });
});

describe('maxsize between threads', () => {
  it('is never passed while four producer threads fill the queue and one consumer empties it', async () => {
    const maxsize = 8;
    const n = 2000;
    const q = new Queue<string | null>({ maxsize });
    const producers = [0, 1, 2, 3].map((id) => start('thread', f.produce, q, `t${id}`, n, id % 2 === 1));
    let nulls = 0;
    let items = 0;
    let most = 0;
    while (nulls < 4) {
      most = Math.max(most, q.qsize());
      const item = await q.get({ timeout: 20_000 });
      if (item === null) nulls++;
      else items++;
    }
    await Promise.all(producers.map((p) => p.join()));
    expect(items).toBe(4 * n);
    expect(most).toBeLessThanOrEqual(maxsize);
    expect(q.qsize()).toBe(0);
  });
});

describe('many producers and consumers, threads and processes at once', () => {
  it('delivers every item exactly once and keeps each producer’s order', async () => {
    const q = new Queue<string | null>({ maxsize: 50 });
    const n = 300;
    const producers = [
      start('thread', f.produce, q, 't1', n, false),
      start('thread', f.produce, q, 't2', n, true),
      start('process', f.produce, q, 'p1', n, false),
      start('process', f.produce, q, 'p2', n, true),
    ];
    const consumers = [start('thread', f.consume, q, 1), start('thread', f.consume, q, 1), start('process', f.consume, q, 1), start('process', f.consume, q, 1)];
    await Promise.all(producers.map((p) => p.join()));
    const lists = (await Promise.all(consumers.map((c) => c.join()))) as string[][];
    const all = lists.flat();
    expect(all).toHaveLength(4 * n);
    expect(new Set(all).size).toBe(4 * n);
    const kinds = ['thread', 'thread', 'process', 'process'];
    lists.forEach((list, c) => {
      const last = new Map<string, number>();
      list.forEach((item, at) => {
        const [id, i] = item.split(':') as [string, string];
        // Said in full when it fails (seen once in a CI run under full load, not reproduced since): which producer, which consumer, where.
        expect(Number(i), `${id}:${i} after ${id}:${String(last.get(id))} at #${at} of consumer ${c} (${kinds[c]}); around it: ${list.slice(Math.max(0, at - 5), at + 3).join(' ')}`).toBeGreaterThan(last.get(id) ?? -1);
        last.set(id, Number(i));
      });
    });
    expect(producers.every((p) => p.exitCode === 0) && consumers.every((c) => c.exitCode === 0)).toBe(true);
  });
});

describe('batches between processes', () => {
  it('a producer process puts many more items than a batch holds to an unbounded queue: all arrive, once, in order', async () => {
    const q = new Queue<string | null>();
    const n = 5000;
    const producer = start('process', f.produce, q, 'p', n, false);
    const got: (string | null)[] = [];
    for (let i = 0; i <= n; i++) got.push(await q.get({ timeout: 20_000 }));
    await producer.join();
    expect(got).toEqual([...Array.from({ length: n }, (_, i) => `p:${i}`), null]);
    expect(producer.exitCode).toBe(0);
  });

  it('a fast consumer process killed after thousands of items loses none; only its last batch may come again', async () => {
    const q = new Queue<number>();
    const ready = new Queue<number[]>();
    const n = 5000;
    const taken = 3000;
    for (let i = 0; i < n; i++) q.putNowait(i);
    const child = start('process', f.getThenHang, q, taken, ready);
    const got = await ready.get({ timeout: 20_000 });
    expect(got).toEqual(Array.from({ length: taken }, (_, i) => i));
    child.kill();
    await child.join();
    // The home takes the child's last batch back once it sees its connection close: gets that wait for it.
    const rest: number[] = [];
    while (rest.length < n - taken) rest.push(await q.get({ timeout: 20_000 }));
    rest.push(...(await drain(q, 500)));
    expect(new Set(rest).size).toBe(rest.length); // none twice in what is left
    expect(new Set([...got, ...rest]).size).toBe(n); // none lost
    const again = rest.filter((i) => i < taken);
    expect(again.length).toBeLessThanOrEqual(1024); // at most one batch handed out twice
    if (again.length > 0) expect(Math.min(...again)).toBe(taken - again.length); // the end of what it had taken
  });
});

describe('sync calls in a process that also puts (Python’s feeder thread sends while the caller blocks)', () => {
  it('a putSync comes after the puts before it, a getSync finds the process’s own item, and a put to another queue reaches its reader while the process blocks', async () => {
    const q = new Queue<number | string>();
    const ready = new Queue<string>();
    const go = new Queue<string>();
    const child = start('process', f.syncAfterPuts, q, ready, go);
    try {
      expect(await ready.get({ timeout: 10_000 })).toBe('ready'); // the child blocks in getSync meanwhile
      expect([await q.get({ timeout: 10_000 }), await q.get({ timeout: 10_000 }), await q.get({ timeout: 10_000 })]).toEqual([1, 2, 'sync']);
      await go.put('go');
      expect(await child.join()).toEqual([0, 'go']);
    } finally {
      if (child.isAlive()) {
        child.kill();
        await child.join();
      }
    }
    expect(await drain(q, 300)).toEqual([]);
    expect(await drain(go, 300)).toEqual([]);
  });

  it('an item a process took with getSync just before it ended is not delivered again', async () => {
    const q = new Queue<string>();
    // Its helper thread's acknowledgement could be lost with the process: the home then gave the item back (half the time).
    for (let round = 0; round < 6; round++) {
      await q.put(`item ${round}`);
      expect(await start('process', f.getN, q, 1, true).join()).toEqual([`item ${round}`]);
      expect(await drain(q, 200)).toEqual([]);
    }
  });
});

describe('a producer that dies mid-flow', () => {
  it.each<[ContextKind, 'kill' | 'terminate', number]>([
    ['process', 'kill', 20],
    ['process', 'kill', 0],
    ['thread', 'terminate', 20],
  ])('%s producer, %s(), maxsize %i: what the queue accepted arrives once, in order, uncorrupted', async (context, how, maxsize) => {
    const q = new Queue<string>({ maxsize });
    const producer = start(context, f.flood, q);
    const got: string[] = [];
    while (got.length < 200) got.push(await q.get({ timeout: 20_000 }));
    producer[how]();
    await producer.join();
    got.push(...(await drain(q, 300)));
    got.forEach((item, i) => expect(item).toBe(`${i}:${(i * 7919) % 65_521}`));
    expect(q.qsize()).toBe(0);
  });
});

describe('LocalQueue (Python’s queue.Queue)', () => {
  it('works in its thread and refuses to cross, naming itself at start()', async () => {
    const q = new LocalQueue<number>({ maxsize: 1 });
    const waiting = q.get();
    await q.put(1);
    expect(await waiting).toBe(1);
    q.putNowait(2);
    expect(() => q.putNowait(3)).toThrow(Full);
    await expect(q.put(3, { timeout: 50 })).rejects.toThrow(Full);
    expect(q.getNowait()).toBe(2);
    q.taskDone();
    q.taskDone();
    expect(() => q.taskDone()).toThrow(StateError);
    expect(await q.join()).toBe(true);
    const p = new Process({ target: f.getN, args: [q, 1] });
    expect(() => p.start()).toThrow(SerializationError);
    expect(() => p.start()).toThrow(/args\[0\].*LocalQueue/);
  });

  it('consumer tasks racing for items each get a real one, and racing putters never pass maxsize (test_queue.py queue_join_test)', async () => {
    // A get that saw an item and took it a step later could find it gone (taken by another task) and return undefined.
    const q = new LocalQueue<number>();
    let sum = 0;
    const got: unknown[] = [];
    const worker = async (): Promise<void> => {
      for (;;) {
        const x = await q.get({ timeout: 5_000 });
        got.push(x);
        if (x < 0) return q.taskDone();
        sum += x;
        q.taskDone();
      }
    };
    const workers = [worker(), worker()].map((w) => w.catch((err: unknown) => err));
    for (let i = 0; i < 100; i++) await q.put(i);
    expect(await q.join({ timeout: 5_000 })).toBe(true);
    expect(sum).toBe(4950);
    await q.put(-1);
    await q.put(-1);
    expect(await q.join({ timeout: 5_000 })).toBe(true); // joins twice
    expect(await Promise.all(workers)).toEqual([undefined, undefined]);
    expect(got).toHaveLength(102);
    expect(got.filter((x) => typeof x !== 'number')).toEqual([]);
    expect(() => q.taskDone()).toThrow(StateError);

    const small = new LocalQueue<string>({ maxsize: 1 });
    small.putNowait('a');
    const waiting = small.put('b', { timeout: 5_000 }); // woken by the get below, and overtaken by a newcomer
    expect(small.getNowait()).toBe('a');
    await small.put('c', { timeout: 5_000 });
    expect(small.qsize()).toBe(1); // 'b' waits again for room
    expect(small.getNowait()).toBe('c');
    await waiting;
    expect(small.qsize()).toBe(1);
    expect(small.getNowait()).toBe('b');
  });
});
