import { afterAll, describe, expect, it } from 'vitest';
import './_leaks.js';
import { ArgumentError, Process, SerializationError, StateError, TaskReferenceError, activeChildren } from '@ipc/core';
import { Pipe, Listener } from '@ipc/pipe';
import { Pool } from '@ipc/pool';
import { Queue, JoinableQueue } from '@ipc/queue';
import { Array as SharedArray, FileExistsError, FileNotFoundError, Manager, SharedMemory, Value } from '@ipc/shared';
import { Barrier, BoundedSemaphore, Condition, Event, Lock, RLock, Semaphore } from '@ipc/sync';
import { run, runSync, Popen } from '@ipc/subprocess';
// @ts-expect-error -- plain JS fixture, loaded in the workers too
import * as fx from './fixtures/bad-input-tasks.mjs';

// Bad input across every package: each is a clear error at the call (its class and what to do), nothing is
// half-changed, and the object goes on working where that makes sense.
const { echo } = fx as { echo: (x: unknown) => unknown };
const notATask = (x: unknown): unknown => x;
/** The point is to pass what the types forbid. */
const anyway = <T>(v: unknown): T => v as T;
type ErrorClass = abstract new (...args: never[]) => Error;

/** Expects `act` to throw or reject with `cls` whose message matches `message`. */
async function refuses(act: () => unknown, cls: ErrorClass, message: RegExp): Promise<void> {
  let caught: unknown;
  try {
    await act();
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected ${cls.name} matching ${String(message)}`).toBeInstanceOf(cls);
  expect((caught as Error).message).toMatch(message);
}

afterAll(() => {
  expect(activeChildren()).toEqual([]);
});

describe('bad input: @ipc/core', () => {
  it('Process refuses wrong targets, arguments and timeouts at the call, and can still be started after', async () => {
    await refuses(() => new Process({ target: anyway<() => unknown>(42) }), ArgumentError, /target must be a function/);
    await refuses(() => new Process({ target: notATask }).start(), TaskReferenceError, /task\(import\.meta\.url/);
    const p = new Process({ target: echo, args: [() => 1] });
    await refuses(() => p.start(), SerializationError, /args\[0\]/);
    await refuses(() => new Process({ target: echo, context: anyway('fiber') }), ArgumentError, /context/);
    const ok = new Process({ target: echo, args: [7] });
    await refuses(() => ok.join(), StateError, /start/);
    ok.start();
    // As Python's join(): a negative timeout is a zero one (it does not wait), not an error.
    await refuses(() => ok.join(anyway('soon')), ArgumentError, /number/);
    expect(await ok.join()).toBe(7);
  });
});

describe('bad input: @ipc/pipe', () => {
  it('a Connection refuses out-of-range bytes, wrong directions and use after close, with nothing sent', async () => {
    const [a, b] = Pipe();
    const [r, w] = Pipe(false);
    try {
      await refuses(() => a.sendBytes(new Uint8Array(4), 3, 5), RangeError, /./);
      await refuses(() => a.sendBytes(new Uint8Array(4), -1), RangeError, /./);
      await refuses(() => a.sendBytes(anyway('text')), ArgumentError, /sendBytes takes a Buffer/);
      await refuses(() => a.send(() => 1), SerializationError, /./);
      await refuses(() => a.recv({ timeout: -5 }), ArgumentError, /negative/);
      await refuses(() => r.send(1), StateError, /./);
      await refuses(() => w.recv(), StateError, /./);
      expect(await b.poll(0)).toBe(false); // nothing was sent by the refused calls
      await a.send('still fine');
      expect(await b.recv()).toBe('still fine');
      a.close();
      await refuses(() => a.send(1), StateError, /closed/);
    } finally {
      for (const c of [a, b, r, w]) c.close();
    }
  });

  it('a Listener refuses bad options and addresses at the call', async () => {
    await refuses(() => new Listener({ address: anyway(42) }), ArgumentError, /address/);
    await refuses(() => new Listener({ address: ['127.0.0.1', 0], maxMessage: -1 }), ArgumentError, /maxMessage/);
    await refuses(() => new Listener({ address: ['127.0.0.1', 0], authkey: anyway(5) }), ArgumentError, /authkey/);
  });
});

describe('bad input: @ipc/queue', () => {
  it('a Queue refuses bad timeouts and unsendable items with nothing put, and use after close', async () => {
    const q = new Queue<unknown>();
    try {
      await refuses(() => q.put(() => 1), SerializationError, /./);
      await refuses(() => q.get({ timeout: -1 }), ArgumentError, /negative/);
      await refuses(() => q.put(1, { timeout: anyway('x') }), ArgumentError, /number/);
      expect(q.qsize()).toBe(0);
      await q.put('ok');
      expect(await q.get()).toBe('ok');
      const jq = new JoinableQueue();
      await refuses(() => jq.taskDone(), StateError, /more times than there were items/);
      jq.close();
    } finally {
      q.close();
    }
    await refuses(() => q.put(1), StateError, /closed/);
  });
});

describe('bad input: @ipc/sync', () => {
  it('locks and semaphores refuse what Python refuses, and stay usable', async () => {
    const lock = new Lock();
    await refuses(() => lock.release(), StateError, /release of an unlocked lock/);
    expect(await lock.acquire()).toBe(true);
    lock.release();
    const rlock = new RLock();
    await refuses(() => rlock.release(), StateError, /un-acquired/);
    await refuses(() => new Semaphore(-1), ArgumentError, />= 0/);
    await refuses(() => lock.acquire({ timeout: -2 }), ArgumentError, /negative/);
    const bounded = new BoundedSemaphore(1);
    await refuses(() => bounded.release(), StateError, /released too many times/);
    expect(bounded.getValue()).toBe(1);
    await refuses(() => new Barrier(0), ArgumentError, /parties >= 1/);
    const cond = new Condition();
    await refuses(() => cond.notify(), StateError, /un-acquired lock/);
    const ev = new Event();
    await refuses(() => ev.wait({ timeout: anyway('x') }), ArgumentError, /number/);
    expect(ev.isSet()).toBe(false);
  });
});

describe('bad input: @ipc/shared', () => {
  it('Value and Array refuse wrong typecodes, kinds, sizes and indices, changing nothing', async () => {
    await refuses(() => Value(anyway<'i'>('z'), 0), TypeError, /bad typecode "z"/);
    await refuses(() => Value('i', anyway(1.5)), TypeError, /takes an integer/);
    await refuses(() => Value('c', anyway('ab')), TypeError, /one-character string/);
    await refuses(() => Value('i', 2 ** 31), RangeError, /does not fit typecode 'i'/);
    await refuses(() => Value('i', 0, { lock: anyway('yes') }), TypeError, /lock must be/);
    const v = Value('i', 5);
    await refuses(() => {
      v.value = anyway('six');
    }, TypeError, /takes an integer/);
    expect(v.value).toBe(5);
    await refuses(() => SharedArray('d', -1), RangeError, /size must be an integer/);
    const arr = SharedArray('i', [1, 2, 3]);
    await refuses(() => arr.get(3), RangeError, /out of range/);
    await refuses(() => arr.set(0, 2 ** 40), RangeError, /does not fit/);
    await refuses(() => arr.setSlice(0, 2, [9]), RangeError, /same size/);
    expect(arr.toArray()).toEqual([1, 2, 3]);
  });

  it('SharedMemory refuses bad names and sizes, a taken name, an unknown one and use after close', async () => {
    await refuses(() => new SharedMemory({ create: true, size: 0 }), RangeError, /positive number different from zero/);
    await refuses(() => new SharedMemory({ create: true, size: 1.5 }), RangeError, /positive integer/);
    await refuses(() => new SharedMemory({ name: 'a/b', create: true, size: 8 }), RangeError, /bad shared memory name/);
    await refuses(() => new SharedMemory({ name: 'ipc-faults-nobody' }), FileNotFoundError, /no shared memory block/);
    const shm = new SharedMemory({ name: 'ipc-faults-taken', create: true, size: 8 });
    try {
      await refuses(() => new SharedMemory({ name: 'ipc-faults-taken', create: true, size: 8 }), FileExistsError, /exists already/);
      shm.buf[0] = 7;
      expect(new SharedMemory({ name: 'ipc-faults-taken' }).buf[0]).toBe(7);
    } finally {
      shm.close();
      shm.unlink();
    }
    await refuses(() => shm.buf, StateError, /closed/);
  });

  it('Manager proxies report bad operations with their class, and the manager goes on serving', async () => {
    await using manager = await Manager.start();
    const list = await manager.list([1, 2]);
    await refuses(() => list.get(5), RangeError, /out of range/);
    await refuses(() => list.get(anyway('x')), TypeError, /integers/);
    await refuses(() => list.append(anyway<number>(() => 1)), SerializationError, /./);
    expect(await list.toArray()).toEqual([1, 2]);
    await list.append(3);
    expect(await list.length()).toBe(3);
  });
});

describe('bad input: @ipc/pool', () => {
  it('a Pool refuses bad sizes, tasks and chunk sizes at the call and goes on', async () => {
    await refuses(() => new Pool({ processes: 0 }), ArgumentError, /processes/);
    await refuses(() => new Pool({ processes: 1, context: anyway('fiber') }), ArgumentError, /context/);
    await using pool = new Pool({ processes: 1 });
    await refuses(() => pool.applyAsync(notATask, [1]), TaskReferenceError, /task\(import\.meta\.url/);
    await refuses(() => pool.applyAsync(echo, [() => 1]), SerializationError, /args\[0\]/);
    await refuses(() => pool.map(echo, [1, 2], 0), ArgumentError, /chunksize/);
    await refuses(() => pool.applyAsync(echo, [1]).get(Number.NaN), ArgumentError, /timeout must be a number/);
    // A negative timeout has passed already, as in Python: not bad input.
    expect(await pool.apply(echo, [5])).toBe(5);
    await refuses(() => pool.join(), StateError, /close/);
    pool.close();
    await refuses(() => pool.apply(echo, [1]), StateError, /not running/);
  });
});

describe('bad input: @ipc/subprocess', () => {
  it('run and Popen refuse bad commands and options at the call', async () => {
    await refuses(() => run(anyway(42)), ArgumentError, /non-empty array of strings/);
    await refuses(() => run([]), ArgumentError, /non-empty array/);
    await refuses(() => run(['node', '-e', ''], { timeout: Number.NaN }), ArgumentError, /timeout/); // a negative one has passed already (TimeoutExpired), as in Python
    await refuses(() => runSync(['node', anyway(5)]), ArgumentError, /args\[1\] must be a string/);
    await refuses(() => new Popen(['node'], { stdin: anyway('everything') }), ArgumentError, /stdin must be/);
    const ok = await run(['node', '-e', 'process.stdout.write("fine")'], { capture: true, text: true });
    expect(ok.stdout).toBe('fine');
  });
});
