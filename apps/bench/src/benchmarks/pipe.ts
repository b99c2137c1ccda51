import { once } from 'node:events';
import { Process, task, type ContextKind } from '@ipc/core';
import { Pipe, type Connection } from '@ipc/pipe';
import type { Benchmark } from '../types.js';
import { postMessageBlocks, postMessageOneWay, warmTwice, withChild, withPort } from './_peers.js';
const SMALL = new Uint8Array(16).fill(7);
const PING = new Uint8Array(2);
const END_OF_BURST = new Uint8Array(1);
const MIB64 = 64 << 20;
const VALUE = { i: 1, s: 'hello', list: [1, 2, 3] };

type Mode = 'echo' | 'count' | 'bytes' | 'bytesInto' | 'moved' | 'value';

/**
 * The other end of every @ipc benchmark of this file, in a worker thread or a child process:
 * echoes, counts (a 1-byte message ends a burst and is acknowledged), acknowledges every
 * message, or echoes values, until EOF. A 2-byte ping is always echoed (the warm-up).
 */
export const pipePeer = task(import.meta.url, async (conn: Connection, mode: Mode, sync: boolean) => {
  const ack = new Uint8Array(1);
  // For 'bytesInto': one buffer, written before the clock starts, that every message is read into.
  const room = mode === 'bytesInto' ? Buffer.alloc(MIB64, 1) : undefined;
  const send = (b: Uint8Array): Promise<void> | void => (sync ? conn.sendBytesSync(b) : conn.sendBytes(b));
  for (;;) {
    try {
      if (mode === 'value') {
        const v: unknown = sync ? conn.recvSync() : await conn.recv();
        await (sync ? conn.sendSync(v) : conn.send(v));
        continue;
      }
      if (room !== undefined) {
        const n = sync ? conn.recvBytesIntoSync(room) : await conn.recvBytesInto(room);
        await send(n === 2 ? room.subarray(0, 2) : ack);
        continue;
      }
      const m = sync ? conn.recvBytesSync() : await conn.recvBytes();
      if (mode === 'moved') {
        // Back where it came from, moved (sendBytes with transfer): no byte copied either way.
        await (sync ? conn.sendBytesSync(m, 0, undefined, { transfer: true }) : conn.sendBytes(m, 0, undefined, { transfer: true }));
        continue;
      }
      if (mode === 'echo' || m.byteLength === 2) await send(m);
      else if (mode === 'bytes' || m.byteLength === 1) await send(ack);
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_IPC_EOF') break;
      throw err;
    }
  }
  conn.close();
});

/** A peer at the other end of a duplex pipe, started before the clock starts, measured warm (see _peers.ts); joined after. */
async function withPeer<T>(context: ContextKind, mode: Mode, body: (conn: Connection) => Promise<T> | T): Promise<T> {
  const [mine, theirs] = Pipe();
  // A worker thread may block on the sync twins; a child process goes through the broker, where async is the fast path.
  const p = new Process({ target: pipePeer, args: [theirs, mode, context === 'thread'], context });
  p.start();
  theirs.close();
  if (mode === 'value') {
    await mine.send('ping');
    await mine.recv();
  } else {
    await mine.sendBytes(PING);
    await mine.recvBytes();
  }
  try {
    return await warmTwice(() => body(mine));
  } finally {
    mine.close();
    await p.join();
  }
}

const roundTrips = (context: ContextKind, sync: boolean) => (n: number) =>
  withPeer(context, 'echo', async (conn) => {
    const t0 = performance.now();
    if (sync) {
      for (let i = 0; i < n; i++) {
        conn.sendBytesSync(SMALL);
        conn.recvBytesSync();
      }
    } else {
      for (let i = 0; i < n; i++) {
        await conn.sendBytes(SMALL);
        await conn.recvBytes();
      }
    }
    return (performance.now() - t0) / n;
  });

const oneWay = (context: ContextKind) => (n: number) =>
  withPeer(context, 'count', async (conn) => {
    const t0 = performance.now();
    // Toward a child process the pipe is served from this thread: a sync send must not wait for room, so async there.
    if (context === 'thread') for (let i = 0; i < n; i++) conn.sendBytesSync(SMALL);
    else for (let i = 0; i < n; i++) await conn.sendBytes(SMALL);
    await conn.sendBytes(END_OF_BURST);
    await conn.recvBytes();
    return (n * 1000) / (performance.now() - t0);
  });

const bigBytes = (context: ContextKind, mode: 'bytes' | 'bytesInto' = 'bytes') => (n: number) =>
  withPeer(context, mode, async (conn) => {
    const block = new Uint8Array(MIB64).fill(7);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      await conn.sendBytes(block);
      await conn.recvBytes();
    }
    return (64 * n * 1000) / (performance.now() - t0);
  });

/** 64 MiB moved to the peer and moved back (sendBytes with transfer), counted once per round trip. */
const movedBytes = (n: number): Promise<number> =>
  withPeer('thread', 'moved', async (conn) => {
    let block: Uint8Array = new Uint8Array(MIB64).fill(7);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      await conn.sendBytes(block, 0, undefined, { transfer: true });
      block = await conn.recvBytes();
    }
    if (block.byteLength !== MIB64) throw new Error(`the block came back with ${block.byteLength} bytes`);
    return (64 * n * 1000) / (performance.now() - t0);
  });

const postMessageRoundTrips = (msg: unknown) => (n: number) =>
  withPort(async (w) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      w.postMessage(msg);
      await once(w, 'message');
    }
    return (performance.now() - t0) / n;
  });

const processSendRoundTrips = (n: number): Promise<number> =>
  withChild(async (c) => {
    const msg = { mode: 'echo', data: SMALL };
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      c.send(msg);
      await once(c, 'message');
    }
    return (performance.now() - t0) / n;
  });

export const pipeBenchmarks: Benchmark[] = [
  {
    group: 'pipe',
    name: 'Connection round trip, thread context, 16 B',
    unit: 'ms',
    size: 20_000,
    smokeSize: 10,
    subjects: {
      '@ipc': roundTrips('thread', true),
      '@ipc async': roundTrips('thread', false),
      'raw postMessage': postMessageRoundTrips({ mode: 'echo', data: SMALL }),
    },
    targets: [
      { peer: 'raw postMessage', atLeast: 5 },
      { peer: 'python', atLeast: 5 },
    ],
    python: 'pipe_roundtrip_ms',
  },
  {
    group: 'pipe',
    name: 'Connection round trip, thread context, a small value',
    unit: 'ms',
    size: 20_000,
    smokeSize: 10,
    subjects: {
      '@ipc': (n) =>
        withPeer('thread', 'value', (conn) => {
          const t0 = performance.now();
          for (let i = 0; i < n; i++) {
            conn.sendSync(VALUE);
            conn.recvSync();
          }
          return (performance.now() - t0) / n;
        }),
      '@ipc async': (n) =>
        withPeer('thread', 'value', async (conn) => {
          const t0 = performance.now();
          for (let i = 0; i < n; i++) {
            await conn.send(VALUE);
            await conn.recv();
          }
          return (performance.now() - t0) / n;
        }),
      'raw postMessage': postMessageRoundTrips({ mode: 'echo', ...VALUE }),
    },
    targets: [{ peer: 'python', atLeast: 5 }],
    python: 'pipe_value_roundtrip_ms',
  },
  {
    group: 'pipe',
    name: 'Connection round trip, process context, 16 B',
    unit: 'ms',
    size: 2_000,
    smokeSize: 10,
    subjects: { '@ipc': roundTrips('process', false), 'raw process.send': processSendRoundTrips },
    python: 'pipe_roundtrip_ms',
  },
  {
    group: 'pipe',
    name: 'Connection one-way, thread context, 16 B messages',
    unit: 'ops/s',
    size: 200_000,
    smokeSize: 10,
    subjects: {
      '@ipc': oneWay('thread'),
      'raw postMessage': postMessageOneWay(SMALL),
    },
    targets: [{ peer: 'python', atLeast: 10 }],
    python: 'pipe_oneway_ops',
  },
  {
    group: 'pipe',
    name: 'Connection one-way, process context, 16 B messages',
    unit: 'ops/s',
    size: 20_000,
    smokeSize: 10,
    subjects: {
      '@ipc': oneWay('process'),
      'raw process.send': (n) =>
        withChild(async (c) => {
          const msg = { mode: 'count', data: SMALL };
          const t0 = performance.now();
          for (let i = 0; i < n; i++) c.send(msg);
          c.send({ mode: 'sync' });
          await once(c, 'message');
          return (n * 1000) / (performance.now() - t0);
        }),
    },
    python: 'pipe_oneway_ops',
  },
  {
    group: 'pipe',
    name: 'Connection 64 MiB of bytes, thread context',
    unit: 'MB/s',
    size: 3,
    smokeSize: 1,
    subjects: {
      '@ipc': bigBytes('thread'),
      // The reader gives one buffer of its own for every message (recvBytesInto, Python's recv_bytes_into): one copy fewer, no fresh memory.
      '@ipc recvBytesInto': bigBytes('thread', 'bytesInto'),
      'raw postMessage': postMessageBlocks(MIB64),
    },
    targets: [{ peer: 'python', atLeast: 4 }],
    python: 'pipe_64mib_mbs',
  },
  {
    // The bytes moved, not copied (sendBytes with transfer, as postMessage's transfer list): to a
    // thread that was handed the end at its start, the ArrayBuffer itself goes through a MessagePort.
    group: 'pipe',
    name: 'Connection 64 MiB of bytes moved (sendBytes transfer), thread context',
    unit: 'MB/s',
    size: 5,
    smokeSize: 1,
    subjects: { '@ipc': movedBytes },
    targets: [{ peer: 'python', atLeast: 4 }],
    python: 'pipe_64mib_mbs',
  },
  {
    // The same, each side's reader receiving into a buffer of its own: recvBytesInto against
    // Python's recv_bytes_into (which still reads into fresh memory first, then copies).
    group: 'pipe',
    name: 'Connection 64 MiB of bytes into the reader\'s own buffer, thread context',
    unit: 'MB/s',
    size: 3,
    smokeSize: 1,
    subjects: { '@ipc': bigBytes('thread', 'bytesInto') },
    python: 'pipe_64mib_into_mbs',
  },
  {
    group: 'pipe',
    name: 'Connection 64 MiB of bytes, process context',
    unit: 'MB/s',
    size: 2,
    smokeSize: 1,
    subjects: {
      '@ipc': bigBytes('process'),
      'raw process.send': (n) =>
        withChild(async (c) => {
          const block = Buffer.alloc(MIB64, 7);
          const t0 = performance.now();
          for (let i = 0; i < n; i++) {
            c.send({ mode: 'bytes', block });
            await once(c, 'message');
          }
          return (64 * n * 1000) / (performance.now() - t0);
        }),
    },
    python: 'pipe_64mib_mbs',
  },
];
