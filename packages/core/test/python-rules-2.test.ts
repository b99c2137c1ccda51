// A second pass over CPython 3.13's _test_multiprocessing.py (_TestProcess, _TestSubclassingProcess)
// and test_threading.py (ThreadTests): the cases python-rules.test.ts, process.test.ts,
// current-process.test.ts and daemon.test.ts do not already cover. Each `it` names the test it ports.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { threadId } from 'node:worker_threads';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { activeChildren, ArgumentError, currentProcess, Process, SerializationError, StateError, Thread, type ContextKind } from '@ipc/core';
import { collected } from './_gc.js';
import { killPrograms, runProgram } from './_programs.js';
// @ts-expect-error -- plain JS fixture, loaded in the children too
import * as fx from './fixtures/python-rules-2-tasks.mjs';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixtures take what the tests give them
type Task = (...args: any[]) => any;
const f = fx as Record<
  'func' | 'takeArg' | 'recurse' | 'closeTarget' | 'startedThenWait' | 'noop' | 'runSelf' | 'whereAmI' | 'fdCountThenWait' | 'divideByZeroMarker' | 'sysExit' | 'exitTrue',
  Task
>;
const stdioScript = fileURLToPath(new URL('./fixtures/python-rules-2-stdio.mjs', import.meta.url));


/** Polls `cond` every 5 ms until it holds or `bound` ms pass: whether it held. */
async function until(cond: () => boolean, bound = 10_000): Promise<boolean> {
  const end = performance.now() + bound;
  while (!cond()) {
    if (performance.now() > end) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ipc-python-rules-2-'));
  dirs.push(dir);
  return dir;
}

/** Children a test could not end by its own path (a failed assertion): terminated after it. */
const started: Process[] = [];
function track<P extends Process>(p: P): P {
  started.push(p);
  return p;
}
afterEach(async () => {
  killPrograms();
  for (const p of started.splice(0)) {
    try {
      if (p.isAlive()) {
        p.kill();
        await p.join(10_000);
      }
    } catch {
      /* closed */
    }
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
afterAll(() => {
  expect(activeChildren()).toEqual([]);
});

const run = (args: string[]): ReturnType<typeof runProgram> => runProgram(stdioScript, args, 20_000);

describe.each<ContextKind>(['thread', 'process'])('_TestProcess, second pass, in the %s context', (context) => {
  it('test_args_argument (bpo-45735): each kind of argument arrives as it was given', async () => {
    // Python's (1, "str", [1], (1,)) as a list or a tuple of args; JavaScript has one kind of sequence.
    for (const arg of [1, 'str', [1], [[1]], { a: [1] }]) {
      const p = track(new Process({ target: f.takeArg, args: [arg], context, daemon: true }));
      p.start();
      expect(await p.join(10_000)).toEqual(arg);
      expect(p.exitCode).toBe(0);
    }
  });

  it('test_recursion: children of children report in order, each started and joined by its parent; named Process-N:i', async () => {
    const path = join(tempDir(), 'ids.txt');
    await (f.recurse as (path: string, id: number[], context: ContextKind) => Promise<void>)(path, [], context);
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: number[]; name: string });
    expect(lines.map((l) => l.id)).toEqual([[], [0], [0, 0], [0, 1], [1], [1, 0], [1, 1]]);
    const [, a, aa, ab, b, ba, bb] = lines.map((l) => l.name);
    expect(lines[0]!.name).toBe('MainProcess');
    expect(a).toMatch(/^Process-\d+$/);
    expect(b).toMatch(/^Process-\d+$/);
    expect([aa, ab]).toEqual([`${a}:1`, `${a}:2`]);
    expect([ba, bb]).toEqual([`${b}:1`, `${b}:2`]);
    expect(activeChildren()).toEqual([]);
  }, 60_000);

  it('test_close: close() of a live child is an error; after join, close() makes every method an error but close(); the object is collected', async () => {
    const go = join(tempDir(), 'go');
    let p: Process | undefined = track(new Process({ target: f.closeTarget, args: [0, go], context, daemon: true }));
    p.start();
    expect(p.isAlive()).toBe(true);
    expect(() => p!.close()).toThrow(StateError); // Python: ValueError, the child still runs
    writeFileSync(go, '');
    await p.join(10_000);
    expect(p.isAlive()).toBe(false);
    expect(p.exitCode).toBe(0);
    p.close();
    expect(() => p!.isAlive()).toThrow(StateError);
    // Caught by hand: vitest's `expect(promise).rejects` keeps the promise (and so the object) alive.
    expect(await p.join().catch((err: unknown) => err)).toBeInstanceOf(StateError);
    expect(() => p!.terminate()).toThrow(StateError);
    p.close();
    started.length = 0;
    const wr = new WeakRef(p);
    p = undefined;
    expect(await collected(wr)).toBe(true);
  });

  it("Process.__repr__: <Process name='…' pid=… parent=… started daemon>, then stopped with its exit code (by signal name: exitcode=-SIGTERM)", async () => {
    const dir = tempDir();
    const p = track(new Process({ target: f.startedThenWait, args: [join(dir, 'started'), join(dir, 'go')], name: 'Repr', context }));
    expect(String(p)).toBe(`<Process name='Repr' parent=${process.pid} initial>`);
    p.daemon = true;
    expect(String(p)).toBe(`<Process name='Repr' parent=${process.pid} initial daemon>`);
    p.start();
    expect(String(p)).toBe(`<Process name='Repr' pid=${p.pid} parent=${process.pid} started daemon>`);
    writeFileSync(join(dir, 'go'), '');
    await p.join(10_000);
    expect(String(p)).toBe(`<Process name='Repr' pid=${p.pid} parent=${process.pid} stopped exitcode=0 daemon>`);
    const t = track(new Process({ target: f.startedThenWait, args: [join(dir, 's2'), join(dir, 'never')], context }));
    t.start();
    t.terminate();
    await t.join(10_000);
    expect(String(t)).toMatch(new RegExp(`^<Process name='Process-[\\d:]+' pid=${t.pid} parent=${process.pid} stopped exitcode=-SIGTERM>$`));
  });

  it('test_repr_stopped: "started" while it runs, then "stopped" shows up on its own, without join()', async () => {
    const dir = tempDir();
    const p = track(new Process({ target: f.startedThenWait, args: [join(dir, 'started'), join(dir, 'go')], context }));
    p.start();
    expect(await until(() => existsSync(join(dir, 'started')))).toBe(true);
    expect(String(p)).toContain('started');
    writeFileSync(join(dir, 'go'), '');
    expect(await until(() => String(p).includes('stopped'))).toBe(true);
    expect(p.isAlive()).toBe(false);
    expect(await p.join(10_000)).toBe('finished');
  });

  it('test_leak_without_join / test_active_children: a child never joined still leaves activeChildren() once it has ended', async () => {
    const p = track(new Process({ target: f.noop, context }));
    expect(activeChildren()).not.toContain(p);
    p.start();
    expect(activeChildren()).toContain(p);
    expect(await until(() => !activeChildren().includes(p))).toBe(true);
    expect(p.exitCode).toBe(0);
  });

  it('test_no_refcycle_through_target: an object whose process holds it in args and kwargs is collected once the child has ended, whether it returned or failed', async () => {
    for (const shouldRaise of [false, true]) {
      // RunSelfFunction: the object holds its process; the process holds the object (args, kwargs).
      let holder: { shouldRaise: boolean; process?: Process } | undefined = { shouldRaise };
      const p = new Process({ target: f.runSelf, args: [holder], kwargs: { yetAnother: holder }, context });
      // Not enumerable, so the copy sent to the child does not try to take the Process object along.
      Object.defineProperty(holder, 'process', { value: p, enumerable: false });
      p.start();
      const wr = new WeakRef(holder);
      await holder.process!.join(10_000);
      expect(holder.process!.exitCode).toBe(shouldRaise ? 1 : 0);
      holder = undefined;
      expect(await collected(wr)).toBe(true);
    }
  });

  it('test_limbo_cleanup: a start() that fails leaves nothing started — not alive, not active, no exit code', () => {
    const p = new Process({ target: f.takeArg, args: [{ fn: () => 1 }], context });
    expect(() => p.start()).toThrow(SerializationError);
    expect(p.isAlive()).toBe(false);
    expect(activeChildren()).not.toContain(p);
    expect(p.exitCode).toBeNull();
    expect(p.pid).toBeUndefined();
  });

  it('test_process_mainthread_native_id: the child runs on a thread of its own (thread) or in a process of its own (process)', async () => {
    const p = track(new Process({ target: f.whereAmI, context }));
    p.start();
    const where = (await p.join(10_000)) as { pid: number; threadId: number };
    if (context === 'thread') {
      expect(where).toEqual({ pid: process.pid, threadId: p.threadId });
      expect(where.threadId).not.toBe(threadId);
    } else {
      expect(where.pid).toBe(p.pid);
      expect(where.pid).not.toBe(process.pid);
      expect(where.threadId).toBe(0); // its own process's main thread
    }
  });

  it("_TestSubclassingProcess.test_stderr_flush: the whole traceback of the child's uncaught error reaches the stderr it set", async () => {
    const path = join(tempDir(), 'err.txt');
    const p = track(new Process({ target: f.divideByZeroMarker, args: [path], context }));
    p.start();
    await p.join(10_000);
    expect(p.exitCode).toBe(1);
    const err = readFileSync(path, 'utf8');
    expect(err).toContain(`Process ${p.name}:`);
    expect(err).toContain('RangeError: Division by zero'); // Python: ZeroDivisionError
    expect(err).toContain('python-rules-2-tasks.mjs'); // Python: test_multiprocessing.py
    expect(err).toMatch(/python-rules-2-tasks\.mjs:\d+/); // Python: the line "1/0 # MARKER"
  });

  it('_TestSubclassingProcess.test_sys_exit: sys.exit([1, 2, 3]) / sys.exit("ignore this") give 1 with str(reason) alone on stderr; True 1, 8 8, None 0, () 0', async () => {
    const dir = tempDir();
    for (const [i, reason] of ([[1, 2, 3], 'ignore this'] as const).entries()) {
      const path = join(dir, `reason-${i}.txt`);
      const p = track(new Process({ target: f.sysExit, args: [reason, path], context, daemon: true }));
      p.start();
      await p.join(10_000);
      expect(p.exitCode).toBe(1);
      expect(readFileSync(path, 'utf8').trimEnd()).toBe(Array.isArray(reason) ? '[1, 2, 3]' : reason);
    }
    const cases: [Task, unknown[], number][] = [
      [f.exitTrue, [], 1], // process.exit(true) is a TypeError in Node: the child fails, with Python's code
      [f.sysExit, [8, join(dir, 'x')], 8],
      [f.sysExit, [null, join(dir, 'x')], 0],
      [f.sysExit, [undefined, join(dir, 'x')], 0],
    ];
    const procs = cases.map(([target, args]) => track(new Process({ target, args, context, daemon: true })));
    for (const p of procs) p.start();
    await Promise.all(procs.map((p) => p.join(10_000)));
    expect(procs.map((p) => p.exitCode)).toEqual(cases.map(([, , code]) => code));
  });

  it('test_many_processes (second half): five children terminated right after start() all end with -15', async () => {
    const procs = Array.from({ length: 5 }, () => track(new Process({ target: f.startedThenWait, args: ['/nonexistent/started', '/nonexistent/go'], context })));
    for (const p of procs) p.start();
    for (const p of procs) p.terminate();
    await Promise.all(procs.map((p) => p.join(20_000)));
    expect(procs.map((p) => p.exitCode)).toEqual([-15, -15, -15, -15, -15]);
    expect(procs.some((p) => activeChildren().includes(p))).toBe(false);
  });

  it('test_join_nondaemon_on_shutdown: a main program that ends still waits for its non-daemon child, whose output is all there; nothing on stderr', async () => {
    const { code, out, err } = await run([context, 'nondaemon']);
    expect(out.trim()).toBe('Woke up, sleep function is: setTimeout');
    expect(err).toBe('');
    expect(code).toBe(0);
  });
});

describe('_TestProcess, second pass, process context only', () => {
  // /proc/self/fd is Linux's: elsewhere there is no cheap way for a child to count its descriptors.
  it.runIf(process.platform === 'linux')('test_child_fd_inflation: five forked children alive at once each have the same number of descriptors', async () => {
    const dir = tempDir();
    const go = join(dir, 'go');
    const procs = Array.from({ length: 5 }, (_, i) => track(new Process({ target: f.fdCountThenWait, args: [dir, i, go], context: 'process' })));
    for (const p of procs) p.start();
    try {
      expect(await until(() => readdirSync(dir).filter((n) => n.startsWith('count-')).length === 5, 20_000)).toBe(true);
      const counts = procs.map((_, i) => Number(readFileSync(join(dir, `count-${i}`), 'utf8')));
      expect(counts.every((n) => n > 0)).toBe(true);
      expect(new Set(counts).size).toBe(1);
    } finally {
      writeFileSync(go, '');
      await Promise.all(procs.map((p) => p.join(20_000)));
    }
    expect(procs.map((p) => p.exitCode)).toEqual([0, 0, 0, 0, 0]);
  });
});

describe('ThreadTests, second pass (test_threading)', () => {
  it('test_args_argument: a Thread passes args as they are given', async () => {
    for (const arg of [1, 'str', [1]]) {
      const t = new Thread({ target: f.takeArg, args: [arg] });
      t.start();
      expect(await t.join(10_000)).toEqual(arg);
    }
  });

  it("test_name: a given name is kept and the target's is not added; an empty name takes Thread-N; a name that is not a string is refused (documented: Python's str(123))", () => {
    expect(new Thread({ name: 'myname1' }).name).toBe('myname1');
    expect(new Thread({ target: f.takeArg, name: 'myname2' }).name).toBe('myname2');
    const n = Number(/^Thread-(\d+)$/.exec(new Thread({ name: '' }).name)?.[1]);
    expect(new Thread().name).toBe(`Thread-${n + 1}`);
    expect(new Thread({ target: f.func }).name).toBe(`Thread-${n + 2} (func)`);
    // Python turns name=123 into "123"; the README documents an ArgumentError here instead.
    expect(() => new Thread({ name: 123 as unknown as string })).toThrow(ArgumentError);
  });

  it('test_various_ops: the main thread and each thread have their own ids (native_id)', async () => {
    const threads = Array.from({ length: 3 }, () => new Thread({ target: f.whereAmI }));
    for (const t of threads) t.start();
    const where = (await Promise.all(threads.map((t) => t.join(10_000)))) as { threadId: number }[];
    expect(new Set([threadId, ...where.map((w) => w.threadId)]).size).toBe(4);
    expect(currentProcess().threadId).toBe(threadId);
  });
});
