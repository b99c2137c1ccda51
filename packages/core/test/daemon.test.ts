import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { alive } from './_pids.js';

const parentScript = fileURLToPath(new URL('./fixtures/parent.mjs', import.meta.url));
const joinerScript = fileURLToPath(new URL('./fixtures/daemon-joiner.mjs', import.meta.url));

/** Polls a condition until a deadline: the test fails rather than hangs. */
async function eventually(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return cond();
}

const started: { kill(sig: NodeJS.Signals): boolean; pid?: number | undefined }[] = [];
const childPids: number[] = [];
afterEach(() => {
  // Whatever a failed test left: the parent programs and the children they reported.
  for (const c of started.splice(0)) c.kill('SIGKILL');
  for (const pid of childPids.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
});

function startParent(context: string, mode: string) {
  const child = spawn(process.execPath, [parentScript, context, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  started.push(child);
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const firstLine = new Promise<Record<string, number>>((resolve, reject) => {
    child.stdout.on('data', () => {
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      const pids = JSON.parse(out.slice(0, nl)) as Record<string, number>;
      if (context === 'process') childPids.push(...Object.values(pids));
      resolve(pids);
    });
    child.once('exit', () => reject(new Error(`parent exited early: ${out}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, firstLine, exited, output: () => out };
}

describe('daemon and non-daemon children', () => {
  it('process context: the parent waits for a non-daemon child, and its daemon child ends with it', async () => {
    const p = startParent('process', 'exit');
    const pids = await p.firstLine;
    expect(alive(pids.daemon!)).toBe(true);
    expect(await p.exited).toBe(0);
    expect(p.output()).toContain('non-daemon done');
    expect(await eventually(() => !alive(pids.daemon!), 2000)).toBe(true);
  });

  it('thread context: the parent waits for a non-daemon thread and does not wait for a daemon one', async () => {
    const p = startParent('thread', 'exit');
    await p.firstLine;
    expect(await p.exited).toBe(0);
    expect(p.output()).toContain('non-daemon done');
  });

  it('a daemon child of a SIGKILLed parent does not live on', async () => {
    const p = startParent('process', 'hang');
    const pids = await p.firstLine;
    expect(alive(pids.daemon!)).toBe(true);
    p.child.kill('SIGKILL');
    await p.exited;
    // Usually within milliseconds; the bound is generous for a loaded 2-core machine.
    expect(await eventually(() => !alive(pids.daemon!), 5000)).toBe(true);
  });
});

describe('an uncaught error in the child', () => {
  it.each(['thread', 'process'])('is printed with its stack on stderr (%s context)', async (context) => {
    const script = fileURLToPath(new URL('./fixtures/throwing-parent.mjs', import.meta.url));
    const child = spawn(process.execPath, [script, context], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await new Promise((resolve) => child.once('close', resolve));
    clearTimeout(timer);
    expect(JSON.parse(out)).toEqual({ exitCode: 1 });
    expect(err).toContain('Process Process-1:');
    expect(err).toContain('RangeError: boom');
    expect(err).toMatch(/at .*tasks\.mjs:\d+/);
  });
});

describe('a child with non-daemon children of its own', () => {
  it.each([
    ['thread', 'thread'],
    ['thread', 'process'],
    ['process', 'thread'],
    ['process', 'process'],
  ] as const)('%s child, %s grandchild: the child waits for it before it ends, as Python does', async (context, inner) => {
    const { Process } = await import('@ipc/core');
    // @ts-expect-error -- plain JS fixture
    const fx = (await import('./fixtures/lifecycle-tasks.mjs')) as { parentOfSlowChild: (...a: unknown[]) => unknown };
    const dir = mkdtempSync(join(tmpdir(), 'ipc-grandchild-'));
    try {
      const path = join(dir, 'out.txt');
      const p = new Process({ target: fx.parentOfSlowChild, args: [inner, path], context });
      p.start();
      expect(await p.join()).toBe('returned');
      expect(readFileSync(path, 'utf8')).toBe('grandchild done');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.each(['thread', 'process'])('waiting for a daemon child (%s context)', (context) => {
  it.each(['join', 'join-infinity', 'sentinel'])('a program whose only work is awaiting a daemon’s %s runs to the end (Python’s join blocks)', async (how) => {
    const child = spawn(process.execPath, [joinerScript, context, how], { stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(child);
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(out).toBe('daemon done\njoined 0\n');
    expect(code).toBe(0);
  });
});
