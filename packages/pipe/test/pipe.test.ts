import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { activeChildren, ArgumentError, EOFError, Process, StateError, TimeoutError, type ContextKind } from '@ipc/core';
import { BrokenPipeError, BufferTooShort, MessageTooLongError, Pipe, wait, type Connection } from '@ipc/pipe';
import { start, type Task } from './_start.js';
// @ts-expect-error -- plain JS fixture, loaded in the children too
import * as fx from './fixtures/tasks.mjs';

const f = fx as Record<'sendAll' | 'recvSyncThenRecv' | 'adder' | 'digestBytes' | 'recvForever' | 'holdUntilKilled' | 'viaGrandchild' | 'echoSync' | 'sendAndReturn' | 'recvSome', Task>;

afterAll(() => {
  expect(activeChildren()).toEqual([]);
});

/** Calls `send` until it rejects (bounded: 20 s), and gives the error. */
async function eventuallyRejects(send: () => Promise<void>): Promise<unknown> {
  const end = Date.now() + 20_000;
  while (Date.now() < end) {
    try {
      await send();
    } catch (err) {
      return err;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return undefined;
}

describe('Pipe in one thread', () => {
  it('keeps messages whole and in order, empty ones too; poll never consumes', async () => {
    const [a, b] = Pipe();
    await a.send({ x: 1, when: new Date(0) });
    await a.sendBytes(new Uint8Array(0));
    a.sendSync('');
    await a.sendBytes(Buffer.from('hello world'), 6, 5);
    expect(await b.poll()).toBe(true);
    expect(b.pollSync()).toBe(true);
    expect(await b.recv()).toEqual({ x: 1, when: new Date(0) });
    expect((await b.recvBytes()).length).toBe(0);
    expect(b.recvSync()).toBe('');
    expect((await b.recvBytes()).toString()).toBe('world');
    expect(await b.poll()).toBe(false);
    await b.send('back');
    expect(await a.recv()).toBe('back');
  });

  it('values come back exactly, whichever form they travel in (JSON for plain trees, the structured clone for the rest)', async () => {
    const [a, b] = Pipe();
    const shared = { s: 1 };
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const holey: unknown[] = [1];
    holey[2] = 3; // index 1 is a hole
    const extra = Object.assign([1, 2], { note: 'kept' });
    const nullProto = Object.assign(Object.create(null) as object, { x: 1 });
    let deep: unknown = 'bottom';
    for (let i = 0; i < 40; i++) deep = { next: deep };
    const values: unknown[] = [
      { i: 1, s: 'hello', list: [1, 2, 3] }, // plain: the JSON form
      [1, 'two', true, null, { three: [3] }],
      { lone: 'a\ud800b', emoji: '😀', esc: '"\\\n' },
      { big: Number.MAX_SAFE_INTEGER, tiny: 5e-324, neg: -1.5 },
      JSON.parse('{"__proto__": {"polluted": true}}'),
      -0, NaN, Infinity, { u: undefined }, [undefined], holey, extra, nullProto,
      { a: shared, b: shared }, cyclic, deep, new Date(0), new Map([[1, 2]]), 10n, undefined,
    ];
    for (const v of values) await a.send(v);
    const back: unknown[] = [];
    for (let i = 0; i < values.length; i++) back.push(await b.recv());
    expect(back).toEqual(values.map((v) => structuredClone(v)));
    expect(Object.is(back[5], -0)).toBe(true);
    expect(1 in (back[10] as unknown[])).toBe(false);
    expect((back[11] as { note: string }).note).toBe('kept');
    const pair = back[13] as { a: object; b: object };
    expect(pair.a).toBe(pair.b); // identity kept, as a structured clone keeps it
    const loop = back[14] as { self: unknown };
    expect(loop.self).toBe(loop);
    expect(Object.keys(back[4] as object)).toEqual(['__proto__']);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    // The wire form: a plain tree as JSON after 0xFE, anything else as v8's structured clone (0xFF).
    await a.send({ i: 1 });
    expect((await b.recvBytes())[0]).toBe(0xfe);
    await a.send(new Map());
    expect((await b.recvBytes())[0]).toBe(0xff);
    a.close();
    b.close();
  });

  it('one-way ends refuse the wrong direction; a closed end refuses everything', async () => {
    const [r, w] = Pipe(false);
    expect(r.readable && !r.writable && w.writable && !w.readable).toBe(true);
    await expect(r.send(1)).rejects.toThrow(/read-only/);
    await expect(w.recv()).rejects.toThrow(/write-only/);
    w.close();
    expect(w.closed).toBe(true);
    await expect(w.send(1)).rejects.toThrow(StateError);
    expect(() => w.sendSync(1)).toThrow(StateError);
  });

  it('sendBytes out of range is a RangeError and sends nothing', async () => {
    const [a, b] = Pipe();
    const buf = Buffer.from('abcdef');
    await expect(a.sendBytes(buf, -1)).rejects.toThrow(RangeError);
    await expect(a.sendBytes(buf, 7)).rejects.toThrow(RangeError);
    await expect(a.sendBytes(buf, 2, 5)).rejects.toThrow(RangeError);
    await expect(a.sendBytes(buf, 0, -1)).rejects.toThrow(RangeError);
    expect(await b.poll()).toBe(false);
    await a.sendBytes(buf, 2, 4);
    expect((await b.recvBytes()).toString()).toBe('cdef');
  });

  it('recvBytes(maxLength) on a longer message drops it with MessageTooLongError; the next message is fine', async () => {
    const [a, b] = Pipe();
    await a.sendBytes(Buffer.alloc(10));
    await a.sendBytes(Buffer.from('ok'));
    await expect(b.recvBytes(5)).rejects.toThrow(MessageTooLongError);
    expect((await b.recvBytes(5)).toString()).toBe('ok');
    await expect(b.recvBytes(-1)).rejects.toThrow(RangeError);
  });

  it('recvBytesInto fills a buffer at an offset; a short buffer gives BufferTooShort carrying the message', async () => {
    const [a, b] = Pipe();
    await a.sendBytes(Buffer.from('abc'));
    const into = Buffer.alloc(6, '.');
    expect(await b.recvBytesInto(into, 2)).toBe(3);
    expect(into.toString()).toBe('..abc.');
    await a.sendBytes(Buffer.from('toolong'));
    const err = await b.recvBytesInto(Buffer.alloc(3)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BufferTooShort);
    expect((err as BufferTooShort).bytes.toString()).toBe('toolong');
  });

  it('recvBytesInto a message bigger than the pipe’s ring: read straight into the buffer (any view, at an offset), or BufferTooShort with all of it', async () => {
    const [a, b] = Pipe();
    const big = Buffer.alloc(1 << 20);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7 + 3) & 0xff;
    const target = new ArrayBuffer(big.length + 8);
    const view = new DataView(target, 1); // not a Uint8Array, and not at the start of its memory
    new Uint8Array(target).fill(0xee);
    const sent = a.sendBytes(big);
    expect(await b.recvBytesInto(view, 5)).toBe(big.length);
    await sent;
    const bytes = new Uint8Array(target);
    expect(bytes.subarray(0, 6).every((x) => x === 0xee)).toBe(true);
    expect(Buffer.from(bytes.subarray(6, 6 + big.length)).equals(big)).toBe(true);
    expect(bytes.subarray(6 + big.length).every((x) => x === 0xee)).toBe(true);
    // Too small for it: the message is taken whole and handed back on the error.
    const again = a.sendBytes(big);
    const err = await b.recvBytesInto(Buffer.alloc(big.length - 1)).catch((e: unknown) => e);
    await again;
    expect(err).toBeInstanceOf(BufferTooShort);
    expect(Buffer.compare((err as BufferTooShort).bytes, big)).toBe(0);
  });

  it('recv times out within bounds with TimeoutError; a negative timeout is an ArgumentError', async () => {
    const [a] = Pipe();
    const t0 = performance.now();
    await expect(a.recv({ timeout: 200 })).rejects.toThrow(TimeoutError);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(120);
    expect(() => a.recvSync({ timeout: 50 })).toThrow(TimeoutError);
    await expect(a.recv({ timeout: -1 })).rejects.toThrow(ArgumentError);
    expect(await a.poll(100)).toBe(false);
  });

  it('EOFError once the other end is closed, after the buffered messages; a send to it is BrokenPipeError', async () => {
    const [a, b] = Pipe();
    await a.send(1);
    await a.send(2);
    a.close();
    expect(await b.recv()).toBe(1);
    expect(b.recvSync()).toBe(2);
    await expect(b.recv()).rejects.toThrow(EOFError);
    expect(await b.poll()).toBe(true); // the end is something to receive
    await expect(b.send(3)).rejects.toThrow(BrokenPipeError);
  });

  it('iterates until EOF, and await using closes', async () => {
    const [a, b] = Pipe();
    {
      await using w = a;
      for (const n of [1, 2, 3]) await w.send(n);
    }
    const got: unknown[] = [];
    for await (const v of b) got.push(v);
    expect(got).toEqual([1, 2, 3]);
  });

  it('wait() gives the ready connections, or none after its timeout', async () => {
    const [a1, b1] = Pipe();
    const [a2, b2] = Pipe();
    expect(await wait([b1, b2], 50)).toEqual([]);
    setTimeout(() => void a2.send('x'), 20);
    expect(await wait([b1, b2], 10_000)).toEqual([b2]);
    await a1.send('y');
    expect((await wait([b1, b2])).length).toBe(2);
  });
});

describe.each<ContextKind>(['thread', 'process'])('an end passed to a start that fails, in the %s context', (context) => {
  it('does not count as held: once the parent closes its copy, the other end sees EOF at once', async () => {
    const [a, b] = Pipe();
    // The end is reduced (a ticket reserved for the child), then the function after it cannot be sent.
    expect(() => new Process({ target: f.sendAll, args: [b, () => 1], context }).start()).toThrow(/cannot be copied/);
    b.close();
    const t0 = performance.now();
    await expect(a.recv({ timeout: 10_000 })).rejects.toThrow(EOFError); // was: a TimeoutError (the ticket counted for 2 minutes)
    expect(performance.now() - t0).toBeLessThan(5000);
    a.close();
  });
});

describe.each<ContextKind>(['thread', 'process'])('Pipe with children in the %s context', (context) => {
  it('one-way: the writer passed to a child, each side closing what it does not use; the reader ends on EOF (S004-7)', async () => {
    const [r, w] = Pipe(false);
    const child = start(context, f.sendAll, w, [1, 2, 3, 4]);
    w.close();
    const got: unknown[] = [];
    for await (const v of r) got.push(v);
    expect(got).toEqual([1, 2, 3, 4]);
    await child.join();
  });

  it('recvSync of a value naming a module the child cannot load at once (top-level await) throws ModuleNotLoadedError and loses nothing: poll sees it, recv() gives it', async () => {
    // @ts-expect-error -- plain JS fixture
    const tla = (await import('./fixtures/tla-value.mjs')) as { marker: () => string };
    const [a, b] = Pipe();
    const child = start(context, f.recvSyncThenRecv, b);
    await a.send({ fn: tla.marker, n: 7 });
    await a.send('after');
    expect(await child.join()).toEqual({ error: { name: 'ModuleNotLoadedError', code: 'ERR_IPC_NOT_LOADED' }, polled: true, called: 'tla', n: 7, next: 'after' });
    a.close();
    b.close();
  });

  it('what a child sent is there when join() returns, though its sends did not wait for their answers', async () => {
    const [r, w] = Pipe(false);
    const child = start(context, f.sendAndReturn, w, 2_000);
    expect(await child.join()).toBe(2_000);
    w.close();
    // Every writer is gone now, so the reader ends at EOF: whatever had not landed would be missing.
    const got: unknown[] = [];
    for await (const v of r) got.push(v);
    expect(got).toEqual(Array.from({ length: 2_000 }, (_, i) => i));
  });

  it('a reader that takes part of what is waiting and closes gives the rest back to the other holders, in order', async () => {
    const [r, w] = Pipe(false);
    for (let i = 0; i < 100; i++) await w.send(i);
    const child = start(context, f.recvSome, r, 10);
    expect(await child.join()).toEqual(Array.from({ length: 10 }, (_, i) => i));
    w.close();
    const rest: unknown[] = [];
    for await (const v of r) rest.push(v);
    expect(rest).toEqual(Array.from({ length: 90 }, (_, i) => i + 10));
  });

  it('duplex: an adder server in a child (S004-8)', async () => {
    const [mine, theirs] = Pipe();
    const child = start(context, f.adder, theirs);
    theirs.close();
    await mine.send([3, 4]);
    expect(await mine.recv()).toBe(7);
    mine.sendSync(['Hello, ', 'World!']);
    expect(await mine.recv()).toBe('Hello, World!');
    mine.close();
    expect(await child.join()).toBe(2);
  });

  it('the sync twins work in the child (pollSync, recvSync, sendSync)', async () => {
    const [mine, theirs] = Pipe();
    const child = start(context, f.echoSync, theirs);
    theirs.close();
    for (const v of ['a', 2, { three: [3n] }, '']) {
      await mine.send(v);
      expect(await mine.recv({ timeout: 20_000 })).toEqual(v);
    }
    mine.close();
    expect(await child.join()).toBe(4);
  });

  /** A child holding the only other end, once it says it is ready. */
  async function childHolding(target: Task): Promise<{ mine: Connection; child: Process }> {
    const [mine, theirs] = Pipe();
    const [ready, readyW] = Pipe(false);
    const child = start(context, target, theirs, readyW);
    theirs.close();
    readyW.close();
    expect(await ready.recv({ timeout: 20_000 })).toBe('ready');
    return { mine, child };
  }

  it('a child that dies holding the only other end gives EOF, not a hang', async () => {
    const { mine, child } = await childHolding(f.recvForever);
    child.kill();
    await child.join();
    await expect(mine.recv({ timeout: 20_000 })).rejects.toThrow(EOFError);
  });

  it('a send to a child that died holding the only other end is BrokenPipeError at once, even with room in the pipe', async () => {
    const { mine, child } = await childHolding(f.holdUntilKilled);
    mine.sendBytesSync(new Uint8Array(8)); // the pipe works while the child lives (it does not read)…
    child.kill();
    await child.join();
    // …and the first send after its death fails (a process's end goes when its connection closes, a moment after join).
    if (context === 'thread') expect(() => mine.sendBytesSync(new Uint8Array(8))).toThrow(BrokenPipeError);
    else await expect(eventuallyRejects(() => mine.sendBytes(new Uint8Array(8)))).resolves.toBeInstanceOf(BrokenPipeError);
  });

  it('an end passes on to a grandchild of the other context', async () => {
    const [r, w] = Pipe(false);
    const child = start(context, f.viaGrandchild, w, context === 'thread' ? 'process' : 'thread');
    w.close();
    expect(await r.recv({ timeout: 20_000 })).toBe('from the grandchild');
    await expect(r.recv({ timeout: 20_000 })).rejects.toThrow(EOFError);
    expect(await child.join()).toBe(0);
  });

  it('carries a 64 MiB message whole', async () => {
    const [r, w] = Pipe(false);
    const child = start(context, f.digestBytes, r, context === 'thread');
    const big = Buffer.alloc(64 << 20);
    for (let i = 0; i < big.length; i += 4096) big[i] = i & 255;
    await w.sendBytes(big);
    expect(await child.join()).toEqual({ length: big.length, sha: createHash('sha256').update(big).digest('hex') });
  });
});

describe('sync twins where this thread serves the pipe to a child process', () => {
  it('take what is there, and refuse to wait (StateError) rather than hang', async () => {
    const [r, w] = Pipe(false);
    const child = start('process', f.sendAll, w, ['one', 'two']);
    w.close();
    expect(() => r.recvSync({ timeout: 5_000 })).toThrow(StateError);
    expect(r.pollSync(0)).toBe(false);
    expect(await r.poll(20_000)).toBe(true);
    expect(r.pollSync(5_000)).toBe(true);
    expect(r.recvSync()).toBe('one');
    expect(await r.recv({ timeout: 20_000 })).toBe('two');
    await expect(r.recv({ timeout: 20_000 })).rejects.toThrow(EOFError);
    await child.join();
  });
});

describe('a 256 MiB message', () => {
  it('goes whole to a worker thread', async () => {
    const [r, w] = Pipe(false);
    const child = start('thread', f.digestBytes, r, true);
    const big = Buffer.alloc(256 << 20, 7);
    await w.sendBytes(big);
    expect(await child.join()).toEqual({ length: big.length, sha: createHash('sha256').update(big).digest('hex') });
  });
});
