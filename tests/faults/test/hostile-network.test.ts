import { once } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import './_leaks.js';
import { AuthenticationError, Client, Listener, type Address, type Connection } from '@ipc/pipe';
import { hostileBytes, raw } from './_hostile.js';

const KEY = 'the right key';
const HANDSHAKE_MS = 400;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A listener that serves every authenticated client (adds two numbers), as a real server would, skipping failed handshakes. */
async function server(options: { maxMessage?: number } = {}): Promise<{ listener: Listener; served: () => number; stop: () => Promise<void> }> {
  const listener = new Listener({ address: ['127.0.0.1', 0], authkey: KEY, handshakeTimeout: HANDSHAKE_MS, ...options });
  await listener.ready;
  let served = 0;
  const open = new Set<Connection>();
  const loop = (async () => {
    for await (const conn of listener) {
      open.add(conn);
      void (async () => {
        try {
          const [a, b] = await conn.recv<[number, number]>({ timeout: 5_000 });
          await conn.send(a + b);
          served++;
        } catch {
          // a client that went away
        } finally {
          conn.close();
          open.delete(conn);
        }
      })();
    }
  })();
  return {
    listener,
    served: () => served,
    stop: async () => {
      listener.close();
      await loop;
      for (const c of open) c.close();
    },
  };
}

/** An honest client: it must be served, promptly, whatever went on before. */
async function honest(address: Address): Promise<void> {
  const conn = await Client(address, { authkey: KEY, handshakeTimeout: 5_000 });
  try {
    await conn.send([20, 22]);
    expect(await conn.recv({ timeout: 5_000 })).toBe(42);
  } finally {
    conn.close();
  }
}

describe('hostile network input on a Listener', () => {
  it('random bytes, random frames and truncated frames (fast-check): each ends only its own connection; honest clients are served after every one', async () => {
    const s = await server({ maxMessage: 1 << 20 });
    try {
      await fc.assert(
        fc.asyncProperty(hostileBytes, async (bytes) => {
          const sock = await raw(s.listener.address, bytes, true);
          await honest(s.listener.address);
          if (!sock.closed) await once(sock, 'close');
        }),
        { numRuns: 150, interruptAfterTimeLimit: 60_000 },
      );
      expect(s.served()).toBeGreaterThanOrEqual(150);
    } finally {
      await s.stop();
    }
  }, 90_000);

  it('slow-loris clients that never finish the handshake are dropped after the handshake timeout; honest clients are served meanwhile', async () => {
    const s = await server();
    try {
      const t0 = performance.now();
      // Each sends half of a length prefix and then nothing.
      const slow = await Promise.all(Array.from({ length: 30 }, () => raw(s.listener.address, new Uint8Array([0, 0]), false)));
      const closed = slow.map((sock) => once(sock, 'close').then(() => performance.now() - t0));
      for (let i = 0; i < 5; i++) await honest(s.listener.address);
      const times = await Promise.all(closed);
      for (const ms of times) {
        expect(ms).toBeGreaterThanOrEqual(HANDSHAKE_MS * 0.6);
        expect(ms).toBeLessThan(HANDSHAKE_MS * 10);
      }
    } finally {
      await s.stop();
    }
  }, 30_000);

  it('200 clients with wrong authkeys are refused, the server stays up and serves honest clients, and its memory does not grow with them', async () => {
    const s = await server();
    try {
      const attack = async (): Promise<void> => {
        const outcomes = await Promise.allSettled(Array.from({ length: 200 }, () => Client(s.listener.address, { authkey: 'wrong', handshakeTimeout: 5_000 })));
        for (const o of outcomes) {
          expect(o.status).toBe('rejected');
          expect((o as PromiseRejectedResult).reason).toBeInstanceOf(AuthenticationError);
        }
        await honest(s.listener.address);
      };
      await attack(); // warms every path, so what follows measures growth, not first use
      gc();
      const before = process.memoryUsage().heapUsed;
      for (let round = 0; round < 3; round++) await attack();
      gc();
      const grown = process.memoryUsage().heapUsed - before;
      expect(grown).toBeLessThan(8 << 20);
    } finally {
      await s.stop();
    }
  }, 60_000);

  it('with nobody accepting, a flood of failed handshakes keeps at most 100 waiting to be reported; the honest connection is never dropped', async () => {
    await using listener = new Listener({ address: ['127.0.0.1', 0], authkey: KEY, handshakeTimeout: HANDSHAKE_MS });
    await listener.ready;
    const refused = await Promise.allSettled(Array.from({ length: 250 }, () => Client(listener.address, { authkey: 'wrong', handshakeTimeout: 5_000 })));
    expect(refused.every((o) => o.status === 'rejected')).toBe(true);
    const client = Client(listener.address, { authkey: KEY, handshakeTimeout: 5_000 });
    let failures = 0;
    let conn: Connection | undefined;
    while (conn === undefined) {
      try {
        conn = await listener.accept();
      } catch (err) {
        expect(err).toBeInstanceOf(AuthenticationError);
        failures++;
      }
    }
    expect(failures).toBeLessThanOrEqual(100);
    const mine = await client;
    await mine.send('hello');
    expect(await conn.recv({ timeout: 5_000 })).toBe('hello');
    mine.close();
    conn.close();
  }, 30_000);
});
