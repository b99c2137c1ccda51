import { afterEach, describe, expect, it } from 'vitest';
import { ArgumentError, Process, StateError } from '@ipc/core';
import { AuthenticationError } from '@ipc/pipe';
import { Empty, Full, Queue } from '@ipc/queue';
import { BrokenBarrierError } from '@ipc/sync';
import { ConditionProxy, ListProxy, Manager, ManagerGoneError, RLockProxy } from '@ipc/shared';
// @ts-expect-error plain JavaScript fixture
import { addManagerValue, appendBurst, connectAndRead, hostManager, useManagerObjects } from './fixtures/tasks.mjs';
// @ts-expect-error plain JavaScript fixture
import { acquireAndEnd, condWaiter } from './fixtures/python-rules.mjs';

const managers: Manager[] = [];
async function start(options?: Parameters<typeof Manager.start>[0]): Promise<Manager> {
  const m = await Manager.start(options);
  managers.push(m);
  return m;
}
afterEach(async () => {
  for (const m of managers.splice(0)) await m.shutdown();
});

// CPython's _test_multiprocessing.py: _TestContainers (test_list, test_dict, test_namespace…).
describe('Manager', () => {
  it('list: Python\'s operations', async () => {
    const m = await start();
    const a = await m.list([5, 6, 7]);
    expect(a).toBeInstanceOf(ListProxy);
    await a.append(8);
    await a.extend([9, 10]);
    await a.insert(0, 4);
    expect(await a.copy()).toEqual([4, 5, 6, 7, 8, 9, 10]);
    expect(await a.length()).toBe(7);
    expect(await a.get(-1)).toBe(10);
    expect(await a.slice(1, 3)).toEqual([5, 6]);
    expect(await a.index(7)).toBe(3);
    expect(await a.count(5)).toBe(1);
    expect(await a.pop()).toBe(10);
    await a.remove(4);
    await a.set(0, 50);
    await a.delete(1);
    await a.reverse();
    expect(await a.toArray()).toEqual([9, 8, 7, 50]);
    await a.sort();
    expect(await a.toArray()).toEqual([7, 8, 9, 50]);
    await expect(a.get(10)).rejects.toThrow(RangeError);
    await expect(a.remove(123)).rejects.toThrow(/not in list/);
    const seen: number[] = [];
    for await (const x of a) seen.push(x);
    expect(seen).toEqual([7, 8, 9, 50]);
    await a.clear();
    expect(await a.length()).toBe(0);
    // Proxies inside a list cross as proxies.
    const outer = await m.list<ListProxy<number>>([a]);
    const inner = await outer.get(0);
    await inner.append(1);
    expect(await a.copy()).toEqual([1]);
  });

  it('list: slices set and deleted, repeated in place (test_list: b *= 2), long extends', async () => {
    const m = await start();
    const b = await m.list<number | string>([0, 1, 2, 3, 4]);
    await b.repeat(2);
    expect(await b.copy()).toEqual([0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
    await b.setSlice(2, 8, ['x']);
    expect(await b.copy()).toEqual([0, 1, 'x', 3, 4]);
    await b.setSlice(-1, undefined, ['y', 'z']);
    expect(await b.copy()).toEqual([0, 1, 'x', 3, 'y', 'z']);
    await b.setSlice(0, 0, [-1]);
    expect(await b.copy()).toEqual([-1, 0, 1, 'x', 3, 'y', 'z']);
    await b.deleteSlice(1, -2);
    expect(await b.copy()).toEqual([-1, 'y', 'z']);
    await b.deleteSlice();
    expect(await b.length()).toBe(0);
    await b.extend([1, 2]);
    await b.repeat(0);
    expect(await b.length()).toBe(0);
    await expect(b.repeat(1.5)).rejects.toThrow(TypeError);
    // A list far longer than a call's arguments can spread.
    await b.extend(Array.from({ length: 300_000 }, (_, i) => i));
    expect(await b.length()).toBe(300_000);
    await b.repeat(2);
    expect(await b.get(-1)).toBe(299_999);
  });

  it('dict and Namespace', async () => {
    const m = await start();
    const d = await m.dict<string, number>({ a: 1 });
    await d.set('b', 2);
    expect(await d.get('a')).toBe(1);
    expect(await d.get('zz', 0)).toBe(0);
    expect(await d.keys()).toEqual(['a', 'b']);
    expect(await d.values()).toEqual([1, 2]);
    expect(await d.items()).toEqual([['a', 1], ['b', 2]]);
    expect(await d.length()).toBe(2);
    expect(await d.has('b')).toBe(true);
    expect(await d.delete('b')).toBe(true);
    await d.update({ c: 3 });
    expect(await d.pop('c')).toBe(3);
    await expect(d.pop('c')).rejects.toThrow(RangeError);
    expect(await d.setDefault('e', 5)).toBe(5);
    expect(await d.copy()).toEqual(new Map([['a', 1], ['e', 5]]));
    await d.set('f', 6);
    expect(await d.popitem()).toEqual(['f', 6]);
    const empty = await m.dict();
    await expect(empty.popitem()).rejects.toThrow(/dictionary is empty/);
    const ns = await m.Namespace<{ x: number; y: string }>({ x: 1 });
    await ns.set('y', 'hello');
    expect(await ns.get('x')).toBe(1);
    expect(await ns.toObject()).toEqual({ x: 1, y: 'hello' });
    await ns.delete('x');
    await expect(ns.get('x')).rejects.toThrow(/no attribute 'x'/);
  });

  it('Value, Array, Queue, sync kinds, with Python\'s errors', async () => {
    const m = await start();
    const v = await m.Value('i', 1);
    await v.set(7);
    expect(await v.get()).toBe(7);
    await expect(v.set(2 ** 40)).rejects.toThrow(RangeError);
    expect(await v.get()).toBe(7);
    const arr = await m.Array('d', [1, 2]);
    await arr.setSlice(0, 2, [3, 4]);
    expect(await arr.toArray()).toEqual([3, 4]);
    const q = await m.Queue<number>(1);
    await q.put(1);
    await expect(q.putNowait(2)).rejects.toThrow(Full);
    expect(await q.get()).toBe(1);
    await expect(q.get({ timeout: 20 })).rejects.toThrow(Empty);
    const lock = await m.Lock();
    expect(await lock.acquire()).toBe(true);
    expect(await lock.acquire({ timeout: 20 })).toBe(false);
    await lock.release();
    await expect(lock.release()).rejects.toThrow(StateError);
    const bsem = await m.BoundedSemaphore(1);
    await expect(bsem.release()).rejects.toThrow(/too many/);
    const barrier = await m.Barrier(2);
    await expect(barrier.wait({ timeout: 20 })).rejects.toThrow(BrokenBarrierError);
    // A wait cancelled by its signal leaves the round (Python's interrupted wait): the barrier is not broken.
    const round = await m.Barrier(2);
    const leaving = new AbortController();
    const left = round.wait({ signal: leaving.signal });
    while ((await round.nWaiting()) < 1) await round.nWaiting();
    leaving.abort(new Error('leave'));
    await expect(left).rejects.toThrow('leave');
    while ((await round.nWaiting()) > 0) await round.nWaiting();
    expect(await round.broken()).toBe(false);
    expect((await Promise.all([round.wait(), round.wait()])).sort()).toEqual([0, 1]);
    const ev = await m.Event();
    expect(await ev.wait({ timeout: 20 })).toBe(false);
    const cond = await m.Condition(await m.Lock());
    await expect(cond.wait({ timeout: 10 })).rejects.toThrow(/un-acquired/);
    await cond.acquire();
    expect(await cond.wait({ timeout: 20 })).toBe(false);
    await cond.release();
    const ac = new AbortController();
    const pending = q.get({ signal: ac.signal });
    ac.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
    await q.put(5);
    expect(await q.get()).toBe(5); // the aborted get took nothing
  });

  for (const context of ['thread', 'process'] as const) {
    it(`every kind is usable from a ${context}`, async () => {
      const m = await start();
      const o = {
        list: await m.list<number>(),
        dict: await m.dict<string, string>(),
        ns: await m.Namespace({ x: 1 }),
        value: await m.Value('i', 1),
        array: await m.Array('i', [1, 2]),
        queue: await m.Queue<string>(),
        jqueue: await m.JoinableQueue<string>(),
        lock: await m.Lock(),
        rlock: await m.RLock(),
        sem: await m.Semaphore(1),
        bsem: await m.BoundedSemaphore(1),
        cond: await m.Condition(),
        event: await m.Event(),
        barrier: await m.Barrier(2),
      };
      await o.jqueue.put('work');
      const p = new Process({ target: useManagerObjects, args: [o], context });
      p.start();
      expect(await o.barrier.wait({ timeout: 10_000 })).toBeGreaterThanOrEqual(0);
      const res = (await p.join()) as { got: string; locked: boolean; index: number };
      expect(p.exitCode).toBe(0);
      expect(res.got).toBe('work');
      expect(res.locked).toBe(true);
      expect(await o.jqueue.join({ timeout: 5000 })).toBe(true);
      expect(await o.list.length()).toBe(1);
      expect(await o.dict.get('from')).toBe('worker');
      expect(await o.ns.get('x')).toBe(2);
      expect(await o.value.get()).toBe(2);
      expect(await o.array.toArray()).toEqual([11, 2]);
      expect(await o.queue.get({ timeout: 1000 })).toBe('hello');
      expect(await o.sem.getValue()).toBe(0);
      expect(await o.event.isSet()).toBe(true);
    });

    it(`a burst of calls from a ${context} and from here, none awaited, is done in each caller's order`, async () => {
      const m = await start();
      const list = await m.list<number>();
      const n = 2_000;
      const p = new Process({ target: appendBurst, args: [list, n, 0], context });
      p.start();
      const burstHere = appendBurst as (list: ListProxy<number>, n: number, base: number) => Promise<{ allUndefined: boolean; bad: string }>;
      const mine = await burstHere(list, n, n);
      const theirs = (await p.join()) as { allUndefined: boolean; bad: string };
      expect(p.exitCode).toBe(0);
      for (const r of [mine, theirs]) expect(r).toEqual({ allUndefined: true, bad: 'RangeError' });
      const items = await list.copy();
      expect(items).toHaveLength(2 * n);
      // Each caller's appends are in its own order, whatever the interleaving.
      expect(items.filter((x) => x < n)).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(items.filter((x) => x >= n)).toEqual(Array.from({ length: n }, (_, i) => n + i));
    });

    it(`S003-10: plus-one and minus-two ${context}s on a manager Value`, async () => {
      const m = await start();
      const value = await m.Value('i', 1);
      const lock = await m.Lock();
      const procs = [
        new Process({ target: addManagerValue, args: [value, lock, 1, 10], context }),
        new Process({ target: addManagerValue, args: [value, lock, -2, 10], context }),
      ];
      for (const p of procs) p.start();
      for (const p of procs) await p.join();
      expect(await value.get()).toBe(1 + 10 - 20);
    });
  }

  for (const context of ['thread', 'process'] as const) {
    it(`a Lock, an RLock or a Condition's lock left held by a ${context} that ended stays locked (any proxy may release the Lock, as Python's) and is taken over by the next acquirer`, async () => {
      const m = await start();
      for (const lock of [await m.Lock(), await m.RLock(), await m.Condition()]) {
        const p = new Process({ target: acquireAndEnd, args: [lock], context });
        p.start();
        expect(await p.join()).toBe(true);
        if (!(lock instanceof ConditionProxy)) expect(await lock.locked()).toBe(true);
        if (lock instanceof RLockProxy) await expect(lock.release()).rejects.toThrow(StateError); // only its holder may
        expect(await lock.acquire({ timeout: 5000 })).toBe(true);
        await lock.release();
      }
    });

    it(`a ${context} killed while it waits on a Condition does not take its lock back: the others go on`, async () => {
      const m = await start();
      const cond = await m.Condition();
      const sleeping = await m.Semaphore(0);
      const woken = await m.Semaphore(0);
      const p = new Process({ target: condWaiter, args: [cond, sleeping, woken, null], context });
      p.start();
      expect(await sleeping.acquire({ timeout: 20_000 })).toBe(true);
      await cond.withLock(() => undefined); // it waits now: only its wait lets the lock go
      p.kill();
      await p.join();
      // Its connection's end is seen at the manager soon after; then a notify finds no one to wake.
      expect(await cond.acquire({ timeout: 5000 })).toBe(true);
      await cond.notifyAll();
      await cond.release();
      expect(await cond.acquire({ timeout: 5000 })).toBe(true);
      await cond.release();
      expect(await woken.getValue()).toBe(0);
    });
  }

  it('a timeout longer than setTimeout can hold (2^31 ms) waits, and null waits for ever (Python\'s None)', async () => {
    const m = await start();
    const ev = await m.Event();
    for (const timeout of [2 ** 32, null]) {
      const waiting = ev.wait({ timeout });
      const first = await Promise.race([waiting, new Promise((resolve) => setTimeout(resolve, 300, 'still waiting'))]);
      expect(first).toBe('still waiting');
      await ev.set();
      expect(await waiting).toBe(true);
      await ev.clear();
    }
    await expect(ev.wait({ timeout: -1 })).rejects.toThrow(ArgumentError);
  });

  it('serves on an address with an authkey; a wrong authkey is refused', async () => {
    const m = await start({ address: ['127.0.0.1', 0], authkey: 'secret' });
    const list = await m.list(['a']);
    await m.publish('items', list);
    const other = await Manager.connect(m.address, { authkey: 'secret' });
    const same = await other.lookup<ListProxy<string>>('items');
    await same.append('b');
    expect(await list.copy()).toEqual(['a', 'b']);
    await other.close();
    await expect(Manager.connect(m.address, { authkey: 'wrong' })).rejects.toThrow(AuthenticationError);
    await expect(m.lookup('nothing')).rejects.toThrow(RangeError);
  });

  it('shutdown: proxies fail with ManagerGoneError, never hang', async () => {
    const m = await Manager.start();
    const q = await m.Queue();
    const waiting = q.get().catch((err: unknown) => err);
    await m.shutdown();
    expect(await waiting).toBeInstanceOf(ManagerGoneError);
    await expect(q.put(1)).rejects.toThrow(ManagerGoneError);
  });

  it('the host process going away: calls fail with ManagerGoneError; another program connects with the authkey', async () => {
    const ready = new Queue<unknown>();
    const host = new Process({ target: hostManager, args: [undefined, 'k3y', ready], context: 'process' });
    host.start();
    try {
      const address = (await ready.get({ timeout: 10_000 })) as string;
      const reader = new Process({ target: connectAndRead, args: [address, 'k3y'], context: 'process' });
      reader.start();
      expect(await reader.join()).toEqual(['hosted']);
      const m = await Manager.connect(address, { authkey: 'k3y' });
      const list = await m.lookup<ListProxy<string>>('items');
      const q = await m.Queue();
      const waiting = q.get().catch((err: unknown) => err);
      host.kill();
      await host.join();
      expect(await waiting).toBeInstanceOf(ManagerGoneError);
      await expect(list.copy()).rejects.toThrow(ManagerGoneError);
      await m.close();
    } finally {
      if (host.isAlive()) host.kill();
      await host.join();
      ready.close();
    }
  });
});
