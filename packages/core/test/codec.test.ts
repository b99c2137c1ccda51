import { serialize as v8Serialize } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { decode, decodeSync, encode, EOFError, IpcError, notSendable, Process, SerializationError, serialize, deserialize, StateError, task } from '@ipc/core';
// @ts-expect-error -- plain JS fixture, loaded in the children too
import * as fx from './fixtures/counter-handle.mjs';

const { Counter, Point, incrementAndPassOn, describePoint } = fx as {
  Counter: new () => { increment(): number; value: number };
  Point: new (x: number, y: number) => { x: number; y: number };
  incrementAndPassOn: (...a: unknown[]) => unknown;
  describePoint: (...a: unknown[]) => unknown;
};

function pathOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SerializationError);
    return (err as SerializationError).path;
  }
  throw new Error('did not throw');
}

describe('encode: what cannot cross fails with its path', () => {
  it.each([
    ['a function', { a: [1, { f: () => 1 }] }, 'args.a[1].f'],
    ['a symbol', [Symbol('s')], 'args[0]'],
    ['a promise', { p: Promise.resolve() }, 'args.p'],
    ['a WeakMap', new Map([['k', new WeakMap()]]), 'args.get("k")'],
  ])('%s', (_what, value, path) => {
    expect(pathOf(() => encode(value, 'thread', 'args'))).toBe(path);
  });

  it('names the class instance the user passed, not its insides', () => {
    class Socketish {
      handle = { onread: () => undefined };
    }
    let message = '';
    try {
      encode({ conn: new Socketish() }, 'process', 'args');
    } catch (err) {
      message = (err as Error).message;
      expect((err as SerializationError).path).toBe('args.conn');
    }
    expect(message).toContain('a Socketish cannot be copied');
  });

  it('objects marked notSendable give their reason (Python: cannot pickle _thread.lock objects)', () => {
    const local = { [notSendable]: 'it lives in one thread; use Queue from @ipc/queue' };
    expect(() => encode([local], 'thread', 'args')).toThrow(/use Queue from @ipc\/queue/);
  });

  it('a SharedArrayBuffer may go to a thread but not to a process', () => {
    const sab = new SharedArrayBuffer(8);
    expect(encode({ sab }, 'thread').tree).toEqual({ sab });
    expect(pathOf(() => encode({ sab }, 'process', 'args'))).toBe('args.sab');
  });

  it('leaves values that need no rewriting untouched (no copy)', () => {
    const value = { a: [1, 2, { b: new Uint8Array(3) }], m: new Map([[1, 2]]) };
    expect(encode(value, 'process').tree).toBe(value);
  });
});

describe('errors cross with class, code, cause, props and stack', () => {
  it('built-in and @ipc errors', async () => {
    const cause = new TypeError('inner');
    const err = new RangeError('outer', { cause });
    (err as unknown as Record<string, unknown>).extra = { n: 1 };
    const back = (await deserialize(serialize([err, new EOFError('gone'), new StateError('bad')]))) as Error[];
    expect(back[0]).toBeInstanceOf(RangeError);
    expect(back[0]!.message).toBe('outer');
    expect(back[0]!.cause).toBeInstanceOf(TypeError);
    expect((back[0] as unknown as Record<string, unknown>).extra).toEqual({ n: 1 });
    expect(back[0]!.stack).toBe(err.stack);
    expect(back[1]).toBeInstanceOf(EOFError);
    expect((back[1] as EOFError).code).toBe('ERR_IPC_EOF');
    expect(IpcError.is(back[2])).toBe(true);
    expect(back[2]).toBeInstanceOf(StateError);
  });

  it('an @ipc error of a class this heap does not know still comes back as an IpcError with its code', async () => {
    class Exotic extends IpcError {
      constructor() {
        super('exotic', 'ERR_IPC_EXOTIC_TEST');
      }
    }
    const back = (await deserialize(serialize(new Exotic()))) as IpcError;
    expect(IpcError.is(back)).toBe(true);
    expect(back.code).toBe('ERR_IPC_EXOTIC_TEST');
    expect(back.name).toBe('Exotic');
  });
});

describe('cycles, escapes and classes', () => {
  it('cycles survive, also when a rewritten value sits inside them', async () => {
    const a: Record<string, unknown> = { err: new Error('x') };
    a.self = a;
    const back = (await deserialize(serialize(a))) as Record<string, unknown>;
    expect(back.self).toBe(back);
    expect(back.err).toBeInstanceOf(Error);
  });

  it('a user object that uses the internal tag as a key comes back as it was', async () => {
    const odd = { '\u0000ipc': 'h', d: 1 };
    expect(await deserialize(serialize(odd))).toEqual(odd);
  });

  it('instances of a class made with task() keep their prototype', async () => {
    const back = (await deserialize(serialize(new Point(3, 4)))) as InstanceType<typeof Point>;
    expect(back).toBeInstanceOf(Point);
    expect(back.x).toBe(3);
  });

  it('task functions cross as references', async () => {
    const f = task(import.meta.url, () => 1);
    const tree = encode({ f }, 'process').tree;
    expect(() => decodeSync(tree, 'process')).toThrow(/not loaded/);
    // Not exported from this test module: loading it must fail clearly.
    await expect(decode(tree, 'process')).rejects.toThrow(/not exported/);
  });
});

describe.each(['thread', 'process'] as const)('handles in the %s context', (context) => {
  it('reduce, rebuild in a child, and pass on again to a grandchild', async () => {
    const counter = new Counter();
    const p = new Process({ target: incrementAndPassOn, args: [counter, context], context });
    p.start();
    const out = (await p.join()) as Record<string, unknown>;
    expect(p.exitCode).toBe(0);
    expect(out.isCounter).toBe(true);
    if (context === 'thread') {
      // Really shared: the grandchild's and child's writes are the parent's.
      expect(out).toEqual({ isCounter: true, seenByGrandchild: 2, afterGrandchild: 2 });
      expect(counter.value).toBe(2);
    } else {
      // This test handle sends a snapshot to processes: each copy counts on its own.
      expect(out).toEqual({ isCounter: true, seenByGrandchild: 2, afterGrandchild: 1 });
      expect(counter.value).toBe(0);
    }
  });

  it('a registered class keeps its prototype in the child', async () => {
    const p = new Process({ target: describePoint, args: [new Point(6, 8)], context });
    p.start();
    expect(await p.join()).toEqual({ isPoint: true, norm: 10 });
  });
});

describe('decodeSync in a heap that has not loaded the modules a value names', () => {
  it('decodeSync loads them at once; one it cannot load (top-level await) fails before any handle is rebuilt (decodeLoaded gives NOT_LOADED), and decode() then does it once', async () => {
    const dir = new URL('./fixtures/', import.meta.url);
    // @ts-expect-error -- plain JS fixtures
    const loadable = (await import('./fixtures/sync-load-tasks.mjs')) as { triple: unknown; Box: new (v: unknown) => unknown };
    // @ts-expect-error -- plain JS fixtures
    const tla = (await import('./fixtures/tla-tasks.mjs')) as { echo: unknown };
    // @ts-expect-error -- plain JS fixtures
    const counted = (await import('./fixtures/counted-handle.mjs')) as { Counted: new (label: string) => unknown };
    // @ts-expect-error -- plain JS fixtures
    const broken = (await import('./fixtures/broken-on-load.mjs')) as { unreachable: unknown };
    const bytes = (value: unknown): Uint8Array => v8Serialize(encode(value, 'process').tree);
    const worker = new Worker(new URL('decode-sync-worker.mjs', dir), {
      workerData: {
        loadable: bytes({ fn: loadable.triple, box: new loadable.Box(42), handle: new counted.Counted('a') }),
        loadableUrl: new URL('sync-load-tasks.mjs', dir).href,
        // The handle (its type registered by now) comes first: a decode that rebuilt as it went would rebuild it, then fail.
        tla: bytes({ handle: new counted.Counted('h'), fn: tla.echo }),
        broken: bytes(broken.unreachable),
      },
    });
    try {
      const out = await new Promise<Record<string, unknown>>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      expect(out.loadable).toEqual({ tripled: 15, isBox: true, boxed: 42, sameAsImport: true, handle: 'a', rebuilds: 1 });
      // decodeLoaded, for callers that can wait: nothing rebuilt either.
      expect(out.loaded).toEqual({ notLoaded: true, rebuilds: 1 });
      const failed = out.tla as { name: string; code: string; message: string; rebuilds: number };
      expect(failed.name).toBe('ModuleNotLoadedError');
      expect(failed.code).toBe('ERR_IPC_NOT_LOADED');
      expect(failed.message).toContain('top-level await');
      expect(failed.message).toContain('tla-tasks.mjs');
      expect(failed.rebuilds).toBe(1);
      expect(out.after).toEqual({ rebuilds: 2, label: 'h', echoed: 'x' });
      expect(out.broken).toEqual({ name: 'ModuleNotLoadedError' });
      expect(out.brokenAsync).toEqual({ name: 'TaskReferenceError', cause: 'broken on load' });
    } finally {
      await worker.terminate();
    }
  }, 30_000);
});
