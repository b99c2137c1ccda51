import { afterAll, describe, expect, it } from 'vitest';
import { activeChildren, ArgumentError, Process, SerializationError, StateError, Thread, type ContextKind } from '@ipc/core';
import { Barrier, BoundedSemaphore, BrokenBarrierError, Condition, Event, Lock, RLock, Semaphore } from '@ipc/sync';
import { start, until, type Task } from './_helpers.js';
// @ts-expect-error -- plain JS fixture, loaded in the children too
import * as fx from './fixtures/tasks.mjs';

const f = fx as Record<'tryLock' | 'holdForever' | 'releaseOthers' | 'usePermits' | 'waitOnce' | 'waitEvent' | 'waitEventEntered' | 'passBarrier' | 'barrierOutcome' | 'setIt' | 'ownership' | 'recursionCount' | 'holdTwiceCounting' | 'waitEventAnnounced', Task>;

afterAll(() => {
  expect(activeChildren()).toEqual([]);
});



describe("timeouts of null (Python's None)", () => {
  it('acquire({ block: false, timeout: null }) tries once, as multiprocessing\'s acquire(False, None)', async () => {
    const lock = new Lock();
    expect(await lock.acquire({ block: false, timeout: null })).toBe(true);
    expect(lock.acquireSync({ block: false, timeout: null })).toBe(false);
    lock.release();
  });

  it("Barrier.wait({ timeout: null }) takes the barrier's default timeout, as Python's wait(None)", async () => {
    const b = new Barrier(2, { timeout: 100 });
    const t0 = performance.now();
    await expect(b.wait({ timeout: null })).rejects.toThrow(BrokenBarrierError);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(60);
    const none = new Barrier(1, { timeout: null });
    expect(await none.wait()).toBe(0);
  });
});

describe('async waiters of this same thread are woken without a turn of the event loop', () => {
  /** Whether `waiting` settles, after `wake()`, before a setImmediate queued now runs. */
  async function beforeNextTurn(waiting: Promise<unknown>, wake: () => void): Promise<boolean> {
    let turned = false;
    setImmediate(() => (turned = true));
    wake();
    await waiting;
    return !turned;
  }

  it('Event.set, Lock.release, Semaphore.release, Condition.notify', async () => {
    const e = new Event();
    const waiting = e.wait();
    await Promise.resolve();
    expect(await beforeNextTurn(waiting, () => e.set())).toBe(true);
    const lock = new Lock();
    await lock.acquire();
    const next = lock.acquire();
    await Promise.resolve();
    expect(await beforeNextTurn(next, () => lock.release())).toBe(true);
    lock.release();
    const sem = new Semaphore(0);
    const permit = sem.acquire();
    await Promise.resolve();
    expect(await beforeNextTurn(permit, () => sem.release())).toBe(true);
    const cond = new Condition();
    await cond.acquire();
    const notified = cond.wait();
    // The waiter has let the lock go: take it, notify, give it back for the waiter to take.
    await cond.acquire();
    cond.notify();
    cond.release();
    expect(await notified).toBe(true);
    cond.release();
  });
});

describe('Lock and RLock in one thread', () => {
  it('Lock: acquire, release by anyone, timeouts within bounds, errors', async () => {
    const lock = new Lock();
    expect(await lock.acquire()).toBe(true);
    expect(lock.locked()).toBe(true);
    expect(await lock.acquire({ block: false })).toBe(false);
    await expect(lock.acquire({ block: false, timeout: 10 })).rejects.toThrow(ArgumentError);
    const t0 = performance.now();
    expect(lock.acquireSync({ timeout: 150 })).toBe(false);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(90);
    lock.release();
    expect(() => lock.release()).toThrow(StateError);
    await expect(lock.acquire({ timeout: -1 })).rejects.toThrow(ArgumentError);
    expect(lock.locked()).toBe(false);
  });

  it('withLock and await using release when the body throws (S004-13)', async () => {
    const lock = new Lock();
    await expect(lock.withLock(() => Promise.reject(new Error('body failed')))).rejects.toThrow('body failed');
    expect(lock.locked()).toBe(false);
    await expect(
      (async () => {
        await using _held = await lock.guard();
        expect(lock.locked()).toBe(true);
        throw new Error('inside');
      })(),
    ).rejects.toThrow('inside');
    expect(lock.locked()).toBe(false);
    {
      using _held = lock.guardSync();
      expect(lock.locked()).toBe(true);
    }
    expect(lock.locked()).toBe(false);
  });

  it('RLock: the holder may acquire again; only it may release, as often as it acquired', async () => {
    const r = new RLock();
    expect(await r.acquire()).toBe(true);
    expect(r.acquireSync()).toBe(true);
    expect(r.count).toBe(2);
    r.release();
    r.release();
    expect(r.count).toBe(0);
    expect(() => r.release()).toThrow(/un-acquired/);
  });
});

describe.each<ContextKind>(['thread', 'process'])('sync primitives with a child in the %s context', (context) => {
  it('a Lock held here is busy there, and free once released', async () => {
    const lock = new Lock();
    await lock.acquire();
    const tried = new Event();
    const child = start(context, f.tryLock, lock, 20_000, tried);
    // The child's first try fails at once; its second waits for this release.
    expect(await tried.wait({ timeout: 20_000 })).toBe(true);
    lock.release();
    expect(await child.join()).toEqual([false, true]);
    expect(lock.locked()).toBe(false);
  });

  it("a timeout of null is Python's None: the child's acquire and wait, sync and async, wait for ever", async () => {
    const lock = new Lock();
    await lock.acquire();
    const tried = new Event();
    const child = start(context, f.tryLock, lock, null, tried);
    expect(await tried.wait({ timeout: null })).toBe(true);
    lock.release();
    expect(await child.join()).toEqual([false, true]);
    const e = new Event();
    const entered = new Semaphore(0);
    const waiters = [start(context, f.waitEventAnnounced, e, null, true, entered), start(context, f.waitEventAnnounced, e, null, false, entered)];
    for (const _ of waiters) expect(await entered.acquire({ timeout: 20_000 })).toBe(true);
    expect(e.isSet()).toBe(false);
    e.set();
    expect(await Promise.all(waiters.map((w) => w.join(null)))).toEqual([true, true]);
  });

  it('RLock.isOwned() is true only for the holder, here and in a child', async () => {
    const r = new RLock();
    expect(r.isOwned()).toBe(false);
    await r.acquire();
    expect(r.isOwned()).toBe(true);
    const held = start(context, f.ownership, r);
    r.release();
    expect(await held.join()).toEqual([false, true]);
    expect(r.isOwned()).toBe(false);
  });

  it("RLock.count is Python's _recursion_count(): the caller's own count, 0 where another holds it (test_recursion_count)", async () => {
    const r = new RLock();
    await r.acquire();
    await r.acquire();
    expect(await start(context, f.recursionCount, r).join()).toBe(0);
    r.release();
    r.release();
    const held = new Event();
    const done = new Event();
    const holder = start(context, f.holdTwiceCounting, r, held, done);
    expect(await held.wait({ timeout: 20_000 })).toBe(true);
    expect(r.locked()).toBe(true);
    expect(r.count).toBe(0);
    done.set();
    expect(await holder.join()).toBe(2);
    expect(r.count).toBe(0);
  });

  it('an RLock cannot be released by another thread or process: the error crosses with its class', async () => {
    const r = new RLock();
    await r.acquire();
    const child = start(context, f.releaseOthers, r);
    expect(await child.join()).toMatch(/^StateError: .*another thread or process/);
    r.release();
  });

  it.each(['Lock', 'Semaphore'] as const)('a %s whose holder dies is taken over, and the taker is told', async (kind) => {
    const prim = kind === 'Lock' ? new Lock() : new Semaphore(1);
    const ready = new Event();
    const holder = start(context, f.holdForever, prim, ready);
    expect(await ready.wait({ timeout: 20_000 })).toBe(true);
    expect(await prim.acquire({ block: false })).toBe(false);
    holder.kill();
    await holder.join();
    expect(await prim.acquire({ timeout: 20_000 })).toBe(true);
    expect(prim.abandoned).toBe(true);
    prim.release();
    expect(await prim.acquire({ timeout: 1000 })).toBe(true);
    expect(prim.abandoned).toBe(false);
  });

  it('Event: a child waits until set, with true; a timeout gives false within bounds', async () => {
    const e = new Event();
    const waiter = start(context, f.waitEvent, e, 20_000, context === 'thread');
    const setter = start(context, f.setIt, e);
    await setter.join();
    expect(await waiter.join()).toBe(true);
    e.clear();
    const t0 = performance.now();
    const late = start(context, f.waitEvent, e, 200, false);
    expect(await late.join()).toBe(false);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(120);
  });

  it('Condition: a child waits, is notified, and gets the lock back', async () => {
    const cond = new Condition();
    const woken = new SharedArrayBuffer(12);
    const ready = new Event();
    const child = start(context, f.waitOnce, cond, context === 'thread' ? woken : undefined, ready, 20_000);
    expect(await ready.wait({ timeout: 20_000 })).toBe(true);
    await cond.acquire(); // the child is in wait(): it released the lock
    cond.notify();
    cond.release();
    expect(await child.join()).toBe(true);
  });

  it('Barrier: parties in two children and here pass together, with distinct indices', async () => {
    const b = new Barrier(3);
    const kids = [start(context, f.passBarrier, b, undefined, 3), start(context, f.passBarrier, b, undefined, 3)];
    const mine: number[] = [];
    for (let r = 0; r < 3; r++) mine.push(await b.wait({ timeout: 20_000 }));
    const theirs = (await Promise.all(kids.map((k) => k.join()))) as { indices: number[] }[];
    for (let r = 0; r < 3; r++) expect([mine[r], theirs[0]!.indices[r], theirs[1]!.indices[r]].sort()).toEqual([0, 1, 2]);
  });
});

describe('Semaphore', () => {
  it('never lets more holders in than its value (5 threads, value 2: S001-4, S004-14)', async () => {
    const sem = new Semaphore(2);
    const counts = new SharedArrayBuffer(8);
    const threads = Array.from({ length: 5 }, () => {
      const t = new Thread({ target: f.usePermits, args: [sem, counts, 40] });
      t.start();
      return t;
    });
    await Promise.all(threads.map((t) => t.join()));
    const c = new Int32Array(counts);
    expect(c[1]).toBeLessThanOrEqual(2);
    expect(c[1]).toBeGreaterThanOrEqual(1);
    expect(sem.getValue()).toBe(2);
  });

  it('BoundedSemaphore refuses a release beyond its value; bad values are errors', async () => {
    const b = new BoundedSemaphore(1);
    expect(() => b.release()).toThrow(StateError);
    expect(await b.acquire()).toBe(true);
    b.release();
    expect(() => new Semaphore(-1)).toThrow(ArgumentError);
    const zero = new BoundedSemaphore(0);
    expect(() => zero.release()).toThrow(StateError);
    expect(await zero.acquire({ timeout: 20 })).toBe(false);
  });
});

describe('Condition (CPython lock_tests)', () => {
  it('notify(2), then 4, then 3 of 6 waiters wakes exactly 2, then 4, then none', async () => {
    const cond = new Condition();
    const woken = new SharedArrayBuffer(12);
    const w = new Int32Array(woken);
    const threads = Array.from({ length: 6 }, () => {
      const t = new Thread({ target: f.waitOnce, args: [cond, woken, undefined, 20_000] });
      t.start();
      return t;
    });
    expect(await until(() => Atomics.load(w, 2) === 6)).toBe(true);
    const notify = async (n: number): Promise<void> => {
      await cond.acquire(); // every counted waiter is inside wait() once the lock is free to take
      cond.notify(n);
      cond.release();
    };
    await notify(2);
    expect(await until(() => Atomics.load(w, 0) === 2)).toBe(true);
    expect(await until(() => Atomics.load(w, 0) > 2, 100)).toBe(false);
    await notify(4);
    expect(await until(() => Atomics.load(w, 0) === 6)).toBe(true);
    await notify(3);
    expect(await until(() => Atomics.load(w, 0) > 6, 100)).toBe(false);
    expect(await Promise.all(threads.map((t) => t.join()))).toEqual([true, true, true, true, true, true]);
    expect(Atomics.load(w, 1)).toBe(0);
  });

  it('wait and notify without the lock are errors; waitFor gives false on timeout and true once the predicate holds', async () => {
    const cond = new Condition(new Lock());
    await expect(cond.wait({ timeout: 10 })).rejects.toThrow(/un-acquired/);
    expect(() => cond.notify()).toThrow(/un-acquired/);
    await cond.acquire();
    const t0 = performance.now();
    expect(await cond.waitFor(() => false, { timeout: 150 })).toBe(false);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(90);
    let ready = false;
    setTimeout(() => {
      ready = true;
      void cond.withLock(() => cond.notifyAll());
    }, 30);
    expect(await cond.waitFor(() => ready, { timeout: 10_000 })).toBe(true);
    cond.release();
  });
});

describe('Event (CPython lock_tests)', () => {
  it('set() immediately followed by clear() still wakes every waiter with true', async () => {
    const e = new Event();
    const entered = new SharedArrayBuffer(4);
    const waiters = Array.from({ length: 3 }, () => {
      const t = new Thread({ target: f.waitEventEntered, args: [e, 20_000, entered] });
      t.start();
      return t;
    });
    // Each says it is in once its wait() has looked at the event (an async wait does before it returns).
    expect(await until(() => Atomics.load(new Int32Array(entered), 0) === 3)).toBe(true);
    e.set();
    e.clear();
    expect(await Promise.all(waiters.map((t) => t.join()))).toEqual([true, true, true]);
    expect(e.isSet()).toBe(false);
  });

  it('a blocked waitSync() is woken with true by set() immediately followed by clear()', async () => {
    const e = new Event();
    const waiters = Array.from({ length: 2 }, () => {
      const t = new Thread({ target: f.waitEvent, args: [e, 20_000, true] });
      t.start();
      return t;
    });
    // Nothing tells when a blocked thread is inside waitSync(), so set-and-clear pairs come until every
    // waiter has returned: each was waiting for one of them, and a miss would wait out its 20 s and give false.
    while (waiters.some((t) => t.isAlive())) {
      e.set();
      e.clear();
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(await Promise.all(waiters.map((t) => t.join()))).toEqual([true, true]);
  });
});

describe('Barrier', () => {
  it('1000 passes across 5 parties keep their order', async () => {
    const b = new Barrier(5);
    const arrived = new SharedArrayBuffer(4);
    const threads = Array.from({ length: 5 }, () => {
      const t = new Thread({ target: f.passBarrier, args: [b, arrived, 1000] });
      t.start();
      return t;
    });
    const results = (await Promise.all(threads.map((t) => t.join()))) as { wrong: number }[];
    expect(results.map((r) => r.wrong)).toEqual([0, 0, 0, 0, 0]);
    expect(new Int32Array(arrived)[0]).toBe(5000);
  });

  it('a timeout breaks it for everyone; abort and reset; bad parties', async () => {
    expect(() => new Barrier(0)).toThrow(ArgumentError);
    const b = new Barrier(3);
    const other = new Thread({ target: f.barrierOutcome, args: [b, 20_000] });
    other.start();
    await expect(b.wait({ timeout: 200 })).rejects.toThrow(BrokenBarrierError);
    expect(await other.join()).toBe('BrokenBarrierError');
    expect(b.broken).toBe(true);
    await expect(b.wait()).rejects.toThrow(BrokenBarrierError);
    b.reset();
    expect(b.broken).toBe(false);
    expect(b.nWaiting).toBe(0);
    b.abort();
    await expect(b.wait()).rejects.toThrow(BrokenBarrierError);
  });

  it('runs its action once per round in the last party; a plain-function action cannot cross', async () => {
    let runs = 0;
    const b = new Barrier(1, { action: () => void runs++ });
    await b.wait();
    b.waitSync();
    expect(runs).toBe(2);
    const p = new Process({ target: f.barrierOutcome, args: [b, 10] });
    expect(() => p.start()).toThrow(SerializationError);
  });
});
