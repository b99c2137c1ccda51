// Rules of CPython's _test_multiprocessing.py (_TestProcess, _TestSubclassingProcess), of
// multiprocessing/process.py and of test_threading.py (ThreadTests) that a porter relies on, for
// what process.test.ts, current-process.test.ts and daemon.test.ts do not already cover.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { activeChildren, ArgumentError, cpuCount, currentProcess, Process, StateError, Thread, type ContextKind } from '@ipc/core';
import { collected } from './_gc.js';
import { killPrograms, runProgram } from './_programs.js';
// @ts-expect-error -- plain JS fixture, loaded in the children too
import * as fx from './fixtures/python-rules-tasks.mjs';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixtures take what the tests give them
type Task = (...args: any[]) => any;
const f = fx as Record<'report' | 'selfReport' | 'renameSelf' | 'parentName' | 'daemonDefaults' | 'sleepMs' | 'sleepForever' | 'exitWith' | 'echo' | 'startThreads' | 'startThenThrow', Task> & {
  UpperCaser: new (words: string[]) => Process;
};
const stdioScript = fileURLToPath(new URL('./fixtures/python-rules-stdio.mjs', import.meta.url));


const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ipc-python-rules-'));
  dirs.push(dir);
  return join(dir, 'out.txt');
}

afterEach(() => {
  killPrograms();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
afterAll(() => {
  expect(activeChildren()).toEqual([]);
});

const run = (args: string[]): ReturnType<typeof runProgram> => runProgram(stdioScript, args, 25_000);

describe.each<ContextKind>(['thread', 'process'])('_TestProcess in the %s context', (context) => {
  it('test_process: state before start, while running and after join; args, kwargs, name and pid reach the child; test_join_from_multiple_threads', async () => {
    const args = [1, 2];
    const kwargs = { hello: 23, bye: 2.54 };
    const p = new Process({ target: f.report, args, kwargs, name: 'SomeProcess', context });
    p.daemon = true;
    expect(p.isAlive()).toBe(false);
    expect(p.daemon).toBe(true);
    expect(Array.isArray(activeChildren())).toBe(true);
    expect(activeChildren()).not.toContain(p);
    expect(p.exitCode).toBeNull();
    expect(p.pid).toBeUndefined(); // Python's ident/pid: None before start
    p.start();
    expect(p.exitCode).toBeNull();
    expect(p.isAlive()).toBe(true);
    expect(activeChildren()).toContain(p);
    // Several joins of one child all see its end (and, here, its value).
    const joins = await Promise.all([p.join(), p.join(), p.join(10_000)]);
    expect(joins[0]).toEqual({ args, kwargs, name: 'SomeProcess', pid: p.pid });
    expect(joins[1]).toEqual(joins[0]);
    expect(joins[2]).toEqual(joins[0]);
    if (context === 'thread') expect(p.pid).toBe(process.pid);
    else expect(p.pid).not.toBe(process.pid);
    expect(p.exitCode).toBe(0);
    expect(p.isAlive()).toBe(false);
    expect(activeChildren()).not.toContain(p);
  });

  it("test_current / test_joining_current_thread: the child's own process object is alive, has no exit code, its pid; it cannot join or start itself", async () => {
    const p = new Process({ target: f.selfReport, context });
    p.start();
    const me = (await p.join(10_000)) as Record<string, unknown>;
    expect(p.exitCode).toBe(0);
    expect(me).toMatchObject({ alive: true, exitCode: null, pid: p.pid, daemon: false });
    expect(me.repr).toBe(`<Process name='${p.name}' parent=${process.pid} started>`); // Python's repr of current_process(): its parent, 'started'
    expect(me.join).toBeInstanceOf(StateError);
    expect(me.start).toBeInstanceOf(StateError);
  });

  it("process.py's name setter: current_process().name = … renames the child for good, and its children see the new name as their parent's", async () => {
    const p = new Process({ target: f.renameSelf, args: ['renamed', context], context });
    p.start();
    expect(await p.join(10_000)).toEqual({ current: 'renamed', own: 'renamed', kidSaw: 'renamed' });
    expect(p.name).toMatch(/^Process-\d+$/); // the parent's object keeps the name it gave
  });

  it('test_daemon_argument in a child: a Process takes its creator\'s daemon flag unless told', async () => {
    const p = new Process({ target: f.daemonDefaults, context });
    p.start();
    expect(await p.join(10_000)).toEqual({ current: false, byDefault: false, yes: true, no: false });
  });

  it('test_sentinel: StateError before start ("process not started"), not ready while running, ready once the child has ended', async () => {
    const p = new Process({ target: f.sleepMs, args: [100, 'done'], context });
    expect(() => p.sentinel).toThrow(StateError);
    expect(() => p.sentinel).toThrow(/process not started/);
    p.start();
    const sentinel = p.sentinel;
    expect(sentinel.ready).toBe(false);
    expect(await p.join(0)).toBeUndefined();
    expect(sentinel.ready).toBe(false);
    await sentinel.whenReady();
    expect(sentinel.ready).toBe(true);
    expect(p.exitCode).toBe(0);
    expect(p.sentinel).toBe(sentinel);
    expect(await p.join()).toBe('done');
  });

  it('test_args_argument / test_lose_target_ref / test_close: args are copied at construction, let go of at start(); a closed process object is collected', async () => {
    const args: unknown[] = [1, { big: new Uint8Array(1 << 20) }];
    const kwargs: Record<string, unknown> = { a: 1 };
    let p: Process | undefined = new Process({ target: f.echo, args, kwargs, context });
    // Python's tuple(args) and dict(kwargs): the caller's later changes are not sent.
    args.push('late');
    kwargs.b = 2;
    const arg = new WeakRef(args[1] as object);
    args.length = 0;
    p.start();
    const back = (await p.join(10_000)) as unknown[];
    expect(back).toHaveLength(3);
    expect(back[0]).toBe(1);
    expect(back[2]).toEqual({ a: 1 });
    // The object lives on, but what it sent is no longer held by it (Python: `del self._target, self._args, self._kwargs`).
    expect(await collected(arg)).toBe(true);
    p.close();
    const obj = new WeakRef(p);
    p = undefined;
    expect(await collected(obj)).toBe(true);
  });

  it('test_sys_exit: process.exit() and process.exit(null) give 0, process.exit(8) gives 8, a code that is not an integer fails the child with 1', async () => {
    // Python: sys.exit() / sys.exit(None) → 0, sys.exit(8) → 8, sys.exit('ignore this') → 1 with the text on stderr.
    // Node refuses a code that is not an integer: the child ends as on an uncaught error, the text in its message.
    const cases: [unknown[], number][] = [[[], 0], [[null], 0], [[8], 8], [['ignore this'], 1]];
    const procs = cases.map(([args]) => new Process({ target: f.exitWith, args, context, daemon: true }));
    for (const p of procs) p.start();
    await Promise.all(procs.map((p) => p.join(10_000)));
    expect(procs.map((p) => p.exitCode)).toEqual(cases.map(([, code]) => code));
    expect(procs[3]!.error).toBeInstanceOf(TypeError);
    expect((procs[3]!.error as Error).message).toContain('ignore this');
  });

  it('test_wait_for_threads: a child waits for its non-daemon threads before it ends, not for its daemon ones', async () => {
    const path = tempFile();
    const p = new Process({ target: f.startThreads, args: [path], context });
    p.start();
    expect(await p.join(10_000)).toBe('returned');
    expect(p.exitCode).toBe(0);
    expect(readFileSync(path, 'utf8')).toBe('thread done');
  });

  it.each<ContextKind>(['thread', 'process'])("a child whose run() fails still waits for its non-daemon %s children, as Python's _bootstrap does", async (inner) => {
    const path = tempFile();
    const p = new Process({ target: f.startThenThrow, args: [inner, path], context });
    p.start();
    expect(await p.join(10_000)).toBeUndefined();
    expect(p.exitCode).toBe(1);
    expect((p.error as Error).message).toBe('failed after start');
    expect(existsSync(path) && readFileSync(path, 'utf8')).toBe('grandchild done');
  });

  it('test_many_processes: short-lived children all end with 0 (N = 5, as CPython for spawn)', async () => {
    const procs = Array.from({ length: 5 }, (_, i) => new Process({ target: f.sleepMs, args: [10, i], context }));
    for (const p of procs) p.start();
    expect(await Promise.all(procs.map((p) => p.join(20_000)))).toEqual([0, 1, 2, 3, 4]);
    expect(procs.map((p) => p.exitCode)).toEqual([0, 0, 0, 0, 0]);
  });

  it('test_stderr_flush / test_sys_exit: what the child wrote before process.exit() all reaches stdout and stderr; the exit text is on stderr', async () => {
    const { code, out, err } = await run([context, 'flush']);
    expect(code).toBe(0);
    expect(err).toContain(`${'e'.repeat(100_000)}<stderr end>\n`);
    expect(out).toContain(`${'o'.repeat(100_000)}<stdout end>\n`);
    expect(err).toContain('Process Process-1:');
    expect(err).toContain('ignore this');
    expect(JSON.parse(out.slice(out.indexOf('<stdout end>\n') + 13))).toEqual({ exitCode: 1, error: 'TypeError' });
  });

  it("test_error_on_stdio_flush_1: a child started while the parent's own stdout and stderr are broken ends with 0", async () => {
    const { code } = await run([context, 'broken']);
    expect(code).toBe(0);
  });
});

describe('_TestSubclassingProcess', () => {
  it('test_subclassing: a subclass with its own constructor and fields runs in the process context, daemon set before start', async () => {
    const p = new f.UpperCaser(['hello', 'world']);
    expect(p.context).toBe('process');
    expect(p.name).toMatch(/^UpperCaser-\d+$/);
    p.daemon = true;
    p.start();
    expect(await p.join(10_000)).toEqual({ upper: ['HELLO', 'WORLD'], daemon: true, pid: p.pid, name: p.name });
    expect(p.pid).not.toBe(process.pid);
    expect(p.exitCode).toBe(0);
  });
});

describe('_TestProcess in the main program', () => {
  it('test_current / test_daemon_argument / test_cpu_count: the main program is not a daemon, a Process takes its flag unless told; cpuCount() is an integer ≥ 1', () => {
    const current = currentProcess();
    expect(current.daemon).toBe(false);
    expect(current.pid).toBe(process.pid);
    expect(new Process().daemon).toBe(current.daemon);
    expect(new Process({ daemon: true }).daemon).toBe(true);
    expect(new Process({ daemon: false }).daemon).toBe(false);
    expect(Number.isInteger(cpuCount())).toBe(true);
    expect(cpuCount()).toBeGreaterThanOrEqual(1);
  });

  it("process.py's name setter in the main program: current_process().name = … renames it for its children too; a name that is not a string is refused", async () => {
    const before = currentProcess().name;
    try {
      currentProcess().name = 'Renamed';
      expect(currentProcess().name).toBe('Renamed');
      const p = new Process({ target: f.parentName, context: 'thread' });
      p.start();
      expect(await p.join(10_000)).toBe('Renamed');
      expect(() => (currentProcess().name = 42 as unknown as string)).toThrow(ArgumentError);
    } finally {
      currentProcess().name = before;
    }
    expect(currentProcess().name).toBe('MainProcess');
  });
});

describe('Thread (test_threading ThreadTests)', () => {
  it('test_various_ops: no id before start; after join not alive, each its own thread id, shown as stopped', async () => {
    const threads = Array.from({ length: 10 }, () => new Thread({ target: f.sleepMs, args: [20, 'x'] }));
    for (const t of threads) {
      expect(t.threadId).toBeUndefined();
      expect(String(t)).toMatch(/^<Thread name='Thread-\d+' initial>$/);
      t.start();
    }
    for (const t of threads) {
      await t.join();
      expect(t.isAlive()).toBe(false);
      expect(String(t)).toMatch(/^<Thread name='Thread-\d+' stopped exitcode=0>$/);
    }
    const ids = threads.map((t) => t.threadId);
    expect(ids.every((id) => typeof id === 'number' && id > 0)).toBe(true);
    expect(new Set([...ids, currentProcess().threadId]).size).toBe(11);
  });

  it('test_repr_daemon / test_daemon_param', () => {
    const t = new Thread();
    expect(String(t)).not.toContain('daemon');
    t.daemon = true;
    expect(String(t)).toContain('daemon');
    expect(new Thread().daemon).toBe(false);
    expect(new Thread({ daemon: false }).daemon).toBe(false);
    expect(new Thread({ daemon: true }).daemon).toBe(true);
  });

  it('test_enumerate_after_join: a joined thread is never in activeChildren()', async () => {
    for (let i = 0; i < 20; i++) {
      const t = new Thread({ target: f.echo, args: [i] });
      t.start();
      await t.join();
      expect(activeChildren()).not.toContain(t);
    }
  });
});
