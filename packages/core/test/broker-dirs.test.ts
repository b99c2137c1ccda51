// A process that never reaches its exit handler (SIGTERM, SIGKILL) cannot remove its broker's
// directory: its parent does, once it has ended, and later processes sweep those of processes gone.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { activeChildren, Process } from '@ipc/core';
// @ts-expect-error -- plain JS fixture, loaded in the children too
import * as fx from './fixtures/broker-dirs.mjs';

const f = fx as Record<'serveAndWait', (...args: unknown[]) => unknown>;
const script = fileURLToPath(new URL('./fixtures/broker-dirs.mjs', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'ipc-dirs-test-'));

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  expect(activeChildren()).toEqual([]);
});

/** Polls for a file another process writes (bounded). */
async function fileOf(path: string): Promise<string> {
  for (const end = performance.now() + 20_000; performance.now() < end; await new Promise((r) => setTimeout(r, 10))) {
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8');
      if (text.length > 0) return text;
    }
  }
  throw new Error(`${path} never came`);
}

/** The pid of a process that has ended. */
async function deadPid(): Promise<number> {
  const p = spawn('true');
  await once(p, 'exit');
  return p.pid!;
}

describe('broker directories of processes that did not exit normally', () => {
  it.each(['terminate', 'kill'] as const)('a process child ended by %s() leaves no broker directory once joined', async (how) => {
    const file = join(scratch, `${how}.txt`);
    const p = new Process({ target: f.serveAndWait, args: [file], context: 'process' });
    p.start();
    const dir = dirname(await fileOf(file));
    expect(existsSync(dir)).toBe(true);
    p[how]();
    await p.join();
    expect(p.exitCode).toBe(how === 'terminate' ? -15 : -9);
    expect(existsSync(dir)).toBe(false);
  }, 30_000);

  it("a new process's first broker sweeps the directories of processes gone, not of those alive, nor young ones, nor one whose socket answers", async () => {
    const gone = join(tmpdir(), `ipc-broker-${await deadPid()}`);
    const goneToo = `${join(tmpdir(), `ipc-broker-${await deadPid()}`)}-Ab12Cd`;
    const young = join(tmpdir(), `ipc-broker-${await deadPid()}`);
    // A process of another pid namespace sharing this /tmp looks dead to kill(pid, 0), but its broker answers.
    const answering = join(tmpdir(), `ipc-broker-${await deadPid()}`);
    const alive = spawn('sleep', ['30']);
    const living = join(tmpdir(), `ipc-broker-${alive.pid}`);
    const unrelated = join(tmpdir(), 'ipc-broker-notapid');
    const all = [gone, goneToo, young, answering, living, unrelated];
    const server = createServer();
    try {
      for (const d of all) mkdirSync(d, { mode: 0o700, recursive: true });
      for (const d of all.filter((x) => x !== answering)) writeFileSync(join(d, '0-stale.sock'), '');
      await new Promise<void>((resolve) => server.listen(join(answering, '0-live.sock'), resolve));
      const old = new Date(Date.now() - 10 * 60_000);
      for (const d of all.filter((x) => x !== young)) utimesSync(d, old, old);
      await promisify(execFile)(process.execPath, [script, 'sweep', gone, goneToo], { timeout: 20_000 });
      expect(existsSync(gone)).toBe(false);
      expect(existsSync(goneToo)).toBe(false);
      expect(existsSync(young)).toBe(true);
      expect(existsSync(answering)).toBe(true);
      expect(existsSync(living)).toBe(true);
      expect(existsSync(unrelated)).toBe(true);
    } finally {
      server.close();
      alive.kill();
      await once(alive, 'exit');
      for (const d of all) rmSync(d, { recursive: true, force: true });
    }
  }, 30_000);
});
