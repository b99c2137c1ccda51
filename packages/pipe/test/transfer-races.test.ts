/**
 * Moves through lanes (sendBytes / send with transfer) in their races and corner cases: each test
 * here failed before its fix (found in review of the feature).
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { activeChildren } from '@ipc/core';
import { Pipe } from '@ipc/pipe';
import { start, type Task } from './_start.js';
// @ts-expect-error -- plain JS fixture, loaded in the children too
import * as rfx from './fixtures/transfer-races.mjs';

afterAll(() => {
  expect(activeChildren()).toEqual([]);
});

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const abMem = (): number => {
  gc();
  gc();
  return process.memoryUsage().arrayBuffers;
};

describe('a move whose note is never written', () => {
  it('an aborted sendBytes(transfer) on a full ring leaves no 64 MiB behind (self move)', async () => {
    const [a, b] = Pipe();
    const before = abMem();
    for (let i = 0; i < 4; i++) {
      await a.sendBytes(Buffer.alloc((1 << 18) - 4, 1)); // fills the 256 KiB ring exactly
      const big = new Uint8Array(64 << 20);
      const ac = new AbortController();
      const p = a.sendBytes(big, 0, undefined, { transfer: true, signal: ac.signal });
      ac.abort();
      await expect(p).rejects.toThrow();
      expect(big.byteLength).toBe(0); // taken
      expect((await b.recvBytes()).byteLength).toBe((1 << 18) - 4);
      expect(b.pollSync()).toBe(false); // the moved message was never sent
    }
    const grown = abMem() - before;
    a.close();
    b.close();
    const afterClose = abMem() - before;
    expect({ grown: grown >> 20, afterClose: afterClose >> 20 }).toEqual({ grown: 0, afterClose: 0 });
  });
});

describe('moving codec', () => {
  it('a view referenced twice comes back as one object; views at different offsets of one moved buffer', async () => {
    const [a, b] = Pipe();
    const ab = new ArrayBuffer(1 << 16);
    const u8 = new Uint8Array(ab, 3, 100).fill(7);
    const dv = new DataView(ab, 5, 11);
    const big = new BigInt64Array(ab, 8 * 100, 4);
    big[1] = -5n;
    const buf = Buffer.from(ab, 1001, 7);
    const value = { u8, again: u8, dv, big, buf, ab };
    await a.send(value, { transfer: [ab] });
    const got = await b.recv<typeof value>();
    expect(got.again).toBe(got.u8);
    expect(got.u8.buffer).toBe(got.ab);
    expect([got.u8.byteOffset, got.u8.length, got.u8[0]]).toEqual([3, 100, 7]);
    expect([got.dv.constructor.name, got.dv.byteOffset, got.dv.byteLength]).toEqual(['DataView', 5, 11]);
    expect([got.big.constructor.name, got.big.byteOffset, got.big.length, got.big[1]]).toEqual(['BigInt64Array', 800, 4, -5n]);
    expect([Buffer.isBuffer(got.buf), got.buf.byteOffset, got.buf.length]).toEqual([true, 1001, 7]);
    a.close();
    b.close();
  });
});

const r = rfx as Record<'sayHi' | 'moveOneAndExit' | 'readN', Task>;

async function countObjects(name: string): Promise<number> {
  const chunks: string[] = [];
  for await (const c of v8.getHeapSnapshot()) chunks.push(String(c));
  const snap = JSON.parse(chunks.join('')) as { snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }; nodes: number[]; strings: string[] };
  const f = snap.snapshot.meta.node_fields;
  const width = f.length;
  const nameAt = f.indexOf('name');
  const typeAt = f.indexOf('type');
  const objectType = snap.snapshot.meta.node_types[0].indexOf('object');
  let n = 0;
  for (let i = 0; i < snap.nodes.length; i += width) if (snap.nodes[i + typeAt] === objectType && snap.strings[snap.nodes[i + nameAt]!] === name) n++;
  return n;
}

describe('lanes to threads that ended', () => {
  it('a thread handing one end to many short-lived children in turn keeps few MessagePorts', async () => {
    const [a, b] = Pipe();
    const before = await countObjects('MessagePort');
    for (let i = 0; i < 40; i++) {
      const p = start('thread', r.sayHi, a);
      expect((await b.recvBytes()).toString()).toBe('hi');
      await p.join();
    }
    // A move from here to here, and one to b's reader (this thread): nothing that prunes (no lane missed).
    await a.sendBytes(new Uint8Array(8192), 0, undefined, { transfer: true });
    await b.recvBytes();
    gc();
    const after = await countObjects('MessagePort');
    a.close();
    b.close();
    expect(after - before).toBeLessThan(5);
  }, 60_000);
});

describe('the port count, a control', () => {
  it('children started without a pipe end leave no MessagePort', async () => {
    const [a, b] = Pipe();
    const [c, d] = Pipe();
    const before = await countObjects('MessagePort');
    for (let i = 0; i < 40; i++) {
      const p = start('thread', r.readN, c, 0);
      await d.recvBytes();
      await p.join();
    }
    c.close(); d.close(); // leavePipe closes c/d's lanes: they become garbage
    gc();
    const after = await countObjects('MessagePort');
    a.close();
    b.close();
    expect(after - before).toBeLessThan(5);
  }, 60_000);
});

describe('rescued keys collide with moves in the other direction', () => {
  it('an end returned by a thread (result, no lanes) with a rescued move: each direction gets its own message', async () => {
    const [a, b] = Pipe();
    const [control, controlTheirs] = Pipe();
    const rr = rfx as Record<'moveBackThenReturnEnd', Task>;
    const p = start('thread', rr.moveBackThenReturnEnd, b, controlTheirs, 65536);
    b.close();
    controlTheirs.close();
    expect((await a.recvBytes()).toString()).toBe('up');
    // Moved to the child (key lane:1 there); it leaves it unread.
    await a.sendBytes(new Uint8Array(65536).fill(1), 0, undefined, { transfer: true });
    await control.sendBytes(Buffer.from('go'));
    // The child moves 2s to us (key lane:1 here too), then returns its end: 1s rescued under lane:1.
    const b2 = (await p.join()) as typeof a;
    const fromB2 = await b2.recvBytes(); // what we sent to b: the 1s
    const fromA = await a.recvBytes(); // what the child sent: the 2s
    expect([fromB2[0], fromA[0]]).toEqual([1, 2]); // each direction its own: they were swapped when keys did not name the side
    a.close();
    b2.close();
    control.close();
  });
});

describe('a lane whose far port was closed, to a holder that came back', () => {
  it('a thread that let go of the pipe and got an end back later still receives what is moved to it', async () => {
    const rr = rfx as Record<'returnEnd' | 'moveOnGo', Task>;
    const [a, b] = Pipe();
    const [control, controlTheirs] = Pipe();
    const sender = start('thread', rr.moveOnGo, a, controlTheirs, 65536); // lane L: here <-> sender (it knows us as its peer)
    const keeper = start('thread', rr.returnEnd, b);
    a.close();
    b.close(); // no end of the pipe left here: our lanes close (the sender's port of L stays open there)
    controlTheirs.close();
    const back = (await keeper.join()) as typeof a; // b again, with no lane; the keeper is gone: we are b's one holder
    await control.sendBytes(Buffer.from('go'));
    const got = await back.recvBytes().catch((e: Error) => e);
    expect(await sender.join()).toBe(0);
    expect(got instanceof Error ? got.message : [got.byteLength, got[0]]).toEqual([65536, 9]);
    back.close();
    control.close();
  });
});

describe('drainAll lets a lane go after draining it, then asks whether its peer lives', () => {
  it.each([true, false])('a move posted by a thread that ends while the reader drains other lanes is not lost (probabilistic; the sender lingers: %s)', async (linger) => {
    const rr = rfx as Record<'raceReader' | 'moveMany' | 'moveOnGoSync', Task>;
    const X = 14_000; // notes of all the moves must fit the ring (256 KiB, 16 bytes each) before the reader starts
    const outcomes: unknown[] = [];
    for (let round = 0; round < 6; round++) {
      const [a, b] = Pipe();
      const [m, mT] = Pipe();
      const [w, wT] = Pipe();
      const reader = start('thread', rr.raceReader, b, mT, w, X + 2);
      b.close();
      mT.close();
      w.close();
      await m.recvBytes(); // reader up: b's one holder
      const W = start('thread', rr.moveOnGoSync, a, wT, linger); // its lane comes first among the introduced
      wT.close();
      await start('thread', rr.moveMany, a, 1).join(); // Y: one note on a lane the reader does not know yet
      await start('thread', rr.moveMany, a, X).join(); // X: many moves queued on a later lane
      await m.sendBytes(Buffer.from('ready'));
      outcomes.push(await reader.join());
      await W.join();
      a.close();
      m.close();
    }
        expect(outcomes.filter((o) => (o as { error: unknown }).error !== null)).toEqual([]);
  }, 120_000);
});

describe('a sync send that throws wouldHang has already taken the buffer', () => {
  it('sendBytesSync(transfer) of more than the ring, on a pipe this thread serves: StateError, buffer left alone', async () => {
    const rr = rfx as Record<'readN', Task>;
    const [a, b] = Pipe();
    const p = start('process', rr.readN, b, 1); // this thread serves b to the child
    b.close();
    expect((await a.recvBytes()).toString()).toBe('up');
    const big = new Uint8Array(1 << 20).fill(4);
    expect(() => a.sendBytesSync(big, 0, undefined, { transfer: true })).toThrow(/use send\(\)/);
    expect(big.byteLength).toBe(1 << 20);
    await a.sendBytes(new Uint8Array(10).fill(4));
    expect(await p.join()).toEqual([[10, 4]]);
    a.close();
  });
});

describe('the served path reads moved notes for another process', () => {
  it('moves to this thread, then the end goes to a process and every end here closes: the process reads them', async () => {
    const rr = rfx as Record<'readNQuiet', Task>;
    // @ts-expect-error -- plain JS fixture
    const fx2 = (await import('./fixtures/transfer.mjs')) as Record<string, Task>;
    const [a, b] = Pipe();
    const s = start('thread', fx2.sendMovedAfterUp!, a, 3, 100_000);
    a.close();
    await b.sendBytes(Buffer.from('go'));
    expect(await s.join()).toEqual([0, 0, 0]);
    const p = start('process', rr.readNQuiet, b, 3);
    b.close(); // our last end of the pipe: the moves wait in our lane still (leavePipe drains them aside, kept: served)
    expect(await p.join()).toEqual([1, 2, 3].map((f) => [100_000, f]));
  });
});

describe('an end reduced for a start that then fails (its ticket never claimed)', () => {
  it('after a Process start that throws (bad args), moves to this thread still move', async () => {
    const rr = rfx as Record<'readN', Task>;
    const [a, b] = Pipe();
    expect(() => start('thread', rr.readN, b, () => 1)).toThrow(); // b reduced (ticket reserved), then the function fails
    const m = new Uint8Array(new ArrayBuffer(65536 + 16), 8, 65536);
    await a.sendBytes(m, 0, undefined, { transfer: true });
    const got = await b.recvBytes();
    expect(got.buffer.byteLength).toBe(65536 + 16);
    a.close();
    b.close();
  });
});
