import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { activeChildren, armTimeout, checkTimeout, connectRemote, passedTimeout, Process, serve, waitWord, wakeWord, type ContextKind } from '@ipc/core';
// @ts-expect-error -- plain JS fixture, loaded in the children too
import * as fx from './fixtures/tasks.mjs';

const f = fx as Record<string, (...args: unknown[]) => unknown>;
/** Past the range of a Node timer: `setTimeout(fn, BEYOND_TIMER)` fires after 1 ms. */
const BEYOND_TIMER = 2 ** 31 + 10;

function timersNow(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

afterAll(() => {
  expect(activeChildren()).toEqual([]);
});

describe('timeouts: null waits for ever (a porter\'s timeout=None)', () => {
  it('checkTimeout and passedTimeout read null as no timeout', () => {
    expect(checkTimeout(null)).toBe(Infinity);
    expect(passedTimeout(null)).toBe(Infinity);
    expect(checkTimeout(undefined)).toBe(Infinity);
  });

  it.each<ContextKind>(['thread', 'process'])('Process.join(null) waits for the %s child to end', async (context) => {
    const p = new Process({ target: f.square, args: [6], context });
    p.start();
    expect(await p.join(null)).toBe(36);
    expect(p.exitCode).toBe(0);
  }, 20_000);
});

describe('timeouts past a Node timer\'s range', () => {
  it('armTimeout does not fire early past 2^31 ms, and sets no timer for Infinity', async () => {
    let fired = 0;
    const disarm = armTimeout(BEYOND_TIMER, () => fired++);
    const before = timersNow();
    const none = armTimeout(Infinity, () => fired++);
    expect(timersNow()).toBe(before);
    // Waiting is the point here: a plain setTimeout of this length would have fired after 1 ms.
    await sleep(50);
    expect(fired).toBe(0);
    disarm();
    none();
    expect(timersNow()).toBe(before - 1);
  });

  it('armTimeout fires a short timeout once, and not after it is disarmed', async () => {
    let fired = 0;
    await new Promise<void>((resolve) => armTimeout(5, () => (fired++, resolve())));
    expect(fired).toBe(1);
    const disarm = armTimeout(5, () => fired++);
    disarm();
    await sleep(30);
    expect(fired).toBe(1);
  });

  it('waitWord with a finite timeout past a timer\'s range re-arms its timer instead of timing out at the first', async () => {
    // The clock is simulated: a timer of the longest delay fires after 20 ms, while performance.now() moves on as it does.
    const real = globalThis.setTimeout;
    const fast = ((fn: () => void, ms?: number) => real(fn, (ms ?? 0) >= 2 ** 31 - 1 ? 20 : ms)) as typeof setTimeout;
    globalThis.setTimeout = fast;
    const i32 = new Int32Array(new SharedArrayBuffer(4));
    try {
      const waiting = waitWord(i32, 0, 0, { timeout: 3e9, spin: false });
      const first = await Promise.race([waiting, new Promise((r) => real(() => r('still waiting'), 200))]);
      expect(first).toBe('still waiting');
      Atomics.store(i32, 0, 1);
      wakeWord(i32, 0);
      expect(await waiting).toBe('ok');
    } finally {
      globalThis.setTimeout = real;
    }
  });

  it.each([BEYOND_TIMER, Infinity, null])('a remote call with timeout %s waits for its answer', async (timeout) => {
    let answer: (v: string) => void = () => {};
    const ref = serve({ call: () => new Promise<string>((r) => (answer = r)) });
    const remote = connectRemote(ref);
    try {
      let settled = false;
      const call = remote.call('later', [], { timeout }).finally(() => (settled = true));
      await sleep(50);
      expect(settled).toBe(false);
      answer('late');
      await expect(call).resolves.toBe('late');
    } finally {
      remote.close();
      ref.unserve();
    }
  }, 10_000);
});
