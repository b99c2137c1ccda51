import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamChannel } from '@ipc/core';
import type { Benchmark } from '../types.js';

const child = new URL('../../fixtures/stream-echo-child.mjs', import.meta.url);
const SMALL = new Uint8Array(16).fill(7);

/** A forked child echoing frames over a Unix socket: the stream channel every process-context primitive rides on. */
async function streamRoundTrips(n: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'ipc-bench-'));
  const path = join(dir, 's');
  const server = createServer();
  server.listen(path);
  await once(server, 'listening');
  const proc = fork(child, ['stream', path]);
  const [socket] = (await once(server, 'connection')) as [Socket];
  const channel = new StreamChannel(socket);
  let wake: (() => void) | undefined;
  channel.onFrame(() => wake?.());
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const back = new Promise<void>((r) => (wake = r));
    channel.send(SMALL);
    await back;
  }
  const ms = (performance.now() - t0) / n;
  channel.send(new Uint8Array(0));
  await once(proc, 'exit');
  server.close();
  rmSync(dir, { recursive: true, force: true });
  return ms;
}

async function processSendRoundTrips(n: number): Promise<number> {
  const proc = fork(child, ['ipc'], { serialization: 'advanced' });
  await once(proc, 'spawn');
  const msg = { data: SMALL };
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    proc.send(msg);
    await once(proc, 'message');
  }
  const ms = (performance.now() - t0) / n;
  proc.send('end');
  await once(proc, 'exit');
  return ms;
}

export const processChannelBenchmarks: Benchmark[] = [
  {
    group: 'channel',
    name: 'process channel round trip, 16 B',
    unit: 'ms',
    size: 5_000,
    smokeSize: 10,
    subjects: { '@ipc': streamRoundTrips, 'raw process.send': processSendRoundTrips },
    python: 'pipe_roundtrip_ms',
  },
];
