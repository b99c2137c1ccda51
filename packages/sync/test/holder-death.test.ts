// A holder that dies (a terminated worker, a SIGKILLed process) does not deadlock the rest; one that ends normally keeps Python's semantics.
import { afterAll, describe, expect, it } from 'vitest';
import type { Process} from '@ipc/core';
import { activeChildren, type ContextKind } from '@ipc/core';
import { Barrier, Condition, Event, Lock, RLock, Semaphore } from '@ipc/sync';
import { start, type Task } from './_helpers.js';
// @ts-expect-error -- plain JS fixture, loaded in the children too
import * as fx from './fixtures/tasks.mjs';

const f = fx as Record<'holdForever' | 'holdBoth' | 'waitOnce' | 'tryTwice' | 'barrierOutcome', Task>;

afterAll(() => {
  expect(activeChildren()).toEqual([]);
});


describe.each<ContextKind>(['thread', 'process'])('in the %s context', (context) => {
  const die = (p: Process): void => (context === 'thread' ? p.terminate() : p.kill());

  it(`a holder of a Lock and a Semaphore permit is ${context === 'thread' ? 'terminated' : 'SIGKILLed'}: waiters already blocked get both, and are told`, async () => {
    const lock = new Lock();
    const sem = new Semaphore(1);
    const ready = new Event();
    const holder = start(context, f.holdBoth, lock, sem, ready);
    expect(await ready.wait({ timeout: 20_000 })).toBe(true);
    expect(lock.locked()).toBe(true);
    expect(sem.getValue()).toBe(0);
    const gotLock = lock.acquire({ timeout: 20_000 });
    const gotPermit = sem.acquire({ timeout: 20_000 });
    const t0 = performance.now();
    die(holder);
    await holder.join();
    expect(await gotLock).toBe(true);
    expect(lock.abandoned).toBe(true);
    expect(await gotPermit).toBe(true);
    expect(sem.abandoned).toBe(true);
    expect(performance.now() - t0).toBeLessThan(10_000);
    lock.release();
    sem.release();
    expect(sem.getValue()).toBe(1);
    expect(await lock.acquire({ block: false })).toBe(true);
    expect(lock.abandoned).toBe(false);
    lock.release();
  });

  it('an RLock whose holder dies is taken over with a fresh count', async () => {
    const r = new RLock();
    const ready = new Event();
    const holder = start(context, f.holdForever, r, ready);
    expect(await ready.wait({ timeout: 20_000 })).toBe(true);
    die(holder);
    await holder.join();
    expect(await r.acquire({ timeout: 20_000 })).toBe(true);
    expect(r.abandoned).toBe(true);
    expect(r.count).toBe(1);
    r.release();
    expect(r.count).toBe(0);
  });

  it('a Condition waiter that dies is skipped by notify, never counted', async () => {
    const cond = new Condition();
    const readyA = new Event();
    const a = start(context, f.waitOnce, cond, undefined, readyA, 20_000);
    expect(await readyA.wait({ timeout: 20_000 })).toBe(true);
    await cond.acquire(); // a is inside wait(): it let the lock go
    cond.release();
    die(a);
    await a.join();
    const readyB = new Event();
    const b = start(context, f.waitOnce, cond, undefined, readyB, 20_000);
    expect(await readyB.wait({ timeout: 20_000 })).toBe(true);
    await cond.acquire();
    cond.notify(1); // a waited longer, but is dead: b is the one woken
    cond.release();
    expect(await b.join()).toBe(true);
  });

  it('a holder that ends normally keeps what it took, as in Python: permits stay taken', async () => {
    const sem = new Semaphore(3);
    const taker = start(context, f.tryTwice, sem);
    expect(await taker.join()).toEqual([true, true]);
    expect(sem.getValue()).toBe(1);
    expect(await sem.acquire({ block: false })).toBe(true);
    expect(sem.abandoned).toBe(false);
    expect(await sem.acquire({ timeout: 300 })).toBe(false); // nothing comes back from the ended heap
  });
});

describe('a party that dies waiting at a Barrier', () => {
  /** Polls `cond` (bounded): for counts another process changes, where there is nothing to wait on. */
  async function until(cond: () => boolean, ms = 10_000): Promise<boolean> {
    const end = performance.now() + ms;
    while (!cond() && performance.now() < end) await new Promise((r) => setTimeout(r, 2));
    return cond();
  }

  it('a SIGKILLed process leaves its round (its wait is aborted at home): the round still needs every party', async () => {
    const b = new Barrier(2);
    const child = start('process', f.barrierOutcome, b, 20_000);
    expect(await until(() => b.nWaiting === 1)).toBe(true);
    child.kill();
    await child.join();
    expect(await until(() => b.nWaiting === 0)).toBe(true);
    expect(b.broken).toBe(false);
    const other = start('thread', f.barrierOutcome, b, 20_000);
    expect(await until(() => b.nWaiting === 1)).toBe(true);
    expect(await b.wait({ timeout: 20_000 })).toBe(1);
    expect(await other.join()).toBe(0);
  });
});
