// Ports of CPython's Lib/test/lock_tests.py, with the other threads as worker threads.
import { afterAll, describe, expect, it } from 'vitest';
import { activeChildren, ArgumentError, StateError, Thread } from '@ipc/core';
import { Barrier, BoundedSemaphore, BrokenBarrierError, Condition, Event, Lock, RLock, Semaphore } from '@ipc/sync';
import { expectTimeout, until, type Task } from './_helpers.js';
// @ts-expect-error -- plain JS fixture, loaded in the workers too
import * as fx from './fixtures/tasks.mjs';

const f = fx as Record<'acquireOnly' | 'incrementUnderLock' | 'acquireTwice' | 'tryTwice' | 'waitForValue' | 'waitOnce' | 'barrierOutcome' | 'probeBarrier' | 'holdRoundOpen' | 'abortAndReset' | 'passBarrier', Task>;

afterAll(() => {
  expect(activeChildren()).toEqual([]);
});

function threads(n: number, target: Task, ...args: unknown[]): Thread[] {
  return Array.from({ length: n }, () => {
    const t = new Thread({ target, args });
    t.start();
    return t;
  });
}

const joinAll = (ts: Thread[]): Promise<unknown[]> => Promise.all(ts.map((t) => t.join()));



describe('Lock', () => {
  it('test_different_thread: acquired in one thread, released in another', async () => {
    const lock = new Lock();
    expect(await joinAll(threads(1, f.acquireOnly, lock))).toEqual([true]);
    expect(lock.locked()).toBe(true);
    lock.release();
    expect(lock.locked()).toBe(false);
  });

  it('test_try_acquire_contended and non-blocking with a timeout (ValueError in Python)', async () => {
    const lock = new Lock();
    await lock.acquire();
    const [t] = threads(1, f.acquireOnly, lock);
    // The thread blocks; a try from here fails at once; a timeout with block: false is refused.
    expect(lock.acquireSync({ block: false })).toBe(false);
    expect(() => lock.acquireSync({ block: false, timeout: 1 })).toThrow(ArgumentError);
    lock.release();
    expect(await t!.join()).toBe(true);
    lock.release();
  });

  it('test_timeout: timeouts end within bounds; a negative timeout is an error', async () => {
    const lock = new Lock();
    await lock.acquire();
    for (const asked of [10, 150]) {
      const t0 = performance.now();
      expect(await lock.acquire({ timeout: asked })).toBe(false);
      expectTimeout(performance.now() - t0, asked);
    }
    expect(await lock.acquire({ timeout: 0 })).toBe(false);
    expect(() => lock.acquireSync({ timeout: -1 })).toThrow(ArgumentError);
    lock.release();
  });

  it('an aborted acquire rejects with the reason and takes nothing', async () => {
    const lock = new Lock();
    await lock.acquire();
    const ac = new AbortController();
    const waiting = lock.acquire({ signal: ac.signal });
    ac.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
    lock.release();
    await expect(lock.acquire({ signal: ac.signal })).rejects.toThrow('gave up');
    expect(lock.locked()).toBe(false);
    const sem = new Semaphore(0);
    const permit = sem.acquire({ signal: AbortSignal.timeout(50) });
    await expect(permit).rejects.toThrow();
    sem.release();
    expect(sem.getValue()).toBe(1);
  });

  it('keeps a plain counter right under contention: sync and async acquirers at once', async () => {
    const lock = new Lock();
    const counter = new SharedArrayBuffer(4);
    const n = 20_000;
    await joinAll([...threads(2, f.incrementUnderLock, lock, counter, n, true), ...threads(2, f.incrementUnderLock, lock, counter, n, false)]);
    expect(new Int32Array(counter)[0]).toBe(4 * n);
    expect(lock.locked()).toBe(false);
  });
});

describe('RLock', () => {
  it('test_recursion_count and test_release_unacquired', async () => {
    const r = new RLock();
    expect(() => r.release()).toThrow(StateError);
    expect(r.count).toBe(0);
    for (let i = 1; i <= 3; i++) {
      expect(r.acquireSync({ block: false })).toBe(true);
      expect(r.count).toBe(i);
    }
    // Another thread cannot take it, nor release it.
    expect(await joinAll(threads(1, f.tryTwice, r))).toEqual([[false, false]]);
    for (let i = 2; i >= 0; i--) {
      r.release();
      expect(r.count).toBe(i);
    }
    expect(() => r.release()).toThrow(StateError);
  });

  it('keeps a plain counter right with re-entrant acquirers', async () => {
    const r = new RLock();
    const counter = new SharedArrayBuffer(4);
    await joinAll(threads(3, f.incrementUnderLock, r, counter, 5000, true));
    expect(new Int32Array(counter)[0]).toBe(15_000);
    expect(r.count).toBe(0);
  });
});

describe('Semaphore', () => {
  it('test_constructor: a value that is negative or beyond one word (2³¹ − 1) is refused; so is a release past it, with nothing changed', () => {
    expect(() => new Semaphore(-1)).toThrow(ArgumentError);
    expect(() => new Semaphore(-Number.MAX_SAFE_INTEGER)).toThrow(ArgumentError);
    // Python's multiprocessing.Semaphore(2**31) is an OverflowError; the value used to wrap round to -2³¹.
    expect(() => new Semaphore(2 ** 31)).toThrow(ArgumentError);
    const top = new Semaphore(2 ** 31 - 1);
    expect(top.getValue()).toBe(2 ** 31 - 1);
    // As Python's multiprocessing: ValueError('semaphore or lock released too many times').
    expect(() => top.release()).toThrow(StateError);
    expect(top.getValue()).toBe(2 ** 31 - 1);
    const some = new Semaphore(5);
    expect(() => some.release(2 ** 31 - 5)).toThrow(StateError);
    some.release(2 ** 31 - 6);
    expect(some.getValue()).toBe(2 ** 31 - 1);
    // A BoundedSemaphore at the top still refuses to go past its value (its bound used to wrap round, leaving it unbounded).
    const bounded = new BoundedSemaphore(2 ** 31 - 1);
    expect(() => bounded.release()).toThrow(StateError);
    expect(bounded.acquireSync({ block: false })).toBe(true);
    bounded.release();
    expect(() => bounded.release()).toThrow(StateError);
    expect(bounded.getValue()).toBe(2 ** 31 - 1);
  });

  it('test_multirelease: 10 threads acquiring twice get exactly the permits released, phase by phase', async () => {
    const value = 7;
    const sem = new Semaphore(value);
    await sem.acquire();
    const c = new Int32Array(new SharedArrayBuffer(20)); // [acquired, phase, phase 0 count, phase 1 count, phase 2 count]
    const ts = threads(10, f.acquireTwice, sem, c.buffer);
    const count1 = value - 1;
    expect(await until(() => Atomics.load(c, 0) >= count1)).toBe(true);
    Atomics.store(c, 1, 1);
    sem.release(value);
    expect(await until(() => Atomics.load(c, 0) >= count1 + value)).toBe(true);
    Atomics.store(c, 1, 2);
    sem.release(value - 1);
    expect(await until(() => Atomics.load(c, 0) >= count1 + 2 * value - 1)).toBe(true);
    // The semaphore is still locked: nothing more got through.
    expect(await until(() => Atomics.load(c, 0) > count1 + 2 * value - 1, 100)).toBe(false);
    expect([Atomics.load(c, 2), Atomics.load(c, 3), Atomics.load(c, 4)]).toEqual([count1, value, value - 1]);
    expect(await sem.acquire({ block: false })).toBe(false);
    sem.release();
    await joinAll(ts);
    expect(Atomics.load(c, 0)).toBe(20);
  });

  it('test_try_acquire_contended: 5 threads trying twice get exactly the 3 free permits', async () => {
    const sem = new Semaphore(4);
    await sem.acquire();
    const results = (await joinAll(threads(5, f.tryTwice, sem))).flat() as boolean[];
    expect(results.filter((r) => r)).toHaveLength(3);
    expect(results.filter((r) => !r)).toHaveLength(7);
    expect(sem.getValue()).toBe(0);
  });

  it('test_acquire_timeout and test_release_unacquired (BoundedSemaphore)', async () => {
    const sem = new BoundedSemaphore(2);
    expect(await sem.acquire({ timeout: 5 })).toBe(true);
    expect(await sem.acquire({ timeout: 5 })).toBe(true);
    expect(await sem.acquire({ timeout: 5 })).toBe(false);
    sem.release();
    expect(sem.acquireSync({ timeout: 5 })).toBe(true);
    const t0 = performance.now();
    expect(sem.acquireSync({ timeout: 200 })).toBe(false);
    expectTimeout(performance.now() - t0, 200);
    sem.release(2);
    expect(() => sem.release()).toThrow(StateError);
    expect(() => sem.release(0)).toThrow(ArgumentError);
    expect(sem.getValue()).toBe(2);
  });
});

describe('Condition', () => {
  it('test_waitfor: a waiter in another thread wakes once the predicate holds', async () => {
    const cond = new Condition();
    const state = new SharedArrayBuffer(4);
    const s = new Int32Array(state);
    const [t] = threads(1, f.waitForValue, cond, state, 4, 20_000);
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 5));
      await cond.withLock(() => {
        Atomics.add(s, 0, 1);
        cond.notify();
      });
    }
    expect(await t!.join()).toBe(true);
  });

  it('test_waitfor_timeout: false once the timeout passes, within bounds', async () => {
    const cond = new Condition();
    const state = new SharedArrayBuffer(4);
    const t0 = performance.now();
    expect(await joinAll(threads(1, f.waitForValue, cond, state, 4, 150))).toEqual([false]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(90);
  });

  it('test_timeout: waiters that are not notified get false', async () => {
    const cond = new Condition();
    const woken = new SharedArrayBuffer(12);
    expect(await joinAll(threads(3, f.waitOnce, cond, woken, undefined, 100))).toEqual([false, false, false]);
    expect(new Int32Array(woken)[1]).toBe(3);
  });

  it('an aborted wait rejects with the reason, holding the lock again (as Python retakes it)', async () => {
    const lock = new Lock();
    const cond = new Condition(lock);
    await cond.acquire();
    const ac = new AbortController();
    const waiting = cond.wait({ signal: ac.signal, timeout: 20_000 });
    expect(lock.locked()).toBe(false); // released while it waits
    ac.abort(new Error('stop waiting'));
    await expect(waiting).rejects.toThrow('stop waiting');
    expect(lock.locked()).toBe(true);
    cond.release();
    await expect(cond.wait({ signal: AbortSignal.abort(new Error('early')) })).rejects.toThrow('early');
  });
});

describe('Event', () => {
  it('test_is_set and test_timeout', async () => {
    const e = new Event();
    expect(e.isSet()).toBe(false);
    const t0 = performance.now();
    expect(await e.wait({ timeout: 150 })).toBe(false);
    expectTimeout(performance.now() - t0, 150);
    expect(e.waitSync({ timeout: 0 })).toBe(false);
    e.set();
    expect(e.isSet()).toBe(true);
    expect(await e.wait({ timeout: 0 })).toBe(true);
    expect(e.waitSync()).toBe(true);
    e.clear();
    expect(e.isSet()).toBe(false);
  });
});

describe('Barrier', () => {
  it('test_reset: parties waiting when it is reset get BrokenBarrierError; it works again after', async () => {
    const b = new Barrier(3);
    const ts = threads(2, f.barrierOutcome, b, 20_000);
    expect(await until(() => b.nWaiting === 2)).toBe(true);
    b.reset();
    expect(await joinAll(ts)).toEqual(['BrokenBarrierError', 'BrokenBarrierError']);
    expect(b.broken).toBe(false);
    const again = threads(2, f.barrierOutcome, b, 20_000);
    const mine = await b.wait({ timeout: 20_000 });
    expect([mine, ...((await joinAll(again)) as number[])].sort()).toEqual([0, 1, 2]);
  });

  it('test_default_timeout: the barrier default timeout breaks it', async () => {
    const b = new Barrier(2, { timeout: 100 });
    const t0 = performance.now();
    await expect(b.wait()).rejects.toThrow(BrokenBarrierError);
    expectTimeout(performance.now() - t0, 100);
    expect(b.broken).toBe(true);
  });

  it('test_abort: aborting releases the waiting parties with BrokenBarrierError', async () => {
    const b = new Barrier(3);
    const ts = threads(2, f.barrierOutcome, b, 20_000);
    expect(await until(() => b.nWaiting === 2)).toBe(true);
    b.abort();
    expect(await joinAll(ts)).toEqual(['BrokenBarrierError', 'BrokenBarrierError']);
    expect(() => b.waitSync()).toThrow(BrokenBarrierError);
  });

  it('test_wait_return with a party beyond parties: one arriving while the action runs waits for the next round (indices stay 0 … parties − 1)', async () => {
    const b = new Barrier(2, { action: f.holdRoundOpen });
    const probe = new SharedArrayBuffer(12);
    // This thread is the last party of the second round: it runs the action too.
    (globalThis as { __barrierProbe?: unknown }).__barrierProbe = { barrier: b, probe };
    const [early1, early2] = threads(2, f.probeBarrier, b, probe, false);
    const [late] = threads(1, f.probeBarrier, b, probe, true);
    expect(((await joinAll([early1!, early2!])) as number[]).sort()).toEqual([0, 1]);
    // The late party is alone in the next round; this one completes it.
    const mine = await b.wait({ timeout: 10_000 });
    const theirs = await late!.join();
    delete (globalThis as { __barrierProbe?: unknown }).__barrierProbe;
    expect([mine, theirs].sort()).toEqual([0, 1]);
    expect(b.broken).toBe(false);
  });

  it('an aborted wait leaves the round (as an interrupted Python wait does): the next parties still need them all', async () => {
    const b = new Barrier(2);
    const ac = new AbortController();
    const waiting = b.wait({ signal: ac.signal });
    expect(await until(() => b.nWaiting === 1)).toBe(true);
    ac.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
    expect(b.nWaiting).toBe(0);
    expect(b.broken).toBe(false);
    // Had the aborted party stayed counted, the thread would pass alone, with index 1.
    const [t] = threads(1, f.barrierOutcome, b, 10_000);
    expect(await until(() => b.nWaiting === 1)).toBe(true);
    expect(await b.wait({ timeout: 10_000 })).toBe(1);
    expect(await t!.join()).toBe(0);
  });

  it('test_barrier_10 and test_wait_return: 5 parties, waitSync and wait mixed, 10 passes in lockstep, indices 0 … 4 each round', async () => {
    const b = new Barrier(5);
    const arrived = new SharedArrayBuffer(4);
    const ts = [0, 1, 2, 3, 4].map((k) => {
      const t = new Thread({ target: f.passBarrier, args: [b, arrived, 10, k % 2 === 0] });
      t.start();
      return t;
    });
    const results = (await joinAll(ts)) as { wrong: number; indices: number[] }[];
    expect(results.map((r) => r.wrong)).toEqual([0, 0, 0, 0, 0]);
    for (let round = 0; round < 10; round++) expect(results.map((r) => r.indices[round]).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(b.nWaiting).toBe(0);
    expect(b.broken).toBe(false);
  });

  it('test_abort_and_reset: an aborted barrier, reset by one party once all have left it, works again', async () => {
    const b = new Barrier(5);
    const b2 = new Barrier(5);
    const outcomes = (await joinAll(threads(5, f.abortAndReset, b, b2))) as string[];
    expect(outcomes.sort()).toEqual(['BrokenBarrierError again', 'BrokenBarrierError again', 'BrokenBarrierError again', 'BrokenBarrierError again', 'aborted again']);
    expect(b.broken).toBe(false);
  });
});
