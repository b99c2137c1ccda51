// Python's test_concurrent_futures/test_future.py, test_wait.py and test_as_completed.py, on futures made by hand.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ArgumentError, TimeoutError } from '@ipc/core';
import { ALL_COMPLETED, CancelledError, FIRST_COMPLETED, FIRST_EXCEPTION, Future, InvalidStateError, asCompleted, wait, type ReturnWhen } from '@ipc/pool';

function pending(): Future<number> {
  return new Future<number>();
}
function successful(v = 42): Future<number> {
  const f = new Future<number>();
  f.setResult(v);
  return f;
}
function failed(): Future<number> {
  const f = new Future<number>();
  f.setException(new RangeError('bad'));
  return f;
}
function cancelled(): Future<number> {
  const f = new Future<number>();
  f.cancel();
  return f;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Future (test_future.py)', () => {
  it('cancel / cancelled / done / running by state; set twice is InvalidStateError', () => {
    const p = pending();
    expect([p.done(), p.running(), p.cancelled()]).toEqual([false, false, false]);
    expect(p.cancel()).toBe(true);
    expect(p.cancel()).toBe(true);
    expect([p.done(), p.cancelled()]).toEqual([true, true]);
    expect(successful().cancel()).toBe(false);
    expect(() => successful().setResult(1)).toThrow(InvalidStateError);
    expect(() => failed().setException(new Error('again'))).toThrow(InvalidStateError);
    expect(() => cancelled().setResult(1)).toThrow(InvalidStateError);
  });

  it('result(timeout) / exception(timeout): 0 and negative timeouts have passed (TimeoutError), as in Python', async () => {
    await expect(pending().result(0)).rejects.toThrow(TimeoutError);
    await expect(pending().result(-1)).rejects.toThrow(TimeoutError);
    await expect(pending().exception(-5)).rejects.toThrow(TimeoutError);
    expect(await successful(7).result(-1)).toBe(7);
    await expect(cancelled().result(0)).rejects.toThrow(CancelledError);
    await expect(cancelled().exception(0)).rejects.toThrow(CancelledError);
    await expect(failed().result(0)).rejects.toThrow(RangeError);
    expect(await failed().exception(0)).toBeInstanceOf(RangeError);
    // Python's None.
    expect(await successful().exception(0)).toBeNull();
    await expect(pending().result(Number.NaN)).rejects.toThrow(ArgumentError);
  });

  it('result(timeout) waits about the timeout', async () => {
    const t0 = performance.now();
    await expect(pending().result(100)).rejects.toThrow(TimeoutError);
    const took = performance.now() - t0;
    expect(took).toBeGreaterThanOrEqual(60);
    expect(took).toBeLessThan(1000);
  });

  it('addDoneCallback: at once when done (success, failure, cancel); a callback that throws is logged, not raised, and the others run', () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const seen: string[] = [];
    successful().addDoneCallback((f) => seen.push(`ok ${String(f.done())}`));
    failed().addDoneCallback(() => seen.push('failed'));
    cancelled().addDoneCallback((f) => seen.push(`cancelled ${String(f.cancelled())}`));
    expect(seen).toEqual(['ok true', 'failed', 'cancelled true']);

    expect(() =>
      successful().addDoneCallback(() => {
        throw new Error('doh!');
      }),
    ).not.toThrow();
    expect(logged).toHaveBeenCalledTimes(1);
    expect(String(logged.mock.calls[0]![0])).toMatch(/^exception calling callback for <Future at 0x[0-9a-f]+ state=finished returned number>/);

    const p = pending();
    const order: number[] = [];
    p.addDoneCallback(() => order.push(1));
    p.addDoneCallback(() => {
      throw new Error('doh!');
    });
    p.addDoneCallback(() => order.push(3));
    expect(() => p.setResult(5)).not.toThrow();
    expect(order).toEqual([1, 3]);
    expect(logged).toHaveBeenCalledTimes(2);
  });

  it('toString as Python repr: state, and what it returned or raised', () => {
    expect(String(pending())).toMatch(/^<Future at 0x[0-9a-f]+ state=pending>$/);
    expect(String(cancelled())).toMatch(/^<Future at 0x[0-9a-f]+ state=cancelled>$/);
    expect(String(successful())).toMatch(/^<Future at 0x[0-9a-f]+ state=finished returned number>$/);
    expect(String(failed())).toMatch(/^<Future at 0x[0-9a-f]+ state=finished raised RangeError>$/);
    const a = pending();
    expect(String(a)).toBe(String(a));
    expect(String(a)).not.toBe(String(pending()));
  });
});

describe('wait (test_wait.py)', () => {
  it('FIRST_COMPLETED, FIRST_EXCEPTION and ALL_COMPLETED with futures already done', async () => {
    const [ok, bad, cx, p] = [successful(), failed(), cancelled(), pending()];
    let r = await wait([ok, cx, p], { returnWhen: FIRST_COMPLETED });
    expect(r.done).toEqual(new Set([ok, cx]));
    expect(r.notDone).toEqual(new Set([p]));
    r = await wait([bad, p], { returnWhen: FIRST_EXCEPTION });
    expect(r.done).toEqual(new Set([bad]));
    r = await wait([ok, cx, bad], { returnWhen: ALL_COMPLETED });
    expect(r.notDone.size).toBe(0);
  });

  it('FIRST_EXCEPTION returns at the first failure; without one it waits for all', async () => {
    const a = pending();
    const b = pending();
    const c = pending();
    const waiting = wait([a, b, c], { returnWhen: FIRST_EXCEPTION, timeout: 5000 });
    a.setResult(1);
    b.setException(new Error('x'));
    const r = await waiting;
    expect(r.done).toEqual(new Set([a, b]));
    expect(r.notDone).toEqual(new Set([c]));
  });

  it('a timeout returns what is done; 0 and negative timeouts return at once', async () => {
    const [ok, bad, p] = [successful(), failed(), pending()];
    const t0 = performance.now();
    const r = await wait([ok, bad, p], { timeout: 100 });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(60);
    expect(r.done).toEqual(new Set([ok, bad]));
    expect(r.notDone).toEqual(new Set([p]));
    expect((await wait([p], { timeout: -1 })).notDone).toEqual(new Set([p]));
    expect((await wait([p], { timeout: 0 })).notDone).toEqual(new Set([p]));
  });

  it('an unknown returnWhen is ArgumentError (Python ValueError)', async () => {
    await expect(wait([pending()], { returnWhen: 'SOMETIMES' as ReturnWhen })).rejects.toThrow(ArgumentError);
    await expect(wait([pending()], { returnWhen: 'SOMETIMES' as ReturnWhen })).rejects.toThrow(/Invalid return condition/);
  });
});

describe('asCompleted (test_as_completed.py)', () => {
  it('yields the done ones first, then TimeoutError with "N (of total) futures unfinished"', async () => {
    const done = [cancelled(), successful()];
    const list = [done[0]!, pending(), pending(), done[1]!];
    for (const timeout of [0, -1, 10]) {
      const got: Future<number>[] = [];
      let error: unknown;
      try {
        for await (const f of asCompleted(list, { timeout })) got.push(f);
      } catch (e) {
        error = e;
      }
      expect(new Set(got)).toEqual(new Set(done));
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as Error).message).toBe('2 (of 4) futures unfinished');
    }
  });

  it('duplicates are yielded once; futures finishing later are yielded as they finish', async () => {
    const a = pending();
    const b = successful();
    const got: Future<number>[] = [];
    for await (const f of asCompleted([a, a, b, b], { timeout: 5000 })) {
      got.push(f);
      if (f === b) a.setResult(1);
    }
    expect(got).toEqual([b, a]);
  });
});

describe('wait and asCompleted at scale', () => {
  it('asCompleted over many futures stays linear, and wait() leaves no callbacks behind', async () => {
    const many = Array.from({ length: 20_000 }, () => pending());
    const t0 = performance.now();
    let n = 0;
    const iterate = (async () => {
      for await (const f of asCompleted(many, { timeout: 30_000 })) if (f.done()) n++;
    })();
    many.forEach((f, i) => f.setResult(i));
    await iterate;
    expect(n).toBe(many.length);
    expect(performance.now() - t0).toBeLessThan(5000);
    const p = pending();
    for (let i = 0; i < 50; i++) await wait([p], { timeout: 1 });
    expect((p as unknown as { callbacks: unknown[] }).callbacks).toHaveLength(0);
  });
});
