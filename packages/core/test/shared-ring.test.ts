import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { activeChildren, ArgumentError, RingBrokenError, SharedRing, StateError, Thread, isMarkedMessage } from '@ipc/core';
// @ts-expect-error -- plain JS fixture, loaded in the workers too
import * as fx from './fixtures/ring-tasks.mjs';

type Task = (...args: unknown[]) => unknown;
const f = fx as Record<'produce' | 'consume' | 'digestOne' | 'writeBig' | 'writeSizes', Task>;
const enc = new TextEncoder();
const text = (m: unknown): string => new TextDecoder().decode(m as Uint8Array);

afterAll(() => {
  expect(activeChildren()).toEqual([]);
});

function run(target: Task, ...args: unknown[]): Thread {
  const t = new Thread({ target, args });
  t.start();
  return t;
}

describe('SharedRing in one thread', () => {
  it('keeps messages whole and in order, empty ones too; poll never consumes', async () => {
    const ring = SharedRing.create(1024);
    for (const s of ['a', '', 'hello world', '']) expect(ring.writeSync(enc.encode(s))).toBe('ok');
    expect(ring.size()).toBe(4);
    expect(ring.pollSync()).toBe(true);
    expect(await ring.poll()).toBe(true);
    expect(ring.peekLength()).toBe(1);
    const got = [];
    for (let i = 0; i < 4; i++) got.push(text(await ring.read()));
    expect(got).toEqual(['a', '', 'hello world', '']);
    expect(ring.size()).toBe(0);
    expect(ring.pollSync({ timeout: 0 })).toBe(false);
  });

  it('a reader waiting for data does not hold the readers back: a message written meanwhile goes to whoever reads first', async () => {
    const ring = SharedRing.create(1024);
    const waiting = ring.read({ timeout: 10_000 });
    // Nothing there yet: a read that does not wait says so at once (before, it found the lock taken by the waiting reader).
    expect(ring.readSync({ timeout: 0 })).toBe('timeout');
    ring.writeSync(enc.encode('first'));
    expect(text(ring.readSync({ timeout: 0 }))).toBe('first');
    ring.writeSync(enc.encode('second'));
    expect(text(await waiting)).toBe('second');
    expect(ring.readSync({ timeout: 0 })).toBe('timeout');
  });

  it('writeNow / readNow never wait: a message if it fits or is there, else false / undefined with nothing changed', () => {
    const ring = SharedRing.create(64);
    expect(ring.readNow()).toBeUndefined();
    let n = 0;
    while (ring.writeNow(enc.encode(`m${n}`))) n++;
    expect(n).toBe(8); // 64 bytes of 8-byte slots (4-byte length + 2 bytes, padded)
    expect(ring.size()).toBe(8);
    expect(text(ring.readNow())).toBe('m0');
    expect(ring.writeNow(enc.encode('m8'))).toBe(true);
    for (let i = 1; i <= 8; i++) expect(text(ring.readNow())).toBe(`m${i}`);
    expect(ring.readNow()).toBeUndefined();
    ring.close();
    expect(ring.writeNow(enc.encode('late'))).toBe(false);
    expect(ring.size()).toBe(0);
  });

  it('a writer facing a full ring writes once its room frees, even when the reader then stops (it waits for more only a moment)', async () => {
    const ring = SharedRing.create(1024);
    let n = 0;
    while (ring.writeNow(enc.encode(`message ${String(n).padStart(6, '0')}`))) n++;
    const late = ring.write(enc.encode('the late message'), { timeout: 5_000 });
    expect(text(ring.readSync({ timeout: 0 }))).toBe('message 000000'); // room for one, far less than an eighth of the ring
    const t0 = performance.now();
    expect(await late).toBe('ok');
    expect(performance.now() - t0).toBeLessThan(1_000);
    const rest: string[] = [];
    while (ring.size() > 0) rest.push(text(ring.readSync({ timeout: 0 })));
    expect(rest).toHaveLength(n);
    expect(rest.at(-1)).toBe('the late message');
  });

  it('wraps around the end of the ring', () => {
    const ring = SharedRing.create(64);
    for (let i = 0; i < 200; i++) {
      const m = new Uint8Array(i % 37).fill(i & 255);
      expect(ring.writeSync(m)).toBe('ok');
      expect(Array.from(ring.readSync() as Uint8Array)).toEqual(Array.from(m));
    }
  });

  it('times out a read within bounds, sync and async, and a write on a full ring', async () => {
    const ring = SharedRing.create(64);
    let t0 = performance.now();
    expect(await ring.read({ timeout: 200 })).toBe('timeout');
    let took = performance.now() - t0;
    expect(took).toBeGreaterThanOrEqual(120);
    expect(took).toBeLessThan(2000);
    t0 = performance.now();
    expect(ring.readSync({ timeout: 200 })).toBe('timeout');
    took = performance.now() - t0;
    expect(took).toBeGreaterThanOrEqual(120);
    expect(took).toBeLessThan(2000);
    expect(ring.writeSync(new Uint8Array(60))).toBe('ok');
    expect(await ring.write(new Uint8Array(1), { timeout: 50 })).toBe('timeout');
    expect(ring.writeSync(new Uint8Array(1), { timeout: 0 })).toBe('timeout');
    expect(ring.size()).toBe(1);
  });

  it('ends with eof after the buffered messages once closed, and refuses writes', async () => {
    const ring = SharedRing.create(256);
    ring.writeSync(enc.encode('last'));
    ring.close();
    expect(() => ring.writeSync(enc.encode('x'))).toThrow(StateError);
    expect(text(await ring.read())).toBe('last');
    expect(await ring.read()).toBe('eof');
    expect(ring.pollSync()).toBe('eof');
  });

  it('ends with eof when the writers are gone', async () => {
    const ring = SharedRing.create(256);
    let gone = false;
    setTimeout(() => {
      gone = true;
      ring.wakeAll();
    }, 30);
    expect(await ring.read({ gone: () => gone })).toBe('eof');
    expect(ring.writeSync(new Uint8Array(8), { gone: () => true })).toBe('ok'); // space is there: gone is asked only when it must wait
  });

  it('rejects an abort with the reason and stays usable', async () => {
    const ring = SharedRing.create(256);
    const ac = new AbortController();
    const pending = ring.read({ signal: ac.signal });
    ac.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
    ring.writeSync(enc.encode('after'));
    expect(text(ring.readSync({ timeout: 1000 }))).toBe('after');
  });

  it('tells marked messages (notes) from the others, by every way of writing and reading, and counts their length as theirs', async () => {
    const ring = SharedRing.create(64);
    expect(ring.writeNow(enc.encode('note-1'), true)).toBe(true);
    expect(ring.writeNow(enc.encode('plain'))).toBe(true);
    expect(ring.peekLength()).toBe(6);
    const a = ring.readNow()!;
    const b = ring.readNow()!;
    expect([text(a), isMarkedMessage(a), text(b), isMarkedMessage(b)]).toEqual(['note-1', true, 'plain', false]);
    expect(await ring.write(enc.encode(''), { marked: true })).toBe('ok');
    expect(ring.writeSync(enc.encode('n3'), { marked: true, timeout: 0 })).toBe('ok');
    expect(ring.writeSync(enc.encode('p'), { timeout: 0 })).toBe('ok');
    const got = [await ring.read(), ring.readSync({ timeout: 0 }), ring.readSync({ timeout: 0 })] as Uint8Array[];
    expect(got.map((m) => [text(m), isMarkedMessage(m)])).toEqual([
      ['', true],
      ['n3', true],
      ['p', false],
    ]);
    // A note must fit whole: it is never streamed.
    expect(() => ring.writeSync(new Uint8Array(100), { marked: true })).toThrow(ArgumentError);
    expect(ring.writeNow(new Uint8Array(100), true)).toBe(false);
    expect(ring.size()).toBe(0);
  });

  it('checks its input', () => {
    expect(() => SharedRing.create(100)).toThrow(ArgumentError);
    expect(() => SharedRing.attach(new SharedArrayBuffer(100))).toThrow(ArgumentError);
    expect(() => SharedRing.create(64).writeSync('x' as unknown as Uint8Array)).toThrow(ArgumentError);
    expect(() => SharedRing.create(64).readSync({ timeout: -1 })).toThrow(ArgumentError);
  });
});

describe('SharedRing between threads', () => {
  it('carries messages of every size through a small ring, in order', async () => {
    const ring = SharedRing.create(256);
    const sizes = Array.from({ length: 300 }, (_, i) => (i * 53) % 700);
    const writer = run(f.writeSizes, ring.buffer, sizes);
    for (let i = 0; i < sizes.length; i++) {
      const m = await ring.read({ timeout: 10_000 });
      expect(m).toBeInstanceOf(Uint8Array);
      expect((m as Uint8Array).byteLength).toBe(sizes[i]);
      expect((m as Uint8Array).every((b) => b === (i & 255))).toBe(true);
    }
    await writer.join();
    expect(writer.exitCode).toBe(0);
  });

  it('streams a message 50 times the ring’s size, both ways', async () => {
    const ring = SharedRing.create(1 << 16);
    const size = (50 << 16) + 3;
    const reader = run(f.digestOne, ring.buffer);
    const big = new Uint8Array(size);
    for (let i = 0; i < size; i++) big[i] = (i * 7) & 255;
    expect(await ring.write(big)).toBe('ok');
    expect(await reader.join()).toEqual({ length: size, sha: createHash('sha256').update(big).digest('hex') });

    const writer = run(f.writeBig, ring.buffer, size);
    const back = ring.readSync({ timeout: 20_000 }) as Uint8Array;
    expect(createHash('sha256').update(back).digest('hex')).toBe(createHash('sha256').update(big).digest('hex'));
    expect(await writer.join()).toBe('ok');
  });

  it('delivers every message exactly once, in each producer’s order, with 3 producers and 3 consumers', async () => {
    const ring = SharedRing.create(512);
    const n = 1500;
    const producers = [0, 1, 2].map((id) => run(f.produce, ring.buffer, id, n, id === 1));
    const consumers = [0, 1, 2].map((i) => run(f.consume, ring.buffer, 1, i === 2));
    const got = (await Promise.all(consumers.map((c) => c.join()))) as string[][];
    await Promise.all(producers.map((p) => p.join()));
    const all = got.flat();
    expect(all).toHaveLength(3 * n);
    expect(new Set(all).size).toBe(3 * n);
    for (const list of got) {
      const last = [-1, -1, -1];
      for (const s of list) {
        const [id, i] = s.split(':').map(Number) as [number, number];
        expect(i).toBeGreaterThan(last[id]!);
        last[id] = i;
      }
    }
  });

  it('breaks, rather than hangs, when a writer dies in the middle of a streamed message', async () => {
    const ring = SharedRing.create(1 << 12);
    const writer = run(f.writeBig, ring.buffer, 1 << 22);
    expect(await ring.poll({ timeout: 10_000 })).toBe(true);
    writer.terminate();
    await writer.join();
    await expect(ring.read({ timeout: 10_000 })).rejects.toThrow(RingBrokenError);
    expect(() => ring.writeSync(new Uint8Array(1))).toThrow(RingBrokenError);
  });
});
