import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FrameDecoder, FrameTooLargeError, StreamChannel, frameHeader } from '@ipc/core';

let dir: string;
let server: Server;
let sockets: Socket[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ipc-stream-'));
  sockets = [];
});
afterEach(() => {
  for (const s of sockets) s.destroy();
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A connected pair of real Unix sockets. */
async function pair(): Promise<[Socket, Socket]> {
  const path = join(dir, 's.sock');
  server = createServer();
  server.listen(path);
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const client = connect(path);
  const [serverSide] = await accepted;
  await once(client, 'connect').catch(() => undefined);
  sockets.push(client, serverSide);
  return [client, serverSide];
}

function collect(ch: StreamChannel, n: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  return new Promise((resolve) => {
    ch.onFrame((f) => {
      out.push(Buffer.from(f));
      if (out.length === n) resolve(out);
    });
  });
}

describe('StreamChannel', () => {
  it('keeps frames whole and in order, empty ones too, small ones batched', async () => {
    const [a, b] = await pair();
    const tx = new StreamChannel(a);
    const rx = new StreamChannel(b);
    const got = collect(rx, 1002);
    const frames = [Buffer.alloc(0), Buffer.alloc(3 << 20, 7), ...Array.from({ length: 1000 }, (_, i) => Buffer.from(`m${i}`))];
    for (const f of frames) tx.send(f);
    const received = await got;
    expect(received.map((f) => f.length)).toEqual(frames.map((f) => f.length));
    expect(received[1]!.every((x) => x === 7)).toBe(true);
    expect(received[1001]!.toString()).toBe('m999');
  });

  it('a frame over the limit closes only that channel, with FrameTooLargeError', async () => {
    const [a, b] = await pair();
    const rx = new StreamChannel(b, { maxFrame: 1024 });
    const closed = new Promise((resolve) => rx.onClose(resolve));
    a.write(frameHeader(1 << 20));
    expect(await closed).toBeInstanceOf(FrameTooLargeError);
    expect(rx.closed).toBe(true);
  });

  it('a stream that ends mid-frame reports a truncated frame', async () => {
    const [a, b] = await pair();
    const rx = new StreamChannel(b);
    const closed = new Promise<Error | undefined>((resolve) => rx.onClose(resolve));
    a.end(Buffer.concat([frameHeader(100), Buffer.alloc(10)]));
    expect((await closed)?.message).toMatch(/middle of a frame/);
  });

  it('an orderly end gives no error; send after close throws', async () => {
    const [a, b] = await pair();
    const tx = new StreamChannel(a);
    const rx = new StreamChannel(b);
    const closed = new Promise<Error | undefined>((resolve) => rx.onClose(resolve));
    tx.close();
    expect(await closed).toBeUndefined();
    expect(() => tx.send(Buffer.from('x'))).toThrow(/closed/);
  });
});

describe('FrameDecoder', () => {
  it('gives an empty frame that comes last in a chunk, or alone', () => {
    const d = new FrameDecoder();
    expect(d.push(Buffer.from([0, 0, 0, 1, 7, 0, 0, 0, 0])).map((b) => b.length)).toEqual([1, 0]);
    expect(d.push(Buffer.from([0, 0, 0, 0])).map((b) => b.length)).toEqual([0]);
    expect(d.pending).toBe(0);
  });
});
