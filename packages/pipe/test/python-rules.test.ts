// Rules of CPython's Lib/test/_test_multiprocessing.py (_TestConnection, _TestListener, _TestListenerClient,
// _TestPoll, TestWait, _TestPicklingConnections, OtherTest, ChallengeResponseTest) and of
// multiprocessing/connection.py that a porter relies on, with real children, sockets and Python peers.
// Python's OSError for a closed end or the wrong direction is our StateError; its ValueError for a bad
// offset or size, our RangeError; seconds are milliseconds.
import { execFile, spawn, type ChildProcessByStdio } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { Process} from '@ipc/core';
import { activeChildren, ArgumentError, EOFError, IpcError, StateError, type ContextKind } from '@ipc/core';
import { AuthenticationError, BufferTooShort, Client, Listener, Pipe, dumps, loads, wait, type Address, type Connection } from '@ipc/pipe';
import { start, type Task } from './_start.js';
import { pythons } from './_pythons.js';
// @ts-expect-error -- plain JS fixture, loaded in the children too
import * as fx from './fixtures/python-rules.mjs';

const f = fx as Record<'echoBytes' | 'sendStrings' | 'pollOnce' | 'sendDontMerge' | 'sendTen' | 'clientHello' | 'childAccess', Task>;
const run = promisify(execFile);
const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ipc-pipe-rules-'));
let sockets = 0;
const socketPath = (): string => join(dir, `s${++sockets}.sock`);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  expect(activeChildren()).toEqual([]);
});

/** CPython's assertTimingAlmostEqual, loosened for a shared machine: at least 0.6× the asked time, under 10×. */
function expectTimeout(ms: number, asked: number): void {
  expect(ms).toBeGreaterThanOrEqual(asked * 0.6);
  expect(ms).toBeLessThan(asked * 10);
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const v = await fn();
  return [v, performance.now() - t0];
}

/** A connected pair over a Listener: [client end, accepted end]. */
async function socketPair(family: 'AF_UNIX' | 'AF_INET', listener?: Listener): Promise<[Connection, Connection, Listener]> {
  const l = listener ?? new Listener({ family });
  await l.ready;
  const accepted = l.accept();
  const c = await Client(l.address);
  return [c, await accepted, l];
}

const TIMEOUT1 = 100; // CPython's TIMEOUT1 (0.1 s)
const SENTINEL = new Uint8Array(0);

describe.each<ContextKind>(['thread', 'process'])('_TestConnection, %s context', (context) => {
  it('test_connection (and test_spawn_close): values, bytes, recvBytesInto at byte offsets, BufferTooShort, poll timing, 16 MiB, then EOFError', async () => {
    const [conn, childConn] = Pipe();
    const p = start(context, f.echoBytes, childConn);
    childConn.close(); // test_spawn_close: at once, before the child has its copy

    const seq = [1, 2.25, null];
    await conn.send(seq);
    expect(await conn.recv()).toEqual(seq);
    await conn.sendBytes(Buffer.from('hello world'));
    expect((await conn.recvBytes()).toString()).toBe('hello world');

    // recv_bytes_into an array of ints: the offset counts bytes, as Python's does.
    const arr = new Int32Array([0, 1, 2, 3]);
    await conn.sendBytes(arr);
    let into = new Int32Array(10);
    expect(await conn.recvBytesInto(into)).toBe(16);
    expect([...into]).toEqual([0, 1, 2, 3, 0, 0, 0, 0, 0, 0]);
    await conn.sendBytes(arr);
    into = new Int32Array(10);
    expect(await conn.recvBytesInto(into, 3 * 4)).toBe(16);
    expect([...into]).toEqual([0, 0, 0, 0, 1, 2, 3, 0, 0, 0]);
    const longmsg = Buffer.from('hello world'.repeat(10));
    await conn.sendBytes(longmsg);
    const err = await conn.recvBytesInto(Buffer.alloc(40, ' ')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BufferTooShort);
    expect(Buffer.from((err as BufferTooShort).bytes).equals(longmsg)).toBe(true); // Python: e.args == (longmsg,)

    // poll() and poll(-1) look once; poll(TIMEOUT1) waits it out; with a message there it answers at once.
    let [ready, took] = await timed(() => conn.poll());
    expect(ready).toBe(false);
    expect(took).toBeLessThan(1000);
    [ready, took] = await timed(() => conn.poll(-1));
    expect(ready).toBe(false);
    expect(took).toBeLessThan(1000);
    [ready, took] = await timed(() => conn.poll(TIMEOUT1));
    expect(ready).toBe(false);
    expectTimeout(took, TIMEOUT1);
    await conn.send(null);
    expect(await conn.poll(20_000)).toBe(true); // (Python sleeps 0.1 s first, then poll(TIMEOUT1) is True at once)
    [ready, took] = await timed(() => conn.poll(10_000));
    expect(ready).toBe(true);
    expect(took).toBeLessThan(5_000); // at once, not at the timeout
    expect(await conn.recv()).toBeNull();

    const reallyBig = Buffer.alloc(16 << 20, 'X');
    const sent = conn.sendBytes(reallyBig);
    expect((await conn.recvBytes()).equals(reallyBig)).toBe(true);
    await sent;

    await conn.sendBytes(SENTINEL); // tells the child to quit
    expect(await p.join()).toBe(7);
    expect(conn.readable).toBe(true);
    expect(conn.writable).toBe(true);
    await expect(conn.recv()).rejects.toThrow(EOFError);
    await expect(conn.recvBytes()).rejects.toThrow(EOFError);
    await expect(conn.recvBytesInto(Buffer.alloc(4))).rejects.toThrow(EOFError);
    expect(() => conn.recvBytesSync()).toThrow(EOFError);
    await expect(conn.recv()).rejects.toThrow(EOFError); // and again: the end stays the end
    conn.close();
  });
});

describe('_TestConnection in one thread', () => {
  it('test_duplex_false: each one-way end refuses the other direction in every form (Python OSError)', async () => {
    const [reader, writer] = Pipe(false);
    await writer.send(1);
    expect(await reader.recv()).toBe(1);
    expect([reader.readable, reader.writable, writer.readable, writer.writable]).toEqual([true, false, false, true]);
    await expect(reader.sendBytes(Buffer.from('x'))).rejects.toThrow(StateError);
    expect(() => reader.sendSync(2)).toThrow(/read-only/);
    expect(() => reader.sendBytesSync(Buffer.from('x'))).toThrow(StateError);
    expect(() => reader.flush()).toThrow(StateError);
    await expect(writer.poll()).rejects.toThrow(/write-only/);
    expect(() => writer.pollSync()).toThrow(StateError);
    await expect(writer.recvBytes()).rejects.toThrow(StateError);
    await expect(writer.recvBytesInto(Buffer.alloc(4))).rejects.toThrow(StateError);
    expect(() => writer.recvSync()).toThrow(StateError);
    expect(() => writer.recvBytesSync()).toThrow(StateError);
    expect(reader.pollSync()).toBe(false); // nothing was sent by the refused calls
    reader.close();
    writer.close();
  });

  it('test_sendbytes: offset and size in bytes; offset == length (with or without size 0) sends an empty message; out of range sends nothing', async () => {
    const msg = Buffer.from('abcdefghijklmnopqrstuvwxyz');
    const [a, b] = Pipe();
    const got = async (): Promise<string> => (await b.recvBytes()).toString();
    await a.sendBytes(msg);
    expect(await got()).toBe('abcdefghijklmnopqrstuvwxyz');
    await a.sendBytes(msg, 5);
    expect(await got()).toBe('fghijklmnopqrstuvwxyz');
    await a.sendBytes(msg, 7, 8);
    expect(await got()).toBe('hijklmno');
    await a.sendBytes(msg, 26);
    expect(await got()).toBe('');
    a.sendBytesSync(msg, 26, 0);
    expect(await got()).toBe('');
    for (const [offset, size] of [[27, undefined], [22, 5], [26, 1], [-1, undefined], [4, -1]] as const) {
      await expect(a.sendBytes(msg, offset, size)).rejects.toThrow(RangeError);
      expect(() => a.sendBytesSync(msg, offset, size)).toThrow(RangeError);
    }
    expect(await b.poll()).toBe(false);
    // A typed array is taken as its bytes (Python's memoryview cast to 'B').
    await a.sendBytes(new Uint16Array([0x0102, 0x0304, 0x0506]), 2, 2);
    expect([...(await b.recvBytes())]).toEqual([0x04, 0x03]);
    await a.sendBytes(new Uint8Array([9, 8, 7]).buffer, 1);
    expect([...(await b.recvBytes())]).toEqual([8, 7]);
  });

  it('recv_bytes_into: offset == the buffer length takes an empty message; a longer one is BufferTooShort, consumed, and the next message is intact', async () => {
    const [a, b] = Pipe();
    await a.sendBytes(SENTINEL);
    expect(await b.recvBytesInto(Buffer.alloc(3), 3)).toBe(0);
    await expect(b.recvBytesInto(Buffer.alloc(3), 4)).rejects.toThrow(RangeError); // Python: "offset too large"
    await expect(b.recvBytesInto(Buffer.alloc(3), -1)).rejects.toThrow(RangeError); // Python: "negative offset"
    await a.sendBytes(Buffer.from('x'));
    await a.sendBytes(Buffer.from('ok'));
    const err = await b.recvBytesInto(Buffer.alloc(3), 3).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BufferTooShort);
    expect(Buffer.from((err as BufferTooShort).bytes).toString()).toBe('x');
    const into = Buffer.alloc(3, '.');
    expect(b.recvBytesIntoSync(into, 1)).toBe(2);
    expect(into.toString()).toBe('.ok');
  });

  it('recv_bytes_into takes any writable buffer: an ArrayBuffer too (as sendBytes does)', async () => {
    const [a, b] = Pipe();
    await a.sendBytes(new Uint8Array([1, 2, 3]).buffer);
    const ab = new ArrayBuffer(5);
    expect(await b.recvBytesInto(ab, 1)).toBe(3);
    expect([...new Uint8Array(ab)]).toEqual([0, 1, 2, 3, 0]);
    await a.sendBytes(Buffer.from('xy'));
    const sab = new SharedArrayBuffer(2);
    expect(b.recvBytesIntoSync(sab)).toBe(2);
    expect(Buffer.from(sab).toString()).toBe('xy');
    await expect(b.recvBytesInto('nope' as never)).rejects.toThrow(ArgumentError);
  });

  it('test_context: `await using` closes both ends; then every call is refused (Python OSError), close() again is a no-op', async () => {
    const [a, b] = Pipe();
    {
      await using a1 = a;
      await using b1 = b;
      await a1.send(1729);
      expect(await b1.recv()).toBe(1729);
      expect(a1.closed || b1.closed).toBe(false);
    }
    expect(a.closed && b.closed).toBe(true);
    await expect(a.recv()).rejects.toThrow(StateError);
    await expect(b.recvBytes()).rejects.toThrow(/closed/);
    await expect(b.recvBytesInto(Buffer.alloc(1))).rejects.toThrow(StateError);
    await expect(a.poll()).rejects.toThrow(StateError);
    await expect(a.sendBytes(Buffer.from('x'))).rejects.toThrow(StateError);
    expect(() => b.pollSync()).toThrow(StateError);
    expect(() => b.recvSync()).toThrow(StateError);
    a.close();
    expect(a.closed).toBe(true);
  });
});

describe.each<ContextKind>(['thread', 'process'])('_TestPoll, %s context', (context) => {
  it('test_strings: messages, empty ones among them, found by short polls and read whole', async () => {
    const strings = ['hello', '', 'a', 'b', '', 'bye', '', 'lop'];
    const [a, b] = Pipe();
    const p = start(context, f.sendStrings, b, strings, 10);
    b.close();
    for (const s of strings) {
      for (let i = 0; i < 2000; i++) if (await a.poll(10)) break;
      expect((await a.recvBytes()).toString()).toBe(s);
    }
    await p.join();
    a.close();
  });

  it('test_boundaries: a child that polls and ends without reading takes nothing with it', async () => {
    const [r, w] = Pipe(false);
    const [ready, readyW] = Pipe(false);
    const p = start(context, f.pollOnce, r, readyW, 20_000);
    readyW.close();
    expect(await ready.recv({ timeout: 20_000 })).toBe('polling');
    await w.sendBytes(Buffer.from('first'));
    await w.sendBytes(Buffer.from('second'));
    w.close();
    expect(await p.join()).toBe(true);
    // Python only asks that a whole message is there; we keep both, in order.
    expect((await r.recvBytes()).toString()).toBe('first');
    expect((await r.recvBytes()).toString()).toBe('second');
    await expect(r.recvBytes()).rejects.toThrow(EOFError);
    ready.close();
  });

  it('test_dont_merge: back-to-back messages stay apart; poll() never consumes', async () => {
    const [a, b] = Pipe();
    expect(await a.poll(0)).toBe(false);
    expect(await a.poll(TIMEOUT1)).toBe(false);
    const p = start(context, f.sendDontMerge, b);
    b.close();
    expect((await a.recvBytes(undefined, { timeout: 20_000 })).toString()).toBe('a');
    expect(await a.poll(1000)).toBe(true);
    expect(await a.poll(1000)).toBe(true);
    expect((await a.recvBytes()).toString()).toBe('b');
    expect(await a.poll(1000)).toBe(true);
    expect(await a.poll(1000)).toBe(true);
    expect(await a.poll(0)).toBe(true);
    expect((await a.recvBytes()).toString()).toBe('cd');
    await p.join();
    a.close();
  });
});

describe('_TestPoll in one thread', () => {
  it.each(['pipe', 'AF_UNIX', 'AF_INET'] as const)('test_empty_string (%s): an empty message is something to receive, and poll() leaves it there', async (kind) => {
    const [a, b, l] = kind === 'pipe' ? [...Pipe(), undefined] : await socketPair(kind);
    expect(await a.poll()).toBe(false);
    await b.sendBytes(SENTINEL);
    expect(await a.poll(20_000)).toBe(true);
    expect(await a.poll()).toBe(true);
    expect(a.pollSync()).toBe(true);
    expect((await a.recvBytes()).length).toBe(0);
    expect(await a.poll()).toBe(false);
    a.close();
    b.close();
    l?.close();
  });
});

describe("timeout=None: null waits for ever, as Python's None", () => {
  it.each(['pipe', 'AF_UNIX', 'AF_INET'] as const)('poll(null), recv({ timeout: null }) and wait([conn], null) wait for what comes (%s)', async (kind) => {
    const [a, b, l] = kind === 'pipe' ? [...Pipe(), undefined] : await socketPair(kind);
    let polled = false;
    const poll = a.poll(null).then((v) => ((polled = true), v));
    const waited = wait([a], null);
    // Not a synchronisation: the point is that nothing resolves early (a null timeout was an error, and a
    // timeout past 2^31 ms used to fire after 1 ms on a socket).
    await new Promise((r) => setTimeout(r, 30));
    expect(polled).toBe(false);
    await b.send('late');
    expect(await poll).toBe(true);
    expect(await waited).toEqual([a]);
    expect(await a.recv({ timeout: null })).toBe('late');
    const recv = a.recv({ timeout: 2 ** 31 + 10 });
    await b.send('later');
    expect(await recv).toBe('later');
    a.close();
    b.close();
    l?.close();
  });
});

describe('TestWait', () => {
  it.each([false, true])('test_wait (slow: %s): four children write ten values each; wait() gives the readers until each is at its end', async (slow) => {
    const readers: Connection[] = [];
    const procs: Process[] = [];
    for (let i = 0; i < 4; i++) {
      const [r, w] = Pipe(false);
      procs.push(start(i % 2 === 0 ? 'thread' : 'process', f.sendTen, w, i, slow));
      w.close();
      readers.push(r);
    }
    const messages: [number, number][] = [];
    let live = [...readers];
    while (live.length > 0) {
      for (const r of await wait(live, 20_000)) {
        try {
          messages.push(await r.recv());
        } catch (err) {
          if (!(err instanceof EOFError)) throw err;
          live = live.filter((x) => x !== r);
          r.close();
        }
      }
    }
    const key = ([i, id]: [number, number]): number => id * 100 + i;
    messages.sort((x, y) => key(x) - key(y));
    expect(messages).toEqual([0, 1, 2, 3].flatMap((id) => Array.from({ length: 10 }, (_, i) => [i, id])));
    await Promise.all(procs.map((p) => p.join()));
  });

  it('a timeout of 0 looks once: nothing, then exactly the ready ones', async () => {
    const [a, b] = Pipe();
    const [c, d] = Pipe();
    const [none, took] = await timed(() => wait([a, b, c, d], 0));
    expect(none).toEqual([]);
    expect(took).toBeLessThan(1000);
    await b.send(1);
    d.close(); // c is at its end: ready too
    expect(await wait([a, b, c, d], 0)).toEqual([a, c]);
    a.close();
    b.close();
    c.close();
  });

  it('gives [] only once its timeout has passed: an end closed by this thread during the wait does not end it early (Python: [] means the timeout)', async () => {
    const [a, b] = Pipe();
    const waiting = timed(() => wait([a], 200));
    a.close();
    const [got, took] = await waiting;
    expect(got).toEqual([]);
    expectTimeout(took, 200);
    b.close();
  });

  it('a timeout past a Node timer’s range (2^31 ms) is waited out, not cut to 1 ms', async () => {
    const [a, b] = Pipe();
    const warnings: string[] = [];
    const onWarning = (w: Error): number => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const waiting = wait([a], 2 ** 32);
      setTimeout(() => b.sendSync('late'), 50); // after the 1 ms an overflowing timer would fire at
      expect(await waiting).toEqual([a]);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).not.toContain('TimeoutOverflowWarning');
    } finally {
      process.off('warning', onWarning);
    }
    a.close();
    b.close();
  });

  it('watching a socket leaves no listener behind, whichever way the wait ends (a timeout of 0 included)', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const accepted = once(server, 'connection');
    const sock = connect((server.address() as { port: number }).port, '127.0.0.1');
    await once(sock, 'connect');
    const [peer] = (await accepted) as [Socket];
    const before = sock.listenerCount('readable');
    for (let i = 0; i < 20; i++) expect(await wait([sock], 0)).toEqual([]);
    expect(await wait([sock], 10)).toEqual([]);
    peer.write('x');
    expect(await wait([sock], 20_000)).toEqual([sock]);
    expect(sock.listenerCount('readable')).toBe(before);
    sock.destroy();
    peer.destroy();
    server.close();
  });

  it.each(['AF_UNIX', 'AF_INET'] as const)('connections from a Listener (%s): ready with a message, and at the peer’s end; timing of a wait on nothing', async (family) => {
    const [client, server, l] = await socketPair(family);
    const [none, took] = await timed(() => wait([client, server], TIMEOUT1));
    expect(none).toEqual([]);
    expectTimeout(took, TIMEOUT1);
    const waiting = wait([client, server], 20_000);
    await server.sendBytes(Buffer.from('hello'));
    expect(await waiting).toEqual([client]);
    expect(await wait([client, server], 0)).toEqual([client]);
    expect((await client.recvBytes()).toString()).toBe('hello');
    const end = wait([client, server], 20_000);
    client.close();
    expect(await end).toEqual([server]);
    await expect(server.recv()).rejects.toThrow(EOFError);
    server.close();
    l.close();
  });
});

describe('_TestListener', () => {
  it.each(['AF_UNIX', 'AF_INET'] as const)('test_multiple_bind (%s): a second Listener on the address of a live one is refused (Python OSError)', async (family) => {
    await using l = new Listener({ family });
    await l.ready;
    const again = new Listener({ address: l.address, family });
    await expect(again.ready).rejects.toMatchObject({ code: 'ERR_IPC_ADDRESS_IN_USE' });
    again.close();
  });

  it('an address Listener() chose can be listened on again once it is closed (its directory lives until the process ends, as util.get_temp_dir; _TestManagerRestart)', async () => {
    const first = new Listener();
    await first.ready;
    const address = first.address as string;
    await first[Symbol.asyncDispose]();
    expect(existsSync(address)).toBe(false);
    await using again = new Listener({ address });
    await again.ready;
    const accepted = again.accept();
    const c = await Client(address);
    const conn = await accepted;
    await c.send('back');
    expect(await conn.recv()).toBe('back');
    c.close();
    conn.close();
    // The directory goes with the process: a program that made one leaves none.
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', "import { Listener } from '@ipc/pipe'; const l = new Listener(); await l.ready; console.log(l.address); l.close();"], { cwd: fileURLToPath(new URL('.', import.meta.url)), timeout: 20_000 });
    const made = stdout.trim();
    expect(made).toMatch(/ipc-broker-\d+.*listener-/);
    expect(existsSync(join(made, '..'))).toBe(false);
  });

  it('test_context: `await using` closes the listener: accept() is refused after it, and an accept() waiting at close is refused too', async () => {
    let kept: Listener;
    let waiting: Promise<unknown>;
    {
      await using l = new Listener();
      kept = l;
      await l.ready;
      const accepted = l.accept();
      await using c = await Client(l.address);
      await using d = await accepted;
      await c.send(1729);
      expect(await d.recv()).toBe(1729);
      waiting = l.accept().catch((e: unknown) => e);
    }
    expect(await waiting).toBeInstanceOf(StateError);
    await expect(kept.accept()).rejects.toThrow(StateError);
  });

  it('a family it does not know, or an address of the other family, is an ArgumentError at the call (Python ValueError / TypeError)', () => {
    expect(() => new Listener({ family: 'AF_PIPE' as never })).toThrow(ArgumentError);
    expect(() => new Listener({ address: ['127.0.0.1', 0], family: 'AF_UNIX' })).toThrow(/AF_UNIX address is a socket path/);
    expect(() => new Listener({ address: socketPath(), family: 'AF_INET' })).toThrow(ArgumentError);
  });

  it('close() removes the Unix socket file (Python unlinks it), so the path can be listened on again; connecting then fails with ERR_IPC_CONNECT', async () => {
    const path = socketPath();
    const l = new Listener({ address: path });
    await l.ready;
    expect(existsSync(path)).toBe(true);
    l.close();
    expect(existsSync(path)).toBe(false);
    await expect(Client(path)).rejects.toMatchObject({ code: 'ERR_IPC_CONNECT' });
    await using again = new Listener({ address: path });
    await again.ready;
    const accepted = again.accept();
    const c = await Client(path);
    await c.send('again');
    expect(await (await accepted).recv()).toBe('again');
    c.close();
  });

  it('a refused TCP connection is IpcError ERR_IPC_CONNECT with the cause', async () => {
    const l = new Listener({ family: 'AF_INET' });
    await l.ready;
    const address = l.address;
    await new Promise<void>((resolve) => {
      l.close();
      setImmediate(resolve);
    });
    const err = await Client(address).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IpcError);
    expect((err as IpcError).code).toBe('ERR_IPC_CONNECT');
    expect(((err as Error).cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });

  it('a [host, port] address is IPv4 and reported as bound, as Python’s AF_INET getsockname(): localhost → 127.0.0.1', async () => {
    await using l = new Listener({ address: ['localhost', 0] });
    await l.ready;
    const [host, port] = l.address as [string, number];
    expect(host).toBe('127.0.0.1');
    expect(port).toBeGreaterThan(0);
    const accepted = l.accept();
    const c = await Client(['localhost', port]);
    await c.send('v4');
    expect(await (await accepted).recv()).toBe('v4');
    c.close();
  });

  it.runIf(process.platform === 'linux')('test_abstract_socket: a Linux abstract socket name ("\\0…") is an address, and closing leaves nothing to unlink', async () => {
    const name = `\0ipc-pipe-rules-${process.pid}`;
    {
      await using l = new Listener({ address: name, authkey: 'k' });
      await l.ready;
      expect(l.address).toBe(name);
      const accepted = l.accept();
      const c = await Client(name, { authkey: 'k' });
      await c.send(1729);
      expect(await (await accepted).recv()).toBe(1729);
      c.close();
      const busy = new Listener({ address: name });
      await expect(busy.ready).rejects.toMatchObject({ code: 'ERR_IPC_ADDRESS_IN_USE' });
      busy.close();
    }
    await using again = new Listener({ address: name });
    await again.ready;
  });

  it.each<[string, string | Uint8Array]>([
    ['an empty string', ''],
    ['empty bytes', new Uint8Array(0)],
  ])('test_empty_authkey: %s is an authkey (the handshake runs), not "no authkey"', async (_, key) => {
    await using l = new Listener({ authkey: key });
    await l.ready;
    const accepted = l.accept();
    const c = await Client(l.address, { authkey: key });
    await c.send(1729);
    expect(await (await accepted).recv()).toBe(1729);
    c.close();
    // A client without the key is refused, so the handshake did run.
    const refused = l.accept().catch((e: unknown) => e);
    await expect(Client(l.address, { authkey: 'not empty' })).rejects.toThrow(AuthenticationError);
    expect(await refused).toBeInstanceOf(AuthenticationError);
  });
});

describe.each<ContextKind>(['thread', 'process'])('_TestListenerClient, %s context', (context) => {
  it.each(['AF_UNIX', 'AF_INET'] as const)('test_listener_client (%s): a child connects and sends', async (family) => {
    await using l = new Listener({ family, authkey: 'key' });
    await l.ready;
    const p = start(context, f.clientHello, l.address, 'key');
    const conn = await l.accept();
    expect(await conn.recv({ timeout: 20_000 })).toBe('hello');
    await p.join();
    expect(p.exitCode).toBe(0);
    conn.close();
  });

  it('test_issue14725: a client that connected, sent and ended before accept() is still accepted; its message, then EOFError', async () => {
    await using l = new Listener();
    await l.ready;
    const p = start(context, f.clientHello, l.address);
    await p.join();
    expect(p.exitCode).toBe(0);
    const conn = await l.accept();
    expect(await conn.recv()).toBe('hello');
    await expect(conn.recv()).rejects.toThrow(EOFError);
    conn.close();
  });
});

describe('_TestListenerClient in one thread', () => {
  it.each(['AF_UNIX', 'AF_INET'] as const)('test_issue16955 (%s): poll(1000) sees a message sent by the accepted end; poll(TIMEOUT1) waits it out', async (family) => {
    const [c, a, l] = await socketPair(family);
    const [none, took] = await timed(() => c.poll(TIMEOUT1));
    expect(none).toBe(false);
    expectTimeout(took, TIMEOUT1);
    await a.sendBytes(Buffer.from('hello'));
    expect(await c.poll(1000)).toBe(true);
    a.close();
    c.close();
    l.close();
  });

  it('a socket connection gives what was sent before the peer closed (values, bytes, empty), then EOFError every time; a send then is BrokenPipeError', async () => {
    const [c, s, l] = await socketPair('AF_INET');
    await s.send(1);
    s.sendSync([2]);
    s.sendBytesSync(Buffer.from('three'));
    s.sendBytesSync(SENTINEL);
    s.close(); // in the same tick as the sends: they are written first
    expect(await c.recv()).toBe(1);
    expect(await c.recv()).toEqual([2]);
    expect((await c.recvBytes()).toString()).toBe('three');
    expect((await c.recvBytes()).length).toBe(0);
    await expect(c.recv()).rejects.toThrow(EOFError);
    await expect(c.recvBytes()).rejects.toThrow(EOFError);
    expect(await c.poll()).toBe(true);
    await expect(c.send(4)).rejects.toMatchObject({ code: 'ERR_IPC_BROKEN_PIPE' });
    c.close();
    l.close();
  });
});

describe('_TestPicklingConnections', () => {
  it.each<ContextKind>(['thread', 'process'])('test_access (%s): pipe ends sent through a connection work at the other side', async (context) => {
    const [conn, childConn] = Pipe();
    const p = start(context, f.childAccess, childConn);
    childConn.close();
    let [r, w] = Pipe(false);
    await conn.send(w);
    w.close();
    expect(await r.recv({ timeout: 20_000 })).toBe('all is well');
    r.close();
    [r, w] = Pipe(false);
    await conn.send(r);
    r.close();
    await w.send('foobar');
    w.close();
    expect(await conn.recv({ timeout: 20_000 })).toBe('foobarfoobar');
    await p.join();
    expect(p.exitCode).toBe(0);
    conn.close();
  });

  it('test_pickling: a socket connection cannot be sent (it belongs to its process): a clear error at the send, nothing sent', async () => {
    const [c, s, l] = await socketPair('AF_UNIX');
    const [a, b] = Pipe();
    await expect(a.send(c)).rejects.toThrow(/network connection belongs to the process that opened it/);
    expect(await b.poll()).toBe(false);
    for (const x of [a, b, c, s]) x.close();
    l.close();
  });
});

// ---- The handshake, against raw peers (OtherTest, ChallengeResponseTest) ----

/** Whole frames of Python's framing over a raw socket. */
function frames(sock: Socket): { next(): Promise<Buffer>; send(b: Uint8Array): void } {
  let buf = Buffer.alloc(0);
  const ready: Buffer[] = [];
  let wake: (() => void) | undefined;
  sock.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
      const n = buf.readInt32BE(0);
      ready.push(buf.subarray(4, 4 + n));
      buf = buf.subarray(4 + n);
    }
    wake?.();
  });
  return {
    next: async () => {
      while (ready.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      return ready.shift()!;
    },
    send: (b) => {
      const h = Buffer.alloc(4);
      h.writeInt32BE(b.byteLength, 0);
      sock.write(Buffer.concat([h, b]));
    },
  };
}

/** A raw TCP server whose first connection is handled by `handle`. */
async function rawServer(handle: (sock: Socket) => Promise<void>): Promise<{ address: Address; done: Promise<void>; server: Server }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const done = once(server, 'connection').then(async ([sock]) => {
    const s = sock as Socket;
    s.on('error', () => undefined);
    try {
      await handle(s);
    } finally {
      s.destroy();
      server.close();
    }
  });
  return { address: ['127.0.0.1', (server.address() as { port: number }).port], done, server };
}

const hmac = (digest: string, key: string, msg: Buffer): Buffer => createHmac(digest, key).update(msg).digest();

describe('OtherTest and ChallengeResponseTest: the HMAC handshake', () => {
  it('test_deliver_challenge_auth_failure: a bogus answer to our challenge gets #FAILURE# and AuthenticationError from accept()', async () => {
    await using l = new Listener({ family: 'AF_INET', authkey: 'abc' });
    await l.ready;
    const refused = l.accept().catch((e: unknown) => e);
    const sock = connect((l.address as [string, number])[1], '127.0.0.1');
    sock.on('error', () => undefined);
    const io = frames(sock);
    const challenge = await io.next();
    expect(challenge.subarray(0, 11).toString()).toBe('#CHALLENGE#');
    expect(challenge.subarray(11, 19).toString()).toBe('{sha256}');
    io.send(Buffer.from('something bogus'));
    expect((await io.next()).toString()).toBe('#FAILURE#');
    expect(await refused).toBeInstanceOf(AuthenticationError);
    sock.destroy();
  });

  it('test_answer_challenge_auth_failure: a challenge too short, or a bogus verdict on our answer, is AuthenticationError for the Client', async () => {
    const short = await rawServer(async (sock) => {
      frames(sock).send(Buffer.from('#CHALLENGE#'));
      await once(sock, 'close');
    });
    await expect(Client(short.address, { authkey: 'abc', handshakeTimeout: 10_000 })).rejects.toThrow(AuthenticationError);
    await short.done;
    const bogus = await rawServer(async (sock) => {
      const io = frames(sock);
      io.send(Buffer.concat([Buffer.from('#CHALLENGE#{sha256}'), randomBytes(40)]));
      await io.next();
      io.send(Buffer.from('something bogus'));
      await once(sock, 'close');
    });
    await expect(Client(bogus.address, { authkey: 'abc', handshakeTimeout: 10_000 })).rejects.toThrow(/rejected/);
    await bogus.done;
  });

  it.each<[string, string]>([
    ['legacy (a bare 20-byte message: HMAC-MD5, no prefix)', ''],
    ['md5', 'md5'],
    ['sha256', 'sha256'],
    ['sha384', 'sha384'],
  ])('test_challengeresponse, %s: the Client answers the digest asked; a legacy peer’s bare HMAC-MD5 answer to our challenge is accepted', async (_, algo) => {
    const key = 'supadupasecretkey';
    const server = await rawServer(async (sock) => {
      const io = frames(sock);
      const prefix = algo === '' ? '' : `{${algo}}`;
      const message = Buffer.concat([Buffer.from(prefix), Buffer.from('is-twenty-bytes-long')]);
      io.send(Buffer.concat([Buffer.from('#CHALLENGE#'), message]));
      const answer = await io.next();
      const expected = algo === '' ? hmac('md5', key, message) : Buffer.concat([Buffer.from(prefix), hmac(algo, key, message)]);
      io.send(Buffer.from(answer.equals(expected) ? '#WELCOME#' : '#FAILURE#'));
      // Now the Client challenges us: answer as Python 3.11 does, with a bare HMAC-MD5 of the whole message.
      const theirs = (await io.next()).subarray(11);
      io.send(hmac('md5', key, theirs));
      expect((await io.next()).toString()).toBe('#WELCOME#');
      io.send(Buffer.from([0x80, 0x04, 0x4b, 0x07, 0x2e])); // pickle of 7
      await once(sock, 'close');
    });
    const conn = await Client(server.address, { authkey: key, handshakeTimeout: 10_000 });
    expect(await conn.recv({ timeout: 10_000 })).toBe(7);
    conn.close();
    await server.done;
  });
});

// ---- Real Python peers ----

const pys = pythons();

/** Lines a child prints, one at a time (bounded). */
function lines(stream: Readable): () => Promise<string> {
  const got: string[] = [];
  let partial = '';
  let wake: (() => void) | undefined;
  stream.setEncoding('utf8').on('data', (d: string) => {
    const parts = (partial + d).split('\n');
    partial = parts.pop()!;
    got.push(...parts);
    wake?.();
  });
  return async () => {
    const end = performance.now() + 20_000;
    while (got.length === 0) {
      if (performance.now() > end) throw new Error('no line from the Python peer');
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 1000);
      });
    }
    return got.shift()!;
  };
}

const PY_CLIENT = `
import json, sys, time
from multiprocessing import BufferTooShort
from multiprocessing.connection import Client
address = json.loads(sys.argv[1])
address = tuple(address) if isinstance(address, list) else address
out = []
with Client(address, authkey=sys.argv[2].encode()) as c:
    t = time.monotonic(); out.append(c.poll(0.1)); out.append((time.monotonic() - t) * 1000)
    c.send_bytes(b'ready')
    out.append(c.poll(20))
    big = c.recv_bytes()
    out.append(big == b'X' * (16 << 20))
    c.send_bytes(big)
    msg = b'abcdefghijklmnopqrstuvwxyz'
    c.send_bytes(msg, 26); c.send_bytes(msg, 7, 8); c.send_bytes(msg, 5)
    try:
        c.recv_bytes_into(bytearray(4)); out.append('no error')
    except BufferTooShort as e:
        out.append(e.args[0].decode())
    buf = bytearray(b'.' * 6)
    out.append(c.recv_bytes_into(buf, 2)); out.append(buf.decode())
    out.append(c.recv()); out.append(c.recv())
    try:
        c.recv(); out.append('no EOF')
    except EOFError:
        out.append('EOFError')
    out.append(c.poll())
print(json.dumps(out))
`;

describe.skipIf(pys.length === 0)('a Python peer', () => {
  it.each(['AF_UNIX', 'AF_INET'] as const)('its Client, our Listener (%s): poll timing, 16 MiB both ways, send_bytes offsets, BufferTooShort, EOFError after our last messages', async (family) => {
    await using l = new Listener({ family, authkey: 'secret' });
    await l.ready;
    const py = run(pys[0]!, ['-c', PY_CLIENT, JSON.stringify(l.address), 'secret'], { timeout: 25_000 });
    const conn = await l.accept();
    expect((await conn.recvBytes(undefined, { timeout: 20_000 })).toString()).toBe('ready');
    const big = Buffer.alloc(16 << 20, 'X');
    await conn.sendBytes(big);
    expect((await conn.recvBytes()).equals(big)).toBe(true);
    expect((await conn.recvBytes()).length).toBe(0);
    expect((await conn.recvBytes()).toString()).toBe('hijklmno');
    expect((await conn.recvBytes()).toString()).toBe('fghijklmnopqrstuvwxyz');
    await conn.sendBytes(Buffer.from('toolong'));
    await conn.sendBytes(Buffer.from('abc'));
    await conn.send('one');
    await conn.send([2, null]);
    conn.close();
    const out = JSON.parse((await py).stdout) as unknown[];
    expect(out[0]).toBe(false);
    expectTimeout(out[1] as number, TIMEOUT1);
    expect(out.slice(2)).toEqual([true, true, 'toolong', 3, '..abc.', 'one', [2, null], 'EOFError', true]);
  });

  it('its Client sends and ends before our accept() (test_issue14725): we get what it sent, then EOFError', async () => {
    await using l = new Listener({ family: 'AF_INET', authkey: 'k' });
    await l.ready;
    await run(pys[0]!, ['-c', 'import sys; from multiprocessing.connection import Client\nc = Client(("127.0.0.1", int(sys.argv[1])), authkey=b"k"); c.send("hello"); c.send_bytes(b""); c.send((1, 2.5)); c.close()', String(l.address[1])], { timeout: 20_000 });
    const conn = await l.accept();
    expect(await conn.recv()).toBe('hello');
    expect((await conn.recvBytes()).length).toBe(0);
    expect(await conn.recv()).toEqual([1, 2.5]);
    await expect(conn.recv()).rejects.toThrow(EOFError);
    conn.close();
  });

  it.each(pys)('%s: its Client with a wrong authkey gets AuthenticationError, and so does our accept(); an empty authkey is a key (test_empty_authkey)', async (py) => {
    await using l = new Listener({ authkey: '' });
    await l.ready;
    const refused = l.accept().catch((e: unknown) => e);
    const wrong = await run(py, ['-c', 'import sys; from multiprocessing.connection import Client\ntry:\n    Client(sys.argv[1], authkey=b"x")\nexcept Exception as e:\n    print(type(e).__name__)', l.address as string], { timeout: 20_000 });
    expect(wrong.stdout.trim()).toBe('AuthenticationError');
    expect(await refused).toBeInstanceOf(AuthenticationError);
    const accepted = l.accept();
    const right = run(py, ['-c', 'import sys; from multiprocessing.connection import Client\nc = Client(sys.argv[1], authkey=b""); c.send(1729); print(c.recv())', l.address as string], { timeout: 20_000 });
    const conn = await accepted;
    expect(await conn.recv()).toBe(1729);
    await conn.send('welcome');
    expect((await right).stdout.trim()).toBe('welcome');
    conn.close();
  });

  it('a dict with tuple keys that Python sent goes back to it as it came (array keys of a Map are written as tuples)', async () => {
    const theirs = await run(pys[0]!, ['-c', 'import pickle, sys; sys.stdout.write(pickle.dumps({(1, (2, "x")): "b", 3: [4], (): None}, protocol=4).hex())'], { timeout: 20_000 });
    const got = loads(Buffer.from(theirs.stdout, 'hex'));
    expect(got).toEqual(new Map<unknown, unknown>([[[1, [2, 'x']], 'b'], [3, [4]], [[], null]]));
    const back = await run(pys[0]!, ['-c', 'import pickle, sys; print(pickle.loads(bytes.fromhex(sys.argv[1])) == {(1, (2, "x")): "b", 3: [4], (): None})', dumps(got).toString('hex')], { timeout: 20_000 });
    expect(back.stdout.trim()).toBe('True');
    expect(() => dumps(new Map([[{ a: 1 }, 1]]))).toThrow(/not hashable/); // at the send, not as a TypeError in Python
  });

  it('its Client connects to ("localhost", port) of our Listener on "localhost" (Python binds AF_INET)', async () => {
    await using l = new Listener({ address: ['localhost', 0] });
    await l.ready;
    const accepted = l.accept();
    const py = run(pys[0]!, ['-c', 'import sys; from multiprocessing.connection import Client\nc = Client(("localhost", int(sys.argv[1]))); c.send("hi"); print(c.recv())', String(l.address[1])], { timeout: 20_000 });
    const conn = await accepted;
    expect(await conn.recv()).toBe('hi');
    await conn.send('hi back');
    expect((await py).stdout.trim()).toBe('hi back');
    conn.close();
  });

  it('our Client, its AF_UNIX Listener: a wrong authkey refused on both sides, then values and bytes, then EOF at its end', async () => {
    const path = socketPath();
    const child: ChildProcessByStdio<null, Readable, null> = spawn(pys[0]!, [fixture('py_listener.py'), 'AF_UNIX', 'secret', path], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const next = lines(child.stdout);
      expect(JSON.parse(await next())).toBe(path);
      await expect(Client(path, { authkey: 'not it' })).rejects.toThrow(AuthenticationError);
      expect(await next()).toBe('refused AuthenticationError');
      const conn = await Client(path, { authkey: Buffer.from('secret') });
      await conn.send('value');
      await conn.send({ a: [1, 2.5, 'x'], b: null });
      expect(await conn.recv()).toEqual({ a: [1, 2.5, 'x'], b: null });
      await conn.send('bytes');
      await conn.sendBytes(Buffer.from('abcdef'), 2, 3);
      expect((await conn.recvBytes()).toString()).toBe('cde');
      conn.close();
      expect(await next()).toBe('done');
    } finally {
      child.kill();
    }
  });
});
