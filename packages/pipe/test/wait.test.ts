import { createServer, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { activeChildren, ArgumentError, Process, StateError, type ContextKind } from '@ipc/core';
import { Pipe, wait } from '@ipc/pipe';
// @ts-expect-error -- plain JS fixture, loaded in the children too
import * as fx from './fixtures/tasks.mjs';

type Task = (...args: unknown[]) => unknown;
const f = fx as Record<'upThenEndWhenTold' | 'writeLinesTo' | 'sendAll', Task>;

afterAll(() => {
  expect(activeChildren()).toEqual([]);
});

describe('wait() (Python’s multiprocessing.connection.wait)', () => {
  it('a negative timeout looks once and returns at once (CPython test_neg_timeout)', async () => {
    const [a, b] = Pipe();
    const t0 = performance.now();
    expect(await wait([a], -1)).toEqual([]);
    expect(await a.poll(-1)).toBe(false);
    expect(a.pollSync(-1)).toBe(false);
    expect(performance.now() - t0).toBeLessThan(1000);
    await b.send(1);
    expect(await wait([a], -1)).toEqual([a]);
    expect(await a.poll(-5)).toBe(true);
    a.close();
    b.close();
  });

  it('waits out its timeout when nothing comes (≥ 0.6× and < 10× of it)', async () => {
    const [a, b] = Pipe();
    const t0 = performance.now();
    expect(await wait([a, b], 200)).toEqual([]);
    const took = performance.now() - t0;
    expect(took).toBeGreaterThanOrEqual(120);
    expect(took).toBeLessThan(2000);
    await b.send(null);
    expect(await wait([a, b], 20_000)).toEqual([a]);
  });

  it('bad input is a clear error', async () => {
    const [a, b] = Pipe(false);
    await expect(wait([a], Number.NaN)).rejects.toThrow(ArgumentError);
    await expect(wait([{} as never], 0)).rejects.toThrow(/wait\(\) watches connections, sockets and process sentinels, not Object/);
    await expect(wait('x' as never)).rejects.toThrow(ArgumentError);
    // Only a send-only end and a closed one: without a timeout it could never return.
    a.close();
    await expect(wait([a, b])).rejects.toThrow(/never return/);
    expect(await wait([a, b], 30)).toEqual([]);
  });

  describe.each<ContextKind>(['thread', 'process'])('process sentinels, %s context (CPython test_wait_integer)', (context) => {
    it('a sentinel is ready once its process has ended, beside connections', async () => {
      const [mine, theirs] = Pipe();
      const [a, b] = Pipe();
      const p = new Process({ target: f.upThenEndWhenTold, args: [theirs], context });
      expect(() => p.sentinel).toThrow(StateError); // not started
      p.start();
      theirs.close();
      expect(await mine.recv({ timeout: 20_000 })).toBe('up');
      const sentinel = p.sentinel;
      expect(p.sentinel).toBe(sentinel);
      expect(sentinel.ready).toBe(false);
      expect(await wait([a, sentinel, b], 50)).toEqual([]);
      const waiting = wait([a, sentinel, b], 20_000);
      await mine.send('end now');
      expect(await waiting).toEqual([sentinel]);
      expect(p.exitCode).toBe(0);
      expect(sentinel.ready).toBe(true);
      await a.send(null);
      expect(await wait([a, sentinel, b], 20_000)).toEqual([sentinel, b]);
      await b.send(null);
      expect(await wait([a, sentinel, b], 20_000)).toEqual([a, sentinel, b]);
      await sentinel.whenReady();
      await p.join();
      p.close();
      expect(() => p.sentinel).toThrow(StateError); // closed
      mine.close();
    });
  });

  it('a sentinel’s whenReady() can be aborted', async () => {
    const [mine, theirs] = Pipe();
    const p = new Process({ target: f.upThenEndWhenTold, args: [theirs] });
    p.start();
    theirs.close();
    expect(await mine.recv({ timeout: 20_000 })).toBe('up');
    const stop = new AbortController();
    const waiting = p.sentinel.whenReady({ signal: stop.signal });
    stop.abort(new Error('enough'));
    await expect(waiting).rejects.toThrow('enough');
    mine.close(); // the child ends on EOF
    await p.sentinel.whenReady();
    await p.join();
  });

  it('watches sockets: four children each write ten lines; every line arrives, each socket’s in order (CPython test_wait_socket)', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const accepted: Socket[] = [];
    const allIn = new Promise<void>((resolve) =>
      server.on('connection', (s) => {
        accepted.push(s);
        if (accepted.length === 4) resolve();
      }),
    );
    const procs = [0, 1, 2, 3].map((i) => {
      const p = new Process({ target: f.writeLinesTo, args: [port], context: i % 2 === 0 ? 'thread' : 'process' });
      p.start();
      return p;
    });
    await allIn;
    server.close();
    const got = new Map<Socket, string>(accepted.map((s) => [s, '']));
    let readers = [...accepted];
    while (readers.length > 0) {
      for (const r of await wait(readers, 20_000)) {
        const chunk = r.read(32) ?? r.read();
        if (chunk === null && (r.readableEnded || r.readableLength === 0)) {
          // Nothing left: the end (a read() at the end makes 'end' come).
          if (!r.readableEnded) await new Promise((resolve) => r.once('end', resolve).resume());
          readers = readers.filter((x) => x !== r);
          r.destroy();
        } else if (chunk !== null) got.set(r, got.get(r)! + String(chunk));
      }
    }
    const expected = Array.from({ length: 10 }, (_, i) => `${i}\n`).join('');
    expect([...got.values()]).toEqual([expected, expected, expected, expected]);
    await Promise.all(procs.map((p) => p.join()));
    expect(procs.every((p) => p.exitCode === 0)).toBe(true);
  });
});
