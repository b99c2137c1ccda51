import { describe, expect, it } from 'vitest';
import { WriteWindow, hasPendingWrites } from '@ipc/core';

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('WriteWindow', () => {
  it('lets calls run ahead up to its window, reports the first failure on the next call, and counts as pending writes until drained', async () => {
    const w = new WriteWindow(2, 1 << 20);
    const calls = [deferred(), deferred(), deferred()];
    for (const c of calls) w.track(c.promise, 10);
    expect(hasPendingWrites()).toBe(true);
    let roomed = false;
    const room = w.room().then(() => (roomed = true));
    await Promise.resolve();
    expect(roomed).toBe(false); // three in flight, window of two
    calls[0]!.reject(new RangeError('the first failed'));
    await room;
    expect(() => w.throwFailure()).toThrow('the first failed');
    expect(() => w.throwFailure()).not.toThrow(); // reported once
    const drained = w.drained();
    calls[1]!.resolve();
    calls[2]!.resolve();
    await drained;
    expect(hasPendingWrites()).toBe(false);
  });

  it('a room wait ends with its signal, and the calls go on', async () => {
    const w = new WriteWindow(0, 0);
    const c = deferred();
    w.track(c.promise, 1);
    const ac = new AbortController();
    const waiting = w.room(ac.signal);
    ac.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
    c.resolve();
    await w.drained();
  });
});
