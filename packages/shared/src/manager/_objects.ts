/**
 * What a manager holds: plain objects in the manager's heap, each doing one
 * operation at a time for its callers (the owner is the caller's connection,
 * as a thread of Python's manager server serves one connection).
 */
import { isDeepStrictEqual } from 'node:util';
import { ArgumentError, StateError, checkTimeout } from '@ipc/core';
import { Empty, Full } from '@ipc/queue';
import { BrokenBarrierError } from '@ipc/sync';
import { RawArray, type SharedArray } from '../array.js';
import { RawValue, type SharedValue } from '../value.js';
import { checkTypecode } from '../_typecodes.js';
import { Waits, type WaitOptions } from './_waits.js';

export interface Caller {
  /** The caller's connection: what owns a lock. */
  readonly owner: number;
  readonly signal: AbortSignal;
  /** Its connection has ended: nothing is to be taken in its name any more. */
  readonly gone: boolean;
}

export interface Held {
  call(op: string, args: unknown[], caller: Caller): unknown;
  /** The connection went away: release what it held. */
  ownerGone?(owner: number): void;
}

const noSuchOp = (kind: string, op: string): never => {
  throw new StateError(`${kind} has no operation '${op}'`);
};

function at(length: number, index: unknown): number {
  if (typeof index !== 'number' || !Number.isInteger(index)) throw new TypeError(`indices must be integers, not ${String(index)}`);
  const i = index < 0 ? index + length : index;
  if (i < 0 || i >= length) throw new RangeError(`index ${index} out of range (length ${length})`);
  return i;
}

function bounds(length: number, start: unknown, end: unknown): [number, number] {
  const clamp = (v: unknown, dflt: number): number => {
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`slice indices must be integers, not ${typeof v}`);
    return Math.min(Math.max(v < 0 ? v + length : v, 0), length);
  };
  const s = clamp(start, 0);
  return [s, Math.max(s, clamp(end, length))];
}

function compare(a: unknown, b: unknown): number {
  const num = (v: unknown): boolean => typeof v === 'number' || typeof v === 'bigint';
  if ((num(a) && num(b)) || (typeof a === 'string' && typeof b === 'string')) return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  throw new TypeError(`cannot order ${typeof a} and ${typeof b}`);
}

export class ListObj implements Held {
  constructor(private items: unknown[]) {}

  call(op: string, a: unknown[]): unknown {
    const items = this.items;
    switch (op) {
      case 'append':
        items.push(a[0]);
        return;
      case 'extend':
        // One at a time: a spread of a long list would overflow the stack.
        for (const item of a[0] as unknown[]) items.push(item);
        return;
      case 'insert': {
        const i = a[0] as number;
        if (!Number.isInteger(i)) throw new TypeError('insert() takes an integer index');
        items.splice(i < 0 ? Math.max(0, i + items.length) : Math.min(i, items.length), 0, a[1]);
        return;
      }
      case 'pop': {
        if (items.length === 0) throw new RangeError('pop from empty list');
        return items.splice(at(items.length, a[0] ?? -1), 1)[0];
      }
      case 'remove': {
        const i = items.findIndex((v) => isDeepStrictEqual(v, a[0]));
        if (i < 0) throw new RangeError('list.remove(x): x not in list');
        items.splice(i, 1);
        return;
      }
      case 'index': {
        const [s, e] = bounds(items.length, a[1], a[2]);
        for (let i = s; i < e; i++) if (isDeepStrictEqual(items[i], a[0])) return i;
        throw new RangeError('list.index(x): x not in list');
      }
      case 'count':
        return items.filter((v) => isDeepStrictEqual(v, a[0])).length;
      case 'contains':
        return items.some((v) => isDeepStrictEqual(v, a[0]));
      case 'get':
        return items[at(items.length, a[0])];
      case 'set':
        items[at(items.length, a[0])] = a[1];
        return;
      case 'delete':
        items.splice(at(items.length, a[0]), 1);
        return;
      case 'length':
        return items.length;
      case 'slice':
        return items.slice(...bounds(items.length, a[0], a[1]));
      case 'setSlice': {
        const [s, e] = bounds(items.length, a[0], a[1]);
        const tail = items.splice(s);
        for (const item of a[2] as unknown[]) items.push(item);
        for (let i = e - s; i < tail.length; i++) items.push(tail[i]);
        return;
      }
      case 'deleteSlice': {
        const [s, e] = bounds(items.length, a[0], a[1]);
        items.splice(s, e - s);
        return;
      }
      case 'repeat': {
        const n = a[0];
        if (typeof n !== 'number' || !Number.isInteger(n)) throw new TypeError(`can't multiply a list by ${typeof n === 'number' ? n : typeof n}`);
        const once = items.slice();
        items.length = 0;
        for (let r = 0; r < n; r++) for (const item of once) items.push(item);
        return;
      }
      case 'reverse':
        items.reverse();
        return;
      case 'sort': {
        const sorted = [...items].sort(compare);
        if (a[0] === true) sorted.reverse();
        this.items = sorted;
        return;
      }
      case 'clear':
        items.length = 0;
        return;
      case 'copy':
        return items;
      default:
        return noSuchOp('list', op);
    }
  }
}

export class DictObj implements Held {
  constructor(private readonly map: Map<unknown, unknown>) {}

  call(op: string, a: unknown[]): unknown {
    const map = this.map;
    switch (op) {
      case 'get':
        return map.has(a[0]) ? map.get(a[0]) : a[1];
      case 'set':
        map.set(a[0], a[1]);
        return;
      case 'delete':
        return map.delete(a[0]);
      case 'has':
        return map.has(a[0]);
      case 'keys':
        return [...map.keys()];
      case 'values':
        return [...map.values()];
      case 'items':
        return [...map.entries()];
      case 'length':
        return map.size;
      case 'clear':
        map.clear();
        return;
      case 'update':
        for (const [k, v] of a[0] as [unknown, unknown][]) map.set(k, v);
        return;
      case 'pop': {
        if (map.has(a[0])) {
          const v = map.get(a[0]);
          map.delete(a[0]);
          return v;
        }
        if (a.length > 1) return a[1];
        throw new RangeError(`KeyError: ${String(a[0])}`);
      }
      case 'popitem': {
        // The last pair put in, as Python's dict (3.7+).
        let last: [unknown, unknown] | undefined;
        for (const entry of map) last = entry;
        if (last === undefined) throw new RangeError('popitem(): dictionary is empty');
        map.delete(last[0]);
        return last;
      }
      case 'setDefault':
        if (!map.has(a[0])) map.set(a[0], a[1]);
        return map.get(a[0]);
      case 'copy':
        return map;
      default:
        return noSuchOp('dict', op);
    }
  }
}

export class NamespaceObj implements Held {
  constructor(private readonly attrs: Map<string, unknown>) {}

  call(op: string, a: unknown[]): unknown {
    const name = a[0] as string;
    switch (op) {
      case 'get':
        if (!this.attrs.has(name)) throw new RangeError(`'Namespace' object has no attribute '${name}'`);
        return this.attrs.get(name);
      case 'set':
        if (typeof name !== 'string') throw new TypeError('attribute names are strings');
        this.attrs.set(name, a[1]);
        return;
      case 'delete':
        if (!this.attrs.delete(name)) throw new RangeError(`'Namespace' object has no attribute '${name}'`);
        return;
      case 'has':
        return this.attrs.has(name);
      case 'toObject':
        return Object.fromEntries(this.attrs);
      default:
        return noSuchOp('Namespace', op);
    }
  }
}

export class ValueObj implements Held {
  private readonly value: SharedValue;

  constructor(typecode: unknown, init: unknown) {
    this.value = RawValue(checkTypecode(typecode), init as never);
  }

  call(op: string, a: unknown[]): unknown {
    switch (op) {
      case 'get':
        return this.value.value;
      case 'set':
        this.value.value = a[0] as never;
        return;
      case 'typecode':
        return this.value.typecode;
      default:
        return noSuchOp('Value', op);
    }
  }
}

export class ArrayObj implements Held {
  private readonly array: SharedArray;

  constructor(typecode: unknown, init: unknown) {
    this.array = RawArray(checkTypecode(typecode), init as number);
  }

  call(op: string, a: unknown[]): unknown {
    const arr = this.array;
    switch (op) {
      case 'get':
        return arr.get(a[0] as number);
      case 'set':
        return arr.set(a[0] as number, a[1] as never);
      case 'length':
        return arr.length;
      case 'slice':
        return arr.slice(a[0] as number | undefined, a[1] as number | undefined);
      case 'setSlice':
        return arr.setSlice(a[0] as number | undefined, a[1] as number | undefined, a[2] as never[]);
      case 'typecode':
        return arr.typecode;
      default:
        return noSuchOp('Array', op);
    }
  }
}

export class QueueObj implements Held {
  private readonly items: unknown[] = [];
  private readonly waits = new Waits();
  private unfinished = 0;

  constructor(
    private readonly maxsize: number,
    private readonly joinable: boolean,
  ) {
    if (!Number.isInteger(maxsize)) throw new TypeError('maxsize must be an integer');
  }

  private isFull(): boolean {
    return this.maxsize > 0 && this.items.length >= this.maxsize;
  }

  async call(op: string, a: unknown[], caller: Caller): Promise<unknown> {
    switch (op) {
      case 'put': {
        const ok = await this.waits.wait(
          () => {
            if (this.isFull()) return false;
            this.items.push(a[0]);
            this.unfinished++;
            return true;
          },
          a[1] as WaitOptions,
          caller.signal,
        );
        if (!ok) throw new Full();
        this.waits.wake();
        return;
      }
      case 'get': {
        let item: unknown;
        const ok = await this.waits.wait(
          () => {
            if (this.items.length === 0) return false;
            item = this.items.shift();
            return true;
          },
          a[0] as WaitOptions,
          caller.signal,
        );
        if (!ok) throw new Empty();
        this.waits.wake();
        return item;
      }
      case 'qsize':
        return this.items.length;
      case 'empty':
        return this.items.length === 0;
      case 'full':
        return this.isFull();
      case 'taskDone':
        if (!this.joinable) return noSuchOp('Queue', op);
        if (this.unfinished <= 0) throw new StateError('taskDone() called too many times');
        this.unfinished--;
        this.waits.wake();
        return;
      case 'join':
        if (!this.joinable) return noSuchOp('Queue', op);
        return this.waits.wait(() => this.unfinished === 0, a[0] as WaitOptions, caller.signal);
      default:
        return noSuchOp('Queue', op);
    }
  }
}

/** Python's `ValueError` for `acquire(False, timeout)` (as @ipc/sync's): a non-blocking acquire takes no timeout. */
function checkAcquire(options: WaitOptions | undefined): WaitOptions | undefined {
  if (options?.block === false && options.timeout != null) throw new ArgumentError('cannot give a timeout to a non-blocking acquire (block: false)');
  return options;
}

/**
 * Lock and RLock: `recursive` gives RLock's count and its holder-only release.
 * A holder whose connection ended leaves it locked, as in Python (where any
 * holder of a proxy may still release a Lock: a child that acquires and ends,
 * a parent that releases); the next acquirer takes it over, as @ipc/sync's.
 */
export class LockObj implements Held {
  private holder = 0;
  private count = 0;
  /** The holder's connection has ended. */
  private holderGone = false;
  private readonly waits = new Waits();

  constructor(readonly recursive: boolean) {}

  private tryTake(owner: number): boolean {
    if (this.holder === 0 || this.holderGone) {
      this.holder = owner;
      this.count = 1;
      this.holderGone = false;
      return true;
    }
    if (this.recursive && this.holder === owner) {
      this.count++;
      return true;
    }
    return false;
  }

  acquire(options: WaitOptions | undefined, caller: Caller): Promise<boolean> {
    return this.waits.wait(() => this.tryTake(caller.owner), checkAcquire(options), caller.signal);
  }

  release(owner: number): void {
    if (this.holder === 0) throw new StateError('cannot release un-acquired lock');
    if (this.recursive && this.holder !== owner) throw new StateError('cannot release a lock held by another');
    if (--this.count === 0 || !this.recursive) {
      this.holder = 0;
      this.count = 0;
      this.holderGone = false;
      this.waits.wake();
    }
  }

  isOwnedBy(owner: number): boolean {
    return this.holder === owner;
  }

  /** For Condition.wait: let go entirely; `restore` takes it back with the same count. */
  releaseAll(owner: number): number {
    if (this.holder !== owner) throw new StateError('cannot wait on un-acquired lock');
    const saved = this.count;
    this.holder = 0;
    this.count = 0;
    this.holderGone = false;
    this.waits.wake();
    return saved;
  }

  async restore(owner: number, saved: number, signal: AbortSignal): Promise<void> {
    await this.waits.wait(() => this.tryTake(owner), undefined, signal);
    this.count = saved;
  }

  ownerGone(owner: number): void {
    if (this.holder === owner) {
      this.holderGone = true;
      this.waits.wake();
    }
  }

  call(op: string, a: unknown[], caller: Caller): unknown {
    switch (op) {
      case 'acquire':
        return this.acquire(a[0] as WaitOptions, caller);
      case 'release':
        return this.release(caller.owner);
      case 'locked':
        return this.holder !== 0;
      default:
        return noSuchOp(this.recursive ? 'RLock' : 'Lock', op);
    }
  }
}

export class SemaphoreObj implements Held {
  private readonly waits = new Waits();

  constructor(
    private value: number,
    private readonly bound: number | undefined,
  ) {
    if (!Number.isInteger(value) || value < 0) throw new ArgumentError(`semaphore initial value must be an integer >= 0, not ${String(value)}`);
  }

  call(op: string, a: unknown[], caller: Caller): unknown {
    switch (op) {
      case 'acquire':
        return this.waits.wait(
          () => {
            if (this.value === 0) return false;
            this.value--;
            return true;
          },
          checkAcquire(a[0] as WaitOptions | undefined),
          caller.signal,
        );
      case 'release': {
        const n = (a[0] as number | undefined) ?? 1;
        if (!Number.isInteger(n) || n < 1) throw new ArgumentError(`release(n) takes a positive integer, not ${String(n)}`);
        if (this.bound !== undefined && this.value + n > this.bound) throw new StateError('semaphore released too many times');
        this.value += n;
        this.waits.wake();
        return;
      }
      case 'getValue':
        return this.value;
      default:
        return noSuchOp('Semaphore', op);
    }
  }
}

export class ConditionObj implements Held {
  private readonly sleepers: { notified: boolean }[] = [];
  private readonly waits = new Waits();

  constructor(readonly lock: LockObj) {}

  /** Its own lock is no object of the manager's: the server reaches it through here (twice for a shared one: no harm). */
  ownerGone(owner: number): void {
    this.lock.ownerGone(owner);
  }

  call(op: string, a: unknown[], caller: Caller): unknown {
    switch (op) {
      case 'acquire':
        return this.lock.acquire(a[0] as WaitOptions, caller);
      case 'release':
        return this.lock.release(caller.owner);
      case 'wait':
        return this.wait(a[0] as WaitOptions | undefined, caller);
      case 'notify': {
        const n = (a[0] as number | undefined) ?? 1;
        if (!Number.isInteger(n) || n < 0) throw new ArgumentError(`notify(n) takes an integer >= 0, not ${String(n)}`);
        this.checkOwned(caller.owner, 'notify');
        for (const s of this.sleepers.splice(0, n)) s.notified = true;
        this.waits.wake();
        return;
      }
      case 'notifyAll':
        this.checkOwned(caller.owner, 'notify');
        for (const s of this.sleepers.splice(0)) s.notified = true;
        this.waits.wake();
        return;
      default:
        return noSuchOp('Condition', op);
    }
  }

  private checkOwned(owner: number, what: string): void {
    if (!this.lock.isOwnedBy(owner)) throw new StateError(`cannot ${what} on un-acquired lock`);
  }

  private async wait(options: WaitOptions | undefined, caller: Caller): Promise<boolean> {
    this.checkOwned(caller.owner, 'wait');
    const me = { notified: false };
    this.sleepers.push(me);
    const saved = this.lock.releaseAll(caller.owner);
    try {
      return await this.waits.wait(() => me.notified, { timeout: options?.timeout }, caller.signal);
    } finally {
      const i = this.sleepers.indexOf(me);
      if (i >= 0) this.sleepers.splice(i, 1);
      // Taken back even when the wait was cancelled, as Python's wait does; but not for a
      // caller that went away: its locks were let go already, and it would hold this for ever.
      if (!caller.gone) await this.lock.restore(caller.owner, saved, new AbortController().signal);
    }
  }
}

export class EventObj implements Held {
  private flag = false;
  private readonly waits = new Waits();

  call(op: string, a: unknown[], caller: Caller): unknown {
    switch (op) {
      case 'set':
        this.flag = true;
        this.waits.wake();
        return;
      case 'clear':
        this.flag = false;
        return;
      case 'isSet':
        return this.flag;
      case 'wait':
        return this.waits.wait(() => this.flag, { timeout: (a[0] as WaitOptions | undefined)?.timeout }, caller.signal);
      default:
        return noSuchOp('Event', op);
    }
  }
}

export class BarrierObj implements Held {
  private count = 0;
  private generation = 0;
  private broken = false;
  /** Generations ended by a break (reset, abort, a timeout) rather than by the last arrival. */
  private readonly brokenGenerations = new Set<number>();
  private readonly waits = new Waits();

  constructor(
    private readonly parties: number,
    private readonly timeout: number | null | undefined,
  ) {
    if (!Number.isInteger(parties) || parties < 1) throw new ArgumentError(`a Barrier needs parties >= 1, not ${String(parties)}`);
    checkTimeout(timeout);
  }

  call(op: string, a: unknown[], caller: Caller): unknown {
    switch (op) {
      case 'wait':
        return this.wait((a[0] as WaitOptions | undefined)?.timeout ?? this.timeout, caller.signal);
      case 'reset':
        if (this.count > 0) this.breakIt();
        this.broken = false;
        return;
      case 'abort':
        this.breakIt();
        return;
      case 'parties':
        return this.parties;
      case 'nWaiting':
        return this.count;
      case 'broken':
        return this.broken;
      default:
        return noSuchOp('Barrier', op);
    }
  }

  private breakIt(): void {
    this.broken = true;
    this.count = 0;
    this.brokenGenerations.add(this.generation);
    this.generation++;
    this.waits.wake();
  }

  private async wait(timeout: number | null | undefined, signal: AbortSignal): Promise<number> {
    if (this.broken) throw new BrokenBarrierError();
    const index = this.count++;
    const gen = this.generation;
    if (this.count === this.parties) {
      this.count = 0;
      this.generation++;
      this.waits.wake();
      return index;
    }
    let passed: boolean;
    try {
      passed = await this.waits.wait(() => this.generation !== gen, { timeout }, signal);
    } catch (err) {
      // Cancelled, or the caller went away: it leaves the round without breaking it, as Python's
      // interrupted wait does (its `finally` takes the party back); the others wait on.
      if (this.generation === gen) this.count--;
      throw err;
    }
    if (!passed) {
      if (this.generation === gen) this.breakIt();
      throw new BrokenBarrierError();
    }
    if (this.brokenGenerations.has(gen)) throw new BrokenBarrierError();
    return index;
  }
}
