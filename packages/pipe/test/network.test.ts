import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { EOFError, TimeoutError, decodePlain, deserialize, type IpcError } from '@ipc/core';
import { AuthenticationError, Client, Listener, PickleError, dumps, loads, type Address, type Connection } from '@ipc/pipe';
import { pythons } from './_pythons.js';

const run = promisify(execFile);
const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ipc-pipe-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pys = pythons();

/** The S004-10 server: adds what it gets; echoes ['echo', x]; echoes raw bytes (sent with send_bytes) as they are. */
async function serve(conn: Connection): Promise<void> {
  try {
    for (;;) {
      let raw: Buffer;
      try {
        raw = await conn.recvBytes();
      } catch (err) {
        if ((err as IpcError).code === 'ERR_IPC_EOF') return;
        throw err;
      }
      // A value is a pickle (0x80), v8's structured clone (0xFF) or core's plain form (0xFE); anything else is raw bytes.
      if (raw[0] !== 0x80 && raw[0] !== 0xff && raw[0] !== 0xfe) {
        await conn.sendBytes(raw);
        continue;
      }
      const v: unknown = raw[0] === 0x80 ? loads(raw) : raw[0] === 0xfe ? decodePlain(raw) : await deserialize(raw);
      if (Array.isArray(v) && v[0] === 'echo') await conn.send(v);
      else if (Array.isArray(v)) await conn.send((v as unknown[]).reduce((x, y) => (x as number) + (y as number)));
    }
  } finally {
    conn.close();
  }
}

describe('Listener and Client between @ipc peers', () => {
  it.each<[string, () => Address]>([
    ['Unix socket', () => join(dir, 'a.sock')],
    ['TCP', () => ['127.0.0.1', 0]],
  ])('%s: authenticated, values and bytes both ways (S004-10)', async (_, address) => {
    await using listener = new Listener({ address: address(), authkey: 'secret password' });
    await listener.ready;
    const served = listener.accept().then(serve);
    const conn = await Client(listener.address, { authkey: 'secret password', serializer: 'v8' });
    await conn.send([2, 3]);
    expect(await conn.recv()).toBe(5);
    await conn.send(['Hello, ', 'World!']);
    expect(await conn.recv()).toBe('Hello, World!');
    await conn.send(['echo', { m: new Map([[1, 2]]) }]);
    expect(await conn.recv()).toEqual(['echo', { m: new Map([[1, 2]]) }]);
    conn.close();
    await served;
  });

  it('a wrong authkey is refused on both sides; the listener goes on serving others', async () => {
    await using listener = new Listener({ address: ['127.0.0.1', 0], authkey: 'right' });
    await listener.ready;
    const refused = listener.accept().catch((e: unknown) => e);
    await expect(Client(listener.address, { authkey: 'wrong' })).rejects.toThrow(AuthenticationError);
    expect(await refused).toBeInstanceOf(AuthenticationError);
    const served = listener.accept().then(serve);
    const conn = await Client(listener.address, { authkey: 'right' });
    await conn.send([1, 1]);
    expect(await conn.recv()).toBe(2);
    conn.close();
    await served;
  });

  it('an accepted connection outlives its listener', async () => {
    const listener = new Listener({ address: ['127.0.0.1', 0] });
    await listener.ready;
    const accepted = listener.accept();
    const conn = await Client(listener.address);
    const server = await accepted;
    listener.close();
    await conn.send('still there');
    expect(await server.recv({ timeout: 10_000 })).toBe('still there');
    server.close();
    await expect(conn.recv({ timeout: 10_000 })).rejects.toThrow(EOFError);
    conn.close();
  });

  it('binding an address in use is a clear error', async () => {
    const path = join(dir, 'busy.sock');
    await using first = new Listener({ address: path });
    await first.ready;
    const second = new Listener({ address: path });
    await expect(second.ready).rejects.toThrow(/already in use/);
    second.close();
  });
});

describe('hostile input on a Listener', () => {
  async function rawClient(address: Address, bytes: Buffer, end: boolean): Promise<void> {
    const s = typeof address === 'string' ? connect(address) : connect(address[1], address[0]);
    await once(s, 'connect');
    s.resume(); // read what the server says (the challenge), so its end is seen
    s.on('error', () => undefined);
    s.write(bytes);
    if (end) s.end();
    await once(s, 'close');
  }

  it('an oversized length prefix, a truncated frame, garbage before the handshake, and a silent client each end only their own connection', async () => {
    await using listener = new Listener({ address: ['127.0.0.1', 0], authkey: 'k', maxMessage: 1024, handshakeTimeout: 300 });
    await listener.ready;
    const outcomes: unknown[] = [];
    const collect = (async () => {
      for (let i = 0; i < 4; i++) outcomes.push(await listener.accept().catch((e: unknown) => (e as Error).constructor.name));
    })();
    await rawClient(listener.address, Buffer.from([0x7f, 0xff, 0xff, 0xff, 1, 2, 3]), false); // 2 GiB frame announced
    await rawClient(listener.address, Buffer.from([0, 0, 0, 50, 1, 2]), true); // truncated
    await rawClient(listener.address, Buffer.concat([Buffer.from([0, 0, 0, 5]), Buffer.from('GET /')]), false); // garbage instead of an answer
    const silent = connect(listener.address[1] as number, '127.0.0.1');
    silent.resume();
    await once(silent, 'close'); // dropped after the handshake timeout
    await collect;
    expect(outcomes).toHaveLength(4);
    expect(outcomes.every((o) => typeof o === 'string')).toBe(true);
    expect(outcomes).toContain('TimeoutError');
    // An honest client is still served.
    const served = listener.accept().then(serve);
    const conn = await Client(listener.address, { authkey: 'k' });
    await conn.send([20, 22]);
    expect(await conn.recv()).toBe(42);
    conn.close();
    await served;
  });
});

describe('the safe pickle codec', () => {
  it('round-trips what it carries', () => {
    const v = [null, true, false, 0, -1, 255, 65_535, 2 ** 31 - 1, -(2 ** 31), 2 ** 40, 10n ** 30n, -(10n ** 30n), 1.5, 'héllo', Buffer.from([1, 2]), [1, [2]], { a: 1, b: [null] }];
    expect(loads(dumps(v))).toEqual([null, true, false, 0, -1, 255, 65_535, 2 ** 31 - 1, -(2 ** 31), 2 ** 40, 10n ** 30n, -(10n ** 30n), 1.5, 'héllo', Buffer.from([1, 2]), [1, [2]], { a: 1, b: [null] }]);
    expect(() => dumps({ f: () => 1 })).toThrow(PickleError);
    expect(() => dumps(new Date())).toThrow(PickleError);
  });

  it('keeps the sign of zero and the float specials (-0 is a float to Python, not the int 0)', () => {
    const back = loads(dumps([-0, 0, Number.NaN, Infinity, -Infinity])) as number[];
    expect(Object.is(back[0], -0)).toBe(true);
    expect(Object.is(back[1], 0)).toBe(true);
    expect(back.slice(2)).toEqual([Number.NaN, Infinity, -Infinity]);
  });

  it.skipIf(pys.length === 0)('Python reads -0 as the float -0.0', async () => {
    const { stdout } = await run(pys[0]!, ['-c', 'import pickle,sys; v = pickle.loads(bytes.fromhex(sys.argv[1])); print(repr(v))', dumps([-0, 0]).toString('hex')]);
    expect(stdout.trim()).toBe('[-0.0, 0]');
  });

  it.skipIf(pys.length === 0)('reads what Python writes, and refuses what would run code', async () => {
    const py = pys[0]!;
    const { stdout } = await run(py, ['-c', 'import pickle,sys; sys.stdout.write(pickle.dumps((1, "a", b"b", None, 2**100, [1.5, {"k": (2,)}], {1: 2}), protocol=int(sys.argv[1])).hex())', '4']);
    expect(loads(Buffer.from(stdout, 'hex'))).toEqual([1, 'a', Buffer.from('b'), null, 2n ** 100n, [1.5, { k: [2] }], new Map([[1, 2]])]);
    const evil = await run(py, ['-c', 'import pickle,sys,os; sys.stdout.write(pickle.dumps(os.system).hex())']);
    expect(() => loads(Buffer.from(evil.stdout, 'hex'))).toThrow(/not allowed/);
    expect(() => loads(Buffer.from('80035d71', 'hex'))).toThrow(PickleError); // truncated
  });

  it.skipIf(pys.length === 0)('carries strings with lone surrogates both ways, as Python\'s surrogatepass does', async () => {
    const py = pys[0]!;
    const strings = ['\uD800', 'a\uDC00b', 'é\uD83D', '😀\uDBFF😀', 'plain é 😀'];
    expect(loads(dumps(strings))).toEqual(strings);
    // What Python writes, we read exactly…
    const theirs = await run(py, ['-c', 'import pickle,sys; sys.stdout.write(pickle.dumps(["\\ud800", "a\\udc00b", "\\xe9\\ud83d", "\\U0001F600\\udbff\\U0001F600", "plain \\xe9 \\U0001F600"], protocol=4).hex())']);
    expect(loads(Buffer.from(theirs.stdout, 'hex'))).toEqual(strings);
    // …and what we write, Python reads exactly (its code points, printed).
    const ours = await run(py, ['-c', 'import pickle,sys; print([[ord(c) for c in s] for s in pickle.loads(bytes.fromhex(sys.argv[1]))])', dumps(strings).toString('hex')]);
    expect(JSON.parse(ours.stdout)).toEqual(strings.map((s) => [...s].map((ch) => ch.codePointAt(0))));
  });
});

describe.skipIf(pys.length === 0)('Python as a peer (%s)', () => {
  it.each(pys)('%s: its Client talks to our Listener (Unix and TCP)', async (py) => {
    for (const address of [join(dir, `py-${Math.random().toString(36).slice(2)}.sock`), ['127.0.0.1', 0] as const]) {
      await using listener = new Listener({ address, authkey: 'secret' });
      await listener.ready;
      const served = listener.accept().then(serve);
      const { stdout } = await run(py, [fixture('py_client.py'), JSON.stringify(listener.address), 'secret'], { timeout: 20_000 });
      expect(stdout).toMatch(/^ok 3 /);
      await served;
    }
  });

  it.each(pys)('%s: our Client talks to its Listener; a wrong authkey is refused on both sides', async (py) => {
    const child = spawn(py, [fixture('py_listener.py'), 'AF_INET', 'secret'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const lines: string[] = [];
      let buffered = '';
      const nextLine = (): Promise<string> =>
        new Promise((resolve, reject) => {
          const look = (): void => {
            if (lines.length > 0) return resolve(lines.shift()!);
            const timer = setTimeout(() => reject(new TimeoutError('no line from the Python listener')), 15_000);
            child.stdout.once('data', () => {
              clearTimeout(timer);
              look();
            });
          };
          look();
        });
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        buffered += d;
        const parts = buffered.split('\n');
        buffered = parts.pop()!;
        lines.push(...parts);
      });
      const address = JSON.parse(await nextLine()) as [string, number];
      await expect(Client(address, { authkey: 'not it' })).rejects.toThrow(AuthenticationError);
      expect(await nextLine()).toBe('refused AuthenticationError');
      const conn = await Client(address, { authkey: 'secret' });
      await conn.send('value');
      await conn.send([1, 'two', null, 2n ** 80n, { three: 3.5 }, Buffer.from('four')]);
      expect(await conn.recv()).toEqual([1, 'two', null, 2n ** 80n, { three: 3.5 }, Buffer.from('four')]);
      await conn.send('bytes');
      await conn.sendBytes(Buffer.from('raw'));
      expect((await conn.recvBytes()).toString()).toBe('raw');
      conn.close();
      expect(await nextLine()).toBe('done');
    } finally {
      child.kill();
    }
  });
});
