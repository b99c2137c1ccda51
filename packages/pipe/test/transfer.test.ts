import { createHash } from 'node:crypto';
import { MessageChannel, markAsUntransferable } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import type { Process} from '@ipc/core';
import { activeChildren, ArgumentError, StateError, type ContextKind } from '@ipc/core';
import { BrokenPipeError, Client, Listener, Pipe, type Connection } from '@ipc/pipe';
import { start, type Task } from './_start.js';
// @ts-expect-error -- plain JS fixture, loaded in the children too
import * as fx from './fixtures/transfer.mjs';

const f = fx as Record<'reportBytes' | 'reportFrames' | 'echoMoved' | 'sendMoved' | 'sendMovedAfterUp' | 'readThenHandOn', Task>;
const describeFrame = (fx as { describeFrame: (v: Frame) => FrameReport }).describeFrame;

interface Frame {
  name: string;
  n: number;
  data: Buffer;
  floats: Float64Array;
  raw: ArrayBuffer;
  small: Buffer;
}
type FrameReport = Record<string, unknown>;

/** A value with three buffers to move (a Buffer at offset 8 of one, a Float64Array over another, a bare one) and a pooled Buffer that is copied. */
function frame(size: number, fill: number): { value: Frame; transfer: ArrayBuffer[]; expected: FrameReport } {
  const dataAb = new ArrayBuffer(size + 16);
  const data = Buffer.from(dataAb, 8, size).fill(fill);
  const floats = new Float64Array(1024).fill(0.5);
  const raw = new ArrayBuffer(size);
  new Uint8Array(raw)[0] = fill;
  const value = { name: `frame ${fill}`, n: fill, data, floats, raw, small: Buffer.from('small') };
  return { value, transfer: [dataAb, floats.buffer, raw], expected: describeFrame(value) };
}

interface Report {
  length: number;
  whole: number;
  offset: number;
  sha: string;
}

afterAll(() => {
  expect(activeChildren()).toEqual([]);
});

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** A message of `size` bytes filled with `fill`, at offset 8 of a buffer 16 bytes larger. */
function message(size: number, fill: number): { ab: ArrayBuffer; view: Uint8Array; sha: string } {
  const ab = new ArrayBuffer(size + 16);
  const view = new Uint8Array(ab, 8, size).fill(fill);
  return { ab, view, sha: sha(view) };
}

/** A child holding `theirs` (ours closed here), once it said 'up' — so it is the one holder of its end. */
async function childUp(context: ContextKind, target: Task, mine: Connection, theirs: Connection, ...args: unknown[]): Promise<Process> {
  const p = start(context, target, theirs, ...args);
  theirs.close();
  expect((await mine.recvBytes()).toString()).toBe('up');
  return p;
}

describe('sendBytes with transfer, to a thread handed the other end at its start', () => {
  it.each([false, true])('moves the buffer: detached here, the very ArrayBuffer there (sync twins: %s)', async (sync) => {
    const [mine, theirs] = Pipe();
    const p = await childUp('thread', f.reportBytes, mine, theirs, 3, sync);
    const sizes = [1000, 5 << 20, 0];
    const sent = sizes.map((size, i) => message(size, i + 1));
    for (const m of sent) {
      if (sync) mine.sendBytesSync(m.view, 0, undefined, { transfer: true });
      else await mine.sendBytes(m.view, 0, undefined, { transfer: true });
      expect(m.ab.byteLength).toBe(0); // detached at the call
    }
    const got = (await p.join()) as Report[];
    expect(got.map((r) => [r.length, r.sha])).toEqual(sizes.map((size, i) => [size, sent[i]!.sha]));
    // The whole ArrayBuffer came, at the offset the view had: moved, not copied (a copy would be a fresh buffer of the message's length).
    expect([got[1]!.whole, got[1]!.offset]).toEqual([(5 << 20) + 16, 8]);
    mine.close();
  });

  it('moves from the child to the parent too, and keeps order among moved and copied messages', async () => {
    const [mine, theirs] = Pipe();
    const p = await childUp('thread', f.echoMoved, mine, theirs, false);
    const sizes = [100_000, 70_000, 3, 300_000, 0, 9000, 30_000];
    const sent = sizes.map((size, i) => message(size, i + 1));
    for (const [i, m] of sent.entries()) await mine.sendBytes(m.view, 0, undefined, { transfer: i % 2 === 0 });
    for (const [i, m] of sent.entries()) {
      const back = await mine.recvBytes();
      expect(sha(back)).toBe(m.sha);
      // Echoed with transfer, so moved back: a message that was moved there comes back in its own buffer;
      // one that was copied comes back in the child's fresh copy. (Under 4 KiB, copies both ways.)
      if (sizes[i]! >= 4096) expect(back.buffer.byteLength).toBe(i % 2 === 0 ? sizes[i]! + 16 : sizes[i]);
    }
    expect(sent.filter((_, i) => i % 2 === 0).every((m) => m.ab.byteLength === 0)).toBe(true);
    expect(sent.filter((_, i) => i % 2 === 1).every((m, j) => m.ab.byteLength === sizes[2 * j + 1]! + 16)).toBe(true);
    mine.close();
    expect(await p.join()).toBe(sent.length);
  });

  it('the child’s moved messages reach the parent in their own ArrayBuffers', async () => {
    const [mine, theirs] = Pipe();
    const p = start('thread', f.sendMoved, theirs, 4, 200_000);
    theirs.close();
    const got: Buffer[] = [];
    for (let i = 0; i < 4; i++) got.push(await mine.recvBytes());
    expect(await p.join()).toEqual([0, 0, 0, 0]);
    got.forEach((b, i) => {
      expect(b.byteLength).toBe(200_000);
      expect(b.every((x) => x === i + 1)).toBe(true);
    });
    // The first may have gone before the parent was known as the reader (then copied); once it is, they move.
    expect(got.slice(1).every((b) => b.buffer.byteLength === 200_016 && b.byteOffset === 8)).toBe(true);
    mine.close();
  });

  it.each([
    ['the sender first', false],
    ['the reader first', true],
  ])('moves between two thread children this thread handed the ends to (%s): they are introduced', async (_, readerFirst) => {
    const [a, b] = Pipe();
    const children: Process[] = [];
    const startSender = (): void => void children.push(start('thread', f.sendMovedAfterUp, a, 3, 100_000));
    const startReader = (): void => void children.push(start('thread', f.reportBytes, b, 3, false));
    if (readerFirst) {
      startReader();
      startSender();
    } else {
      startSender();
      startReader();
    }
    a.close();
    b.close();
    const [sender, reader] = readerFirst ? [children[1]!, children[0]!] : [children[0]!, children[1]!];
    expect(await sender.join()).toEqual([0, 0, 0]);
    const got = (await reader.join()) as Report[];
    expect(got.map((r) => r.sha)).toEqual([1, 2, 3].map((fill) => sha(new Uint8Array(100_000).fill(fill))));
    // The sender waited for the reader's 'up': by then each knew the other, so every message moved.
    expect(got.every((r) => r.whole === 100_016 && r.offset === 8)).toBe(true);
  });

  it('messages moved to a thread that then hands its end on are read by the new holder, whole and in order', async () => {
    const [mine, theirs] = Pipe();
    const [control, controlTheirs] = Pipe();
    const p = start('thread', f.readThenHandOn, theirs, controlTheirs, 1, 3);
    theirs.close();
    controlTheirs.close();
    expect((await mine.recvBytes()).toString()).toBe('up');
    const sizes = [40_000, 1 << 20, 10, 50_000];
    const sent = sizes.map((size, i) => message(size, i + 1));
    // All moved before the child reads past the first: three wait in its lane when it hands the end on.
    for (const m of sent) await mine.sendBytes(m.view, 0, undefined, { transfer: true });
    await control.send('go');
    expect(await control.recv()).toBe('handed on');
    expect((await mine.recvBytes()).toString()).toBe('up'); // the heir's
    const { mine: first, heirs } = (await p.join()) as { mine: Report[]; heirs: Report[] };
    expect(first.map((r) => r.sha)).toEqual([sent[0]!.sha]);
    expect(first[0]!.whole).toBe(40_016); // moved
    expect(heirs.map((r) => r.sha)).toEqual(sent.slice(1).map((m) => m.sha));
    expect(heirs.map((r) => r.length)).toEqual(sizes.slice(1));
    mine.close();
    control.close();
  });
});

describe('sendBytes with transfer to a thread that died', () => {
  it('is a BrokenPipeError once the reader is gone, not a message moved into nowhere', async () => {
    const [mine, theirs] = Pipe();
    const p = await childUp('thread', f.reportBytes, mine, theirs, 5, false);
    p.terminate();
    await p.join();
    const m = message(100_000, 1);
    await expect(mine.sendBytes(m.view, 0, undefined, { transfer: true })).rejects.toThrow(BrokenPipeError);
    mine.close();
  });
});

describe('send(value, { transfer }): buffers of a value moved', () => {
  it.each([false, true])('to a thread child: each listed buffer detached here, its views views of it there, classes kept (sync twins: %s)', async (sync) => {
    const [mine, theirs] = Pipe();
    const p = await childUp('thread', f.reportFrames, mine, theirs, 2, sync);
    const frames = [frame(100_000, 1), frame(5000, 2)];
    for (const fr of frames) {
      if (sync) mine.sendSync(fr.value, { transfer: fr.transfer });
      else await mine.send(fr.value, { transfer: fr.transfer });
      expect(fr.transfer.map((b) => b.byteLength)).toEqual([0, 0, 0]);
      expect(fr.value.small.toString()).toBe('small'); // not listed: copied
    }
    const got = (await p.join()) as FrameReport[];
    expect(got).toEqual(frames.map((fr) => fr.expected));
    // Moved, not copied: the Buffer is a view at offset 8 of its whole original buffer.
    expect(got.map((r) => (r.data as unknown[]).slice(2, 4))).toEqual([
      [100_016, 8],
      [5016, 8],
    ]);
    mine.close();
  });

  it('to a process child: copied, the same value and classes, the buffers detached all the same', async () => {
    const [mine, theirs] = Pipe();
    const p = await childUp('process', f.reportFrames, mine, theirs, 1, false);
    const fr = frame(70_000, 3);
    await mine.send(fr.value, { transfer: fr.transfer });
    expect(fr.transfer.map((b) => b.byteLength)).toEqual([0, 0, 0]);
    const [got] = (await p.join()) as FrameReport[];
    expect({ ...got, data: (got!.data as unknown[]).filter((_, i) => i !== 2 && i !== 3) }).toEqual({ ...fr.expected, data: (fr.expected.data as unknown[]).filter((_, i) => i !== 2 && i !== 3) });
    mine.close();
  });

  it('within one thread; recvBytes of a moved value gives its copied (v8) form', async () => {
    const [a, b] = Pipe();
    const one = frame(10_000, 4);
    const two = frame(10_000, 5);
    await a.send(one.value, { transfer: one.transfer });
    a.sendSync(two.value, { transfer: two.transfer });
    const got = await b.recv<Frame>();
    expect(describeFrame(got)).toEqual(one.expected);
    expect(got.data.buffer.byteLength).toBe(10_016);
    const bytes = b.recvBytesSync();
    expect(bytes[0]).toBe(0xff);
    a.close();
    b.close();
  });

  it('moved values waiting for a thread that hands its end on are read by the new holder, as values, in order', async () => {
    const [mine, theirs] = Pipe();
    const [control, controlTheirs] = Pipe();
    const p = start('thread', f.readThenHandOn, theirs, controlTheirs, 1, 2, true);
    theirs.close();
    controlTheirs.close();
    expect((await mine.recvBytes()).toString()).toBe('up');
    const frames = [frame(50_000, 1), frame(20_000, 2), frame(8000, 3)];
    for (const fr of frames) await mine.send(fr.value, { transfer: fr.transfer });
    await control.send('go');
    expect(await control.recv()).toBe('handed on');
    expect((await mine.recvBytes()).toString()).toBe('up'); // the heir's
    const { mine: first, heirs } = (await p.join()) as { mine: FrameReport[]; heirs: FrameReport[] };
    expect(first).toEqual([frames[0]!.expected]);
    expect(heirs.map((r) => ({ ...r, data: (r.data as unknown[])[4] }))).toEqual(frames.slice(1).map((fr) => ({ ...fr.expected, data: (fr.expected.data as unknown[])[4] })));
    mine.close();
    control.close();
  });

  it('refuses a bad transfer list or an unsendable value before anything is taken or sent', async () => {
    const [a, b] = Pipe();
    const fr = frame(5000, 1);
    const channel = new MessageChannel();
    const bad: unknown[] = [new SharedArrayBuffer(8), new Uint8Array(8), channel.port1, 'x', [fr.transfer[0], fr.transfer[0]]];
    for (const item of bad) {
      const list = (Array.isArray(item) ? item : [fr.transfer[0], item]) as ArrayBuffer[];
      await expect(a.send(fr.value, { transfer: list })).rejects.toThrow(ArgumentError);
      expect(() => a.sendSync(fr.value, { transfer: list })).toThrow(ArgumentError);
    }
    await expect(a.send({ f: () => 1, data: fr.value.data }, { transfer: fr.transfer })).rejects.toThrow(/cannot/);
    expect(fr.transfer.map((x) => x.byteLength)).toEqual([5016, 8192, 5000]);
    expect(b.pollSync()).toBe(false);
    channel.port1.close();
    a.close();
    b.close();
  });
});

describe('sendBytes with transfer where nothing can move', () => {
  it('copies between two process children, and still detaches', async () => {
    const [a, b] = Pipe();
    const sender = start('process', f.sendMovedAfterUp, a, 3, 100_000);
    a.close();
    const reader = start('process', f.reportBytes, b, 3, false);
    b.close();
    expect(await sender.join()).toEqual([0, 0, 0]);
    const got = (await reader.join()) as Report[];
    expect(got.map((r) => r.sha)).toEqual([1, 2, 3].map((fill) => sha(new Uint8Array(100_000).fill(fill))));
  });

  it('copies to a process child (the parent’s end is read there through the broker)', async () => {
    const [mine, theirs] = Pipe();
    const p = await childUp('process', f.reportBytes, mine, theirs, 2, false);
    const sizes = [10, 3 << 20];
    const sent = sizes.map((size, i) => message(size, i + 7));
    for (const m of sent) await mine.sendBytes(m.view, 0, undefined, { transfer: true });
    expect(sent.every((m) => m.ab.byteLength === 0)).toBe(true);
    const got = (await p.join()) as Report[];
    expect(got.map((r) => [r.length, r.sha])).toEqual(sent.map((m, i) => [sizes[i], m.sha]));
    mine.close();
  });

  it('moves within one thread (both ends here): the same ArrayBuffer comes out', async () => {
    const [a, b] = Pipe();
    const m = message(1 << 16, 3);
    await a.sendBytes(m.view, 0, undefined, { transfer: true });
    const small = new Uint8Array([1, 2, 3]);
    a.sendBytesSync(small, 1, 1, { transfer: true });
    expect([m.ab.byteLength, small.byteLength]).toEqual([0, 0]);
    const got = await b.recvBytes();
    expect(got.buffer.byteLength).toBe((1 << 16) + 16);
    expect(sha(got)).toBe(m.sha);
    expect([...b.recvBytesSync()]).toEqual([2]); // small: copied, and its buffer detached all the same
    a.close();
    b.close();
  });

  it('over a network connection: copied, and detached', async () => {
    const listener = new Listener({ address: ['127.0.0.1', 0] });
    await listener.ready;
    const accepted = listener.accept();
    const client = await Client(listener.address);
    const server = await accepted;
    const m = message(70_000, 5);
    await client.sendBytes(m.view, 0, undefined, { transfer: true });
    expect(m.ab.byteLength).toBe(0);
    expect(sha(await server.recvBytes())).toBe(m.sha);
    client.close();
    server.close();
    listener.close();
  });
});

describe('sendBytes with transfer: bad input leaves the buffer alone', () => {
  it('refuses a SharedArrayBuffer, a closed end and a read-only end, detaching nothing', async () => {
    const [a, b] = Pipe();
    const shared = new Uint8Array(new SharedArrayBuffer(8));
    await expect(a.sendBytes(shared, 0, undefined, { transfer: true })).rejects.toThrow(ArgumentError);
    expect(() => a.sendBytesSync(shared, 0, undefined, { transfer: true })).toThrow(/SharedArrayBuffer is shared, not moved/);
    expect(b.pollSync()).toBe(false);
    const [r, w] = Pipe(false);
    const m = message(10, 1);
    await expect(r.sendBytes(m.view, 0, undefined, { transfer: true })).rejects.toThrow(StateError);
    w.close();
    await expect(w.sendBytes(m.view, 0, undefined, { transfer: true })).rejects.toThrow(StateError);
    await expect(a.sendBytes(m.view, 0, 11, { transfer: true })).rejects.toThrow(RangeError);
    expect(m.ab.byteLength).toBe(26);
    r.close();
    a.close();
    b.close();
  });

  it('a buffer marked untransferable is copied and stays usable — to a thread with a lane too, on every Node (22 refuses it where 20 copies)', async () => {
    const [mine, theirs] = Pipe();
    const p = await childUp('thread', f.reportBytes, mine, theirs, 2, false);
    const m = message(100_000, 6);
    markAsUntransferable(m.ab);
    await mine.sendBytes(m.view, 0, undefined, { transfer: true });
    const fr = frame(50_000, 7);
    markAsUntransferable(fr.transfer[0]!);
    mine.sendSync(fr.value, { transfer: fr.transfer });
    expect([m.ab.byteLength, fr.transfer.map((b) => b.byteLength)]).toEqual([100_016, [50_016, 0, 0]]);
    const got = (await p.join()) as Report[];
    expect(got[0]!.sha).toBe(m.sha);
    expect(got[1]!.length).toBeGreaterThan(0); // the value, as bytes
    mine.close();
  });

  it('a Buffer of Node’s shared pool is copied and stays usable, as with postMessage', async () => {
    const [a, b] = Pipe();
    const pooled = Buffer.from('hello');
    await a.sendBytes(pooled, 0, undefined, { transfer: true });
    expect(pooled.toString()).toBe('hello');
    expect((await b.recvBytes()).toString()).toBe('hello');
    a.close();
    b.close();
  });
});
