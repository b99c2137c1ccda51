import { afterAll, describe, expect, it } from 'vitest';
import { activeChildren, SharedRing, Thread, waitWord, wakeWord } from '@ipc/core';
// @ts-expect-error -- plain JS fixture, loaded in the children too
import * as fx from './fixtures/ring-tasks.mjs';

const f = fx as Record<string, (...args: unknown[]) => unknown>;

afterAll(() => {
  expect(activeChildren()).toEqual([]);
});

/** Resolves with whether `p` settled before a setImmediate queued now ran: a V8 waitAsync wake-up takes a turn of the loop. */
async function beforeNextTurn(p: Promise<unknown>, wake: () => void): Promise<boolean> {
  let turned = false;
  setImmediate(() => (turned = true));
  wake();
  await p;
  return !turned;
}

describe('a wake-up from the same thread reaches its async waits at once', () => {
  it('waitWord woken by wakeWord of this thread resolves in a microtask, not a turn of the event loop later', async () => {
    const i32 = new Int32Array(new SharedArrayBuffer(16), 4, 2); // an offset view: words are told apart by byte address
    for (let round = 0; round < 50; round++) {
      const waiting = waitWord(i32, 1, 0, { spin: false });
      const quick = await beforeNextTurn(waiting, () => {
        Atomics.store(i32, 1, 1);
        wakeWord(i32, 1);
      });
      expect(quick).toBe(true);
      expect(await waiting).toBe('ok');
      Atomics.store(i32, 1, 0);
    }
    // The V8 waiters the local wake-ups left behind were woken by the notify that followed each.
    expect(Atomics.notify(i32, 1)).toBe(0);
  });

  it('wakeWord(count) wakes the oldest local waits first, and only the word named', async () => {
    const i32 = new Int32Array(new SharedArrayBuffer(8));
    const order: string[] = [];
    const a = waitWord(i32, 0, 0).then(() => order.push('a'));
    const b = waitWord(i32, 0, 0).then(() => order.push('b'));
    const other = waitWord(i32, 1, 0, { timeout: 50 });
    expect(wakeWord(i32, 0, 1)).toBeGreaterThanOrEqual(1);
    await a;
    expect(order[0]).toBe('a');
    wakeWord(i32, 0);
    await b;
    expect(order).toEqual(['a', 'b']);
    expect(await other).toBe('timed-out');
  });

  it('a ring read waiting in this thread gets what this thread writes; another thread still wakes it', async () => {
    const ring = SharedRing.create(1024);
    for (let i = 0; i < 20; i++) {
      const reading = ring.read({ spin: false });
      await Promise.resolve();
      ring.writeSync(new Uint8Array([i]));
      expect(Array.from((await reading) as Uint8Array)).toEqual([i]);
    }
    // From another thread: the V8 path, as before.
    const later = ring.read({ timeout: 20_000 });
    const t = new Thread({ target: f.writeSizes, args: [ring.buffer, [3]] });
    t.start();
    expect(Array.from((await later) as Uint8Array)).toEqual([0, 0, 0]);
    await t.join();
  }, 20_000);
});
