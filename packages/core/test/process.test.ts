import { afterAll, describe, expect, it } from 'vitest';
import { constants as osConstants } from 'node:os';
import { activeChildren, ArgumentError, cpuCount, currentProcess, getContext, Process, SerializationError, StateError, TaskReferenceError, Thread, type ContextKind } from '@ipc/core';
// @ts-expect-error -- plain JS fixture, loaded in the children too
import * as fx from './fixtures/tasks.mjs';

const f = fx as Record<string, (...args: unknown[]) => unknown> & { Doubler: new (v: number) => Process; Unregistered: new () => Process };

afterAll(() => {
  expect(activeChildren()).toEqual([]);
});

describe.each<ContextKind>(['thread', 'process'])('Process in the %s context', (context) => {
  it('runs a target with args and join() resolves with its return value', async () => {
    const p = new Process({ target: f.square, args: [7], context });
    expect(p.exitCode).toBeNull();
    p.start();
    expect(await p.join()).toBe(49);
    expect(p.exitCode).toBe(0);
    expect(p.isAlive()).toBe(false);
  });

  it('awaits an async target and passes kwargs as a trailing object', async () => {
    const a = new Process({ target: f.asyncAdd, args: [2, 3], context });
    const b = new Process({ target: f.withKwargs, args: [1], kwargs: { x: 2 }, context });
    a.start();
    b.start();
    expect(await a.join()).toBe(5);
    expect(await b.join()).toEqual({ a: 1, kw: { x: 2 } });
  });

  it('args of every clonable kind arrive equal', async () => {
    const cyclic: Record<string, unknown> = { n: 1 };
    cyclic.self = cyclic;
    const args = [null, undefined, true, 1.5, -0, 10n ** 30n, 'héllo', [1, [2]], { a: { b: 1 } }, new Map([[1, 'a']]), new Set([1, 2]), new Date(5), /x+/gi, new Uint8Array([1, 2, 3]), new Float64Array([1.5]), new TypeError('t')];
    const p = new Process({ target: f.echo, args: [...args, cyclic], context });
    p.start();
    const back = (await p.join()) as unknown[];
    expect(back.slice(0, -2)).toEqual(args.slice(0, -1));
    expect(back[args.length - 1]).toBeInstanceOf(TypeError);
    const c = back[args.length] as Record<string, unknown>;
    expect(c.self).toBe(c);
  });

  it('a throwing target gives exit code 1, its error with class and stack, and join resolves undefined', async () => {
    const p = new Process({ target: f.fail, args: ['boom'], context });
    p.start();
    expect(await p.join()).toBeUndefined();
    expect(p.exitCode).toBe(1);
    expect(p.error).toBeInstanceOf(RangeError);
    expect((p.error as Error).message).toBe('boom');
    expect((p.error as Error).stack).toContain('tasks.mjs');
  });

  it('process.exit(n) in the child gives exit code n', async () => {
    const p = new Process({ target: f.exitWith, args: [7], context });
    p.start();
    await p.join();
    expect(p.exitCode).toBe(7);
  });

  it('an exit code keeps its low 8 bits, as an OS process\'s: process.exit(256) gives 0, process.exit(-1) gives 255', async () => {
    // A negative exitCode means a signal: a thread's process.exit(-1) must not read as "killed by signal 1".
    const codes = [256, -1, 255];
    const procs = codes.map((code) => new Process({ target: f.exitWith, args: [code], context }));
    for (const p of procs) p.start();
    await Promise.all(procs.map((p) => p.join(10_000)));
    expect(procs.map((p) => p.exitCode)).toEqual([0, 255, 255]);
  });

  it('a target that sets process.exitCode and returns ends with that code, its result delivered', async () => {
    const p = new Process({ target: f.returnWithExitCode, args: [4], context });
    p.start();
    expect(await p.join(10_000)).toBe('returned');
    expect(p.exitCode).toBe(4);
  });

  it("Python's _kill_process: join(0) and join(-1) return at once; after terminate()/kill() and join() the child is neither alive nor active", async () => {
    for (const [end, code] of [['terminate', -15], ['kill', -9]] as const) {
      const p = new Process({ target: f.sleepForever, context, daemon: true });
      expect(activeChildren()).not.toContain(p);
      p.start();
      expect(p.isAlive()).toBe(true);
      expect(activeChildren()).toContain(p);
      expect(p.exitCode).toBeNull();
      for (const timeout of [0, -1]) {
        const t0 = performance.now();
        expect(await p.join(timeout)).toBeUndefined();
        expect(performance.now() - t0).toBeLessThan(100);
        expect(p.isAlive()).toBe(true);
      }
      p[end]();
      expect(await p.join(10_000)).toBeUndefined();
      expect(p.isAlive()).toBe(false);
      expect(activeChildren()).not.toContain(p);
      expect(p.exitCode).toBe(code);
      await p.join(); // a second join is fine
    }
  });

  it('join(Infinity) and a join longer than a timer can be (2^31 ms) wait for the end', async () => {
    const p = new Process({ target: f.sleepForever, context, daemon: true });
    p.start();
    const long = [p.join(Infinity), p.join(3e9)].map((j) => j.then(() => 'joined'));
    // Node fires a timer past its range after 1 ms: these joins must still be waiting when a 300 ms one runs out.
    const first = await Promise.race([...long, p.join(300).then(() => 'timed out')]);
    expect(first).toBe('timed out');
    expect(p.isAlive()).toBe(true);
    p.terminate();
    expect(await Promise.all(long)).toEqual(['joined', 'joined']);
    expect(p.exitCode).toBe(-15);
  });

  it('a daemon child may start a thread but not a process, as Python lets daemonic processes start threads; a Thread is a daemon by default only in a daemon thread', async () => {
    const ok = new Process({ target: f.startChildFromDaemon, args: ['thread'], context, daemon: true });
    const refused = new Process({ target: f.startChildFromDaemon, args: ['process'], context, daemon: true });
    ok.start();
    refused.start();
    // Python: a Process takes its creator's flag; a Thread its creating thread's (a daemon process's main thread is not a daemon).
    expect(await ok.join(10_000)).toEqual({ daemon: true, threadDaemon: context === 'thread', result: 25 });
    expect(ok.exitCode).toBe(0);
    expect(await refused.join(10_000)).toBeUndefined();
    expect(refused.exitCode).toBe(1);
    expect(refused.error).toBeInstanceOf(StateError);
    expect((refused.error as Error).message).toMatch(/daemonic processes are not allowed to have children/);
  });

  it("a child that breaks its own stdout and stderr still ends as usual (Python's test_error_on_stdio_flush)", async () => {
    const ok = new Process({ target: f.breakStdio, args: [false], context });
    const failing = new Process({ target: f.breakStdio, args: [true], context });
    ok.start();
    failing.start();
    expect(await ok.join(10_000)).toBe('ok');
    expect(ok.exitCode).toBe(0);
    expect(await failing.join(10_000)).toBeUndefined();
    expect(failing.exitCode).toBe(1);
    expect(failing.error).toBeInstanceOf(RangeError);
  });

  it('terminate() gives -15 and kill() gives -9, even for a busy child', async () => {
    const t = new Process({ target: f.spin, context });
    const k = new Process({ target: f.sleepForever, context });
    t.start();
    k.start();
    expect(t.isAlive()).toBe(true);
    t.terminate();
    k.kill();
    await Promise.all([t.join(), k.join()]);
    expect(t.exitCode).toBe(-15);
    expect(k.exitCode).toBe(-9);
  });

  it('join(timeout) resolves undefined while the child lives; join(0) returns at once', async () => {
    const p = new Process({ target: f.sleepForever, context, daemon: true });
    p.start();
    const t0 = performance.now();
    expect(await p.join(200)).toBeUndefined();
    const took = performance.now() - t0;
    expect(took).toBeGreaterThanOrEqual(120);
    expect(took).toBeLessThan(2000);
    expect(p.isAlive()).toBe(true);
    const t1 = performance.now();
    await p.join(0);
    expect(performance.now() - t1).toBeLessThan(200);
    p.terminate();
    await p.join();
  });

  it('a subclass overriding run() crosses by reference and keeps its fields', async () => {
    const p = new f.Doubler(21);
    expect(p.context).toBe('thread');
    const q = new (getContext(context).Process)({ target: f.square, args: [3] });
    expect(q.context).toBe(context);
    p.start();
    q.start();
    expect(await p.join()).toEqual({ doubled: 42, name: p.name, isInstance: true });
    expect(p.name).toMatch(/^Doubler-\d+$/); // named after its class, as Python's type(self).__name__
    expect(q.name).toMatch(/^Process-\d+$/); // a context's Process is a Process
    expect(await q.join()).toBe(9);
  });

  it('currentProcess() and parentProcess() in the child', async () => {
    const p = new Process({ target: f.whoAmI, context, name: 'worker-x' });
    p.start();
    const info = (await p.join()) as Record<string, unknown>;
    expect(info).toMatchObject({ name: 'worker-x', daemon: false, isMain: false, parent: { pid: process.pid, name: currentProcess().name } });
    expect(info.pid).toBe(p.pid);
    if (context === 'process') expect(info.pid).not.toBe(process.pid);
    else expect(info.threadId).toBe(p.threadId);
  });

  it('a task may call module-private functions; a task that is not exported fails in the child with TaskReferenceError', async () => {
    const ok = new Process({ target: f.callHidden, context });
    ok.start();
    expect(await ok.join()).toBe('hidden');
    const bad = new Process({ target: f.getHidden!() as (...a: unknown[]) => unknown, context });
    bad.start();
    expect(await bad.join()).toBeUndefined();
    expect(bad.exitCode).toBe(1);
    expect(bad.error).toBeInstanceOf(TaskReferenceError);
    expect((bad.error as Error).message).toMatch(/not exported/);
  });

  it('a task that is a static member of an exported class is found (Python\'s "static method"); a bound function is refused with the fix', async () => {
    const p = new Process({ target: (f.Statics as unknown as { triple: (x: number) => number }).triple, args: [14], context });
    p.start();
    expect(await p.join()).toBe(42);
    const bound = f.square!.bind(null);
    expect(() => new Process({ target: bound, context }).start()).toThrow(TaskReferenceError);
    expect(() => new Process({ target: bound, context }).start()).toThrow(/\(a bound function, not made with task\(\)\).*static member of an exported class/);
  });

  it('a value that cannot cross fails at start() with its path, and nothing starts', async () => {
    const p = new Process({ target: f.echo, args: [{ lock: { release() {} } }], context });
    expect(() => p.start()).toThrow(SerializationError);
    try {
      p.start();
    } catch (err) {
      expect((err as SerializationError).path).toBe('process.args[0].lock.release');
    }
    await expect(p.join()).rejects.toThrow(StateError);
  });
});

describe('transfer: moving ArrayBuffers to a thread child', () => {
  it.each<ContextKind>(['thread', 'process'])('moved to a thread (detached here), copied to a process (left as it is) (%s context)', async (context) => {
    const ab = new ArrayBuffer(1 << 20);
    new Uint8Array(ab).fill(1, 0, 300);
    const p = new Process({ target: f.byteSum, args: [ab], transfer: [ab], context });
    expect(ab.byteLength).toBe(1 << 20); // nothing moves before start()
    p.start();
    expect(ab.byteLength).toBe(context === 'thread' ? 0 : 1 << 20);
    expect(await p.join()).toBe(300);
  });

  it('refuses at the call what cannot be moved, and nothing is made', () => {
    expect(() => new Process({ target: f.byteSum, args: [], transfer: [{} as ArrayBuffer] })).toThrow(ArgumentError);
    expect(() => new Process({ target: f.byteSum, args: [], transfer: new ArrayBuffer(8) as unknown as ArrayBuffer[] })).toThrow(ArgumentError);
    const sab = new SharedArrayBuffer(8);
    expect(() => new Process({ target: f.byteSum, args: [sab], transfer: [sab as unknown as ArrayBuffer] })).toThrow(/SharedArrayBuffer/);
  });
});

describe('Process rules (Python)', () => {
  it('start() twice, join() before start(), daemon after start, close() while alive are errors', async () => {
    const p = new Process({ target: f.sleepForever });
    await expect(p.join()).rejects.toThrow(StateError);
    p.start();
    expect(() => p.start()).toThrow(StateError);
    expect(() => (p.daemon = true)).toThrow(StateError);
    expect(() => p.close()).toThrow(StateError);
    p.terminate();
    await p.join();
    p.close();
    p.close(); // twice is fine, as in Python
    expect(String(p)).toMatch(new RegExp(`^<Process name='Process-\\d+' parent=${process.pid} closed>$`)); // Python's repr: no pid once closed
    expect(() => p.isAlive()).toThrow(StateError);
    expect(() => p.pid).toThrow(StateError);
    expect(() => p.exitCode).toThrow(StateError);
    expect(() => p.sentinel).toThrow(StateError);
    expect(() => p.start()).toThrow(StateError);
    expect(() => p.terminate()).toThrow(StateError);
    expect(() => p.kill()).toThrow(StateError);
    await expect(p.join()).rejects.toThrow(StateError);
    expect(p.name).toMatch(/^Process-\d+$/);
  });

  it("names as Python's: a Thread tells its target's name (Thread-N (work)), an empty name takes the default, a name that is not a string is refused", () => {
    const plain = new Thread();
    const n = Number(/^Thread-(\d+)$/.exec(plain.name)?.[1]);
    expect(new Thread({ target: f.namedWork }).name).toBe(`Thread-${n + 1} (namedWork)`);
    expect(new Thread({ target: f.square }).name).toBe(`Thread-${n + 2}`); // an anonymous function has no name to tell
    expect(new Thread({ name: 'mine', target: f.namedWork }).name).toBe('mine'); // a given name does not move the counter
    expect(new Thread({ name: '' }).name).toBe(`Thread-${n + 3}`);
    expect(new Process({ name: '' }).name).toMatch(/^Process-\d+$/);
    expect(new Process({ target: f.namedWork }).name).toMatch(/^Process-\d+$/); // Python's Process does not
    expect(() => new Process({ name: 42 as unknown as string })).toThrow(ArgumentError);
    expect(() => new Thread({ name: 42 as unknown as string })).toThrow(ArgumentError);
  });

  it("getContext() as Python's get_context(): one object per kind, 'thread' by default, an unknown kind refused; the child runs in its context", async () => {
    expect(getContext()).toBe(getContext('thread'));
    expect(getContext('process')).toBe(getContext('process'));
    expect(getContext('process').kind).toBe('process');
    expect(() => getContext('fork' as ContextKind)).toThrow(ArgumentError);
    const kids = (['thread', 'process'] as const).map((kind) => new (getContext(kind).Process)({ target: f.myContext }));
    for (const kid of kids) kid.start();
    expect(await Promise.all(kids.map((kid) => kid.join(10_000)))).toEqual(['thread', 'process']);
  });

  it('a plain function as target fails at start() saying how to fix it', () => {
    const p = new Process({ target: (x: number) => x });
    expect(() => p.start()).toThrow(TaskReferenceError);
    expect(() => p.start()).toThrow(/task\(import\.meta\.url/);
  });

  it('a subclass not made with task() fails at start()', () => {
    expect(() => new f.Unregistered().start()).toThrow(TaskReferenceError);
  });

  it('names default to Process-N and Thread-N; Thread is fixed to the thread context', () => {
    expect(new Process().name).toMatch(/^Process-\d+$/);
    expect(new Thread().name).toMatch(/^Thread-\d+$/);
    expect(new Thread().context).toBe('thread');
    expect(cpuCount()).toBeGreaterThan(0);
    expect(currentProcess()).toMatchObject({ name: 'MainProcess', isMain: true, pid: process.pid });
  });

  it.each<ContextKind>(['thread', 'process'])('children of children are named as Python names them: Process-1:2 (%s context)', async (context) => {
    const p = new Process({ target: f.nestedNames, args: [2, context], context });
    p.start();
    const top = p.name; // Process-N: this heap's Nth process
    expect(await p.join()).toEqual([top, `${top}:1`, `${top}:1:1`, `${top}:1:2`, `${top}:2`, `${top}:2:1`, `${top}:2:2`]);
  });

  it('a child ended by any signal has exit code -N: SIGVTALRM gives -26 (process context)', async () => {
    const p = new Process({ target: f.signalSelf, args: ['SIGVTALRM'], context: 'process' });
    p.start();
    await p.join(10_000);
    expect(p.exitCode).toBe(-osConstants.signals.SIGVTALRM);
    expect(p.exitCode).toBe(-26);
  });

  // /proc/self/fd is Linux's: elsewhere there is no cheap way for a child to count its descriptors.
  it.runIf(process.platform === 'linux')("a forked child's descriptors do not grow with the children running beside it (Python's test_child_fd_inflation)", async () => {
    const procs = Array.from({ length: 5 }, () => new Process({ target: f.fdCount, context: 'process' }));
    for (const p of procs) p.start();
    const counts = await Promise.all(procs.map((p) => p.join(20_000)));
    expect(counts.every((n) => typeof n === 'number' && n > 0)).toBe(true);
    expect(new Set(counts).size).toBe(1);
  });

  it('100 processes started and terminated at once all end with -15', async () => {
    const procs = Array.from({ length: 100 }, () => new Process({ target: f.sleepForever, context: 'process' }));
    for (const p of procs) p.start();
    for (const p of procs) p.terminate();
    await Promise.all(procs.map((p) => p.join()));
    expect(procs.map((p) => p.exitCode)).toEqual(procs.map(() => -15));
    // A bound for hangs, not a speed target: 100 forks of Node took 30–60 s on the 2-core VM under load (a raw fork ×100: 16 s).
  }, 180_000);
});
