import { afterEach, describe, expect, it } from 'vitest';
import { Process } from '@ipc/core';
import { Queue } from '@ipc/queue';
import { Event } from '@ipc/sync';
import { type ListProxy, Manager, ManagerGoneError } from '@ipc/shared';
// @ts-expect-error plain JavaScript fixture
import { appendAfter, appendEveryWay, claimAndEnd, timeDoorCall, appendUntilGone, appendUntilStopped, doorWork, hostAndSendList } from './fixtures/tasks.mjs';

const managers: Manager[] = [];
afterEach(async () => {
  for (const m of managers.splice(0)) await m.shutdown();
});

// A thread of the host's process takes the replies of calls that never wait at the door (shared memory), not from the socket.
describe('Manager: replies at the door, for threads of the host process', () => {
  it('results, errors with their class, a reply too big for the door, a v8 value; each caller in order', async () => {
    const m = await Manager.start();
    managers.push(m);
    const list = await m.list<unknown>();
    const dict = await m.dict<string, unknown>();
    const n = 500;
    const workers = [0, 1].map((me) => new Process({ target: doorWork, args: [list, dict, n, me], context: 'thread' }));
    for (const w of workers) w.start();
    const results = (await Promise.all(workers.map((w) => w.join()))) as { length: number; bad: string; big: number; map: unknown }[];
    for (const r of results) {
      expect(r.length).toBeGreaterThanOrEqual(n);
      expect(r).toMatchObject({ bad: 'RangeError', big: 5000, map: [[1, 'one']] });
    }
    const items = (await list.copy()) as number[];
    expect(items).toHaveLength(2 * n);
    // Two callers' appends interleave, each in its own order.
    const seen = new Map<number, number>();
    for (const x of items) seen.set(x, (seen.get(x) ?? 0) + 1);
    expect([...seen.values()].every((count) => count === 2)).toBe(true);
  });

  it('requests through the door and on the socket, mixed: every item once, each caller\'s in its order', async () => {
    const m = await Manager.start();
    managers.push(m);
    const list = await m.list<string>();
    const rounds = 150;
    const workers = [0, 1].map((me) => new Process({ target: appendEveryWay, args: [list, me, rounds], context: 'thread' }));
    for (const w of workers) w.start();
    const results = (await Promise.all(workers.map((w) => w.join()))) as { count: number; refused: string }[];
    for (const r of results) {
      expect(r.count).toBe(rounds * 8);
      // Refused at the call, in the caller's thread: nothing was sent.
      expect(r.refused).toMatch(/could not be cloned|cannot be sent|function/i);
    }
    const items = (await list.copy()).map((x) => x.split(':'));
    expect(items).toHaveLength(2 * rounds * 8);
    for (const me of ['0', '1']) {
      const mine = items.filter((x) => x[0] === me).map((x) => Number(x[1]));
      expect(mine).toEqual([...Array(rounds * 8).keys()]);
    }
    // The big items arrived whole.
    expect(items.filter((x) => x.length === 3).every((x) => x[2] === 'x'.repeat(2000))).toBe(true);
  });

  it('a flood of calls through the door does not hold up the host thread\'s event loop', async () => {
    const m = await Manager.start();
    managers.push(m);
    const list = await m.list<number>();
    const stop = new Event();
    const started = [new Event(), new Event()];
    const workers = started.map((s) => new Process({ target: appendUntilStopped, args: [list, s, stop], context: 'thread' }));
    for (const w of workers) w.start();
    for (const s of started) await s.wait();
    // Timers of the host's thread fire while both flood it with calls: 40 ticks of 5 ms.
    let ticks = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (++ticks === 40) {
          clearInterval(timer);
          resolve();
        }
      }, 5);
    });
    stop.set();
    const counts = (await Promise.all(workers.map((w) => w.join()))) as number[];
    expect(await list.length()).toBe(counts[0]! + counts[1]!);
  });

  it('slots that threads claimed and died holding, before the host heard of them, are taken over when the door is full', async () => {
    const m = await Manager.start();
    managers.push(m);
    const list = await m.list<string>();
    // 64 threads (the door's slots) claim a slot each and end before they can name it.
    for (let i = 0; i < 64; i += 8) {
      const batch = Array.from({ length: 8 }, () => new Process({ target: claimAndEnd, args: [list], context: 'thread' }));
      for (const p of batch) p.start();
      await Promise.all(batch.map((p) => p.join()));
    }
    // A thread now still gets a slot: with the host busy, its call blocks at the door (~2 ms) before
    // it goes on the socket, where a caller without a slot would return at once.
    const flags = new Int32Array(new SharedArrayBuffer(8));
    const w = new Process({ target: timeDoorCall, args: [list, flags], context: 'thread' });
    w.start();
    while (Atomics.load(flags, 0) === 0) await new Promise((r) => setTimeout(r, 1));
    Atomics.store(flags, 1, 1);
    Atomics.notify(flags, 1);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50); // busy: the call waits at the door, then goes on the socket
    expect(await w.join()).toBeGreaterThanOrEqual(1.2);
    expect(await list.copy()).toEqual(['warm', 'timed']);
  });

  it('a host busy longer than a caller blocks at the door: the reply comes on the socket', async () => {
    const m = await Manager.start();
    managers.push(m);
    const list = await m.list<string>();
    const go = new Event();
    const w = new Process({ target: appendAfter, args: [list, go, 'late'], context: 'thread' });
    w.start();
    go.set();
    // Busy for 50 ms, well over the door's wait: the caller's request waits in the socket meanwhile.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    expect(await w.join()).toBe(1);
    expect(await list.copy()).toEqual(['late']);
  });

  it('shutdown while a thread calls at the door: ManagerGoneError, never a hang', async () => {
    const m = await Manager.start();
    const list = await m.list<number>();
    const w = new Process({ target: appendUntilGone, args: [list], context: 'thread' });
    w.start();
    // Shut down once the thread's calls are flowing.
    while ((await list.length()) < 100) await list.length();
    await m.shutdown();
    const r = (await w.join()) as { name: string; i: number };
    expect(r.name).toBe('ManagerGoneError');
    // At least 100 appends were done; the one under way at the shutdown may have been done with its reply lost
    // (as with Python's manager: the caller cannot know), so the caller saw at least 99 answered.
    expect(r.i).toBeGreaterThanOrEqual(99);
  });

  it('the host thread ending: calls at the door fail with ManagerGoneError, never hang', async () => {
    const ready = new Queue<ListProxy<string>>();
    const host = new Process({ target: hostAndSendList, args: [ready], context: 'thread' });
    host.start();
    try {
      const list = await ready.get({ timeout: 10_000 });
      await list.append('here');
      expect(await list.copy()).toEqual(['hosted', 'here']);
      host.terminate();
      await host.join();
      await expect(list.append('gone')).rejects.toThrow(ManagerGoneError);
      await expect(list.copy()).rejects.toThrow(ManagerGoneError);
    } finally {
      if (host.isAlive()) host.kill();
      await host.join();
      ready.close();
    }
  });
});
