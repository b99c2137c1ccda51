import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { alive } from './_pids.js';
import { currentProcess, parentProcess, Process, type ContextKind } from '@ipc/core';
// @ts-expect-error -- plain JS fixture, loaded in the children too
import * as fx from './fixtures/tasks.mjs';

const f = fx as Record<string, (...args: unknown[]) => unknown>;
const parentDiesScript = fileURLToPath(new URL('./fixtures/parent-dies.mjs', import.meta.url));

const leftovers: number[] = [];
afterEach(() => {
  for (const pid of leftovers.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
});

describe('parentProcess()', () => {
  it('is null in the main program', () => {
    expect(parentProcess()).toBeNull();
    expect(currentProcess().isMain).toBe(true);
  });

  it.each<ContextKind>(['thread', 'process'])(
    "in a child whose parent lives (%s context): isAlive() is true, join(ms) runs out, join(-1) returns at once, the same object each call",
    async (context) => {
      const p = new Process({ target: f.parentWhileAlive, args: [300], context });
      p.start();
      const info = (await p.join(10_000)) as Record<string, unknown>;
      expect(p.exitCode).toBe(0);
      expect(info).toMatchObject({ pid: process.pid, name: 'MainProcess', alive: true, same: true, ready: false });
      expect(info.took).toBeGreaterThanOrEqual(180); // ≥ 0.6× of 300 ms
      expect(info.took).toBeLessThan(3000);
      expect(info.tookNegative).toBeLessThan(100);
      // It crosses back as its plain { pid, name }.
      expect(info.plain).toEqual({ pid: process.pid, name: 'MainProcess' });
    },
  );

  // Python's test_parent_process: the grandchild sees its parent (the child) end. A forked grandchild
  // outlives a parent of either context; its own report comes on the shared stdout, which closes
  // only once the grandchild has ended — quietly, though it has no parent to send its result to.
  it.each([
    ['process', 'terminate'],
    ['process', 'kill'],
    ['thread', 'terminate'],
  ] as const)('a grandchild sees its %s parent end after %s(): isAlive() turns false and join() returns', async (context, how) => {
    const child = spawn(process.execPath, [parentDiesScript, context, how], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const first = /"pid":(\d+)/.exec(out);
      if (first !== null && !leftovers.includes(Number(first[1]))) leftovers.push(Number(first[1]));
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    // 'close': every holder of the pipes has ended, the grandchild included.
    const code = await new Promise<number | null>((resolve) => child.once('close', (c: number | null) => resolve(c)));
    clearTimeout(timer);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([
      { alive: true, pid: expect.any(Number) as number },
      { after: false, ready: true, same: true },
    ]);
    expect(code).toBe(0);
    expect(err).toBe('');
  });
});
