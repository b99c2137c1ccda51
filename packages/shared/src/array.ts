import { reduceHandle, rebuildHandleSync, registerHandle, type HandleDescriptor, type ReduceContext } from '@ipc/core';
import type { Lock } from '@ipc/sync';
import { lockFor, withLockSync, type SharedOptions } from './_locking.js';
import { Store, type StoreData } from './_store.js';
import { checkTypecode, fromStored, toStored, type ElementOf, type Stored, type Typecode } from './_typecodes.js';

const RAW_TYPE = '@ipc/shared.RawArray';
const SYNC_TYPE = '@ipc/shared.SynchronizedArray';
const INDEX = /^-?\d+$/;

/** Numeric indexing (`arr[0]`, `arr[-1]`, `arr[i] += 5`) goes to `get`/`set`; everything else to the object. */
const indexing: ProxyHandler<SharedArray> = {
  get(target, prop, receiver) {
    if (typeof prop === 'string' && INDEX.test(prop)) return target.get(Number(prop));
    return Reflect.get(target, prop, receiver) as unknown;
  },
  set(target, prop, value, receiver) {
    if (typeof prop === 'string' && INDEX.test(prop)) {
      target.set(Number(prop), value as never);
      return true;
    }
    return Reflect.set(target, prop, value, receiver);
  },
  has(target, prop) {
    if (typeof prop === 'string' && INDEX.test(prop)) return Number(prop) >= 0 && Number(prop) < target.length;
    return Reflect.has(target, prop);
  },
};

/**
 * A fixed-length array of one typecode in shared memory (Python's
 * `RawArray`). `arr[i]` works as in Python, negative indices included.
 */
export class SharedArray<C extends Typecode = Typecode> implements Iterable<ElementOf<C>> {
  [index: number]: ElementOf<C>;
  /** @internal */
  protected readonly store: Store;

  /** @internal Use `Array()` or `RawArray()`. */
  constructor(store: Store) {
    this.store = store;
    // The handler is written for any typecode; tsc needs the cast that the linter finds redundant.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    return new Proxy<SharedArray<C>>(this, indexing as unknown as ProxyHandler<SharedArray<C>>);
  }

  get typecode(): C {
    return this.store.typecode as C;
  }

  get length(): number {
    return this.store.length;
  }

  /** The element at `index` (negative counts from the end); out of range → `RangeError`. */
  get(index: number): ElementOf<C> {
    const i = this.index(index);
    return this.access(() => fromStored(this.typecode, this.store.read(i)));
  }

  /** Sets the element at `index`; a bad index or value throws and changes nothing. */
  set(index: number, value: ElementOf<C>): void {
    const i = this.index(index);
    const stored = toStored(this.typecode, value);
    this.access(() => this.store.write(i, stored));
  }

  /** Python's `arr[start:end]`, with the same clamping and negative indices. */
  slice(start?: number, end?: number): ElementOf<C>[] {
    const [s, e] = this.bounds(start, end);
    return this.access(() => this.store.readRange(s, e)).map((v) => fromStored(this.typecode, v));
  }

  /** Python's `arr[start:end] = values`: `values` must have exactly `end - start` elements, all valid, or nothing is written. */
  setSlice(start: number | undefined, end: number | undefined, values: Iterable<ElementOf<C>>): void {
    const [s, e] = this.bounds(start, end);
    const list = [...values];
    if (list.length !== e - s) throw new RangeError(`can only assign a sequence of the same size (${e - s} elements), not ${list.length}`);
    const stored: Stored[] = list.map((v) => toStored(this.typecode, v));
    this.access(() => this.store.writeRange(s, stored));
  }

  /**
   * A char array's (`'c'`) text up to its first NUL (Python's `value` of an
   * `Array('c', …)`). Setting it writes the characters and, when they are
   * fewer than the array's length, a NUL after them; longer text → `RangeError`,
   * nothing written. Other typecodes → `TypeError`.
   */
  get value(): string {
    const all = this.raw;
    const nul = all.indexOf('\0');
    return nul < 0 ? all : all.slice(0, nul);
  }

  set value(text: string) {
    const codes = this.charCodes(text, 'value');
    if (codes.length < this.length) codes.push(0);
    this.access(() => this.store.writeRange(0, codes));
  }

  /** A char array's (`'c'`) whole contents, NULs included (Python's `raw`); setting writes the characters from the start, no NUL added. */
  get raw(): string {
    this.charsOnly('raw');
    return (this.slice() as string[]).join('');
  }

  set raw(text: string) {
    const codes = this.charCodes(text, 'raw');
    this.access(() => this.store.writeRange(0, codes));
  }

  private charsOnly(what: string): void {
    if (this.typecode !== 'c') throw new TypeError(`'${what}' is for arrays of typecode 'c', not '${this.typecode}'`);
  }

  /** The bytes of `text` for a char array, checked (a string of one-byte characters, no longer than the array). */
  private charCodes(text: string, what: string): Stored[] {
    this.charsOnly(what);
    if (typeof text !== 'string') throw new TypeError(`'${what}' takes a string, not ${typeof text}`);
    if (text.length > this.length) throw new RangeError(`string too long (${text.length} characters for an array of ${this.length})`);
    return [...text].map((ch) => toStored('c', ch));
  }

  /** A copy of every element (Python's `arr[:]`). */
  toArray(): ElementOf<C>[] {
    return this.slice();
  }

  [Symbol.iterator](): Iterator<ElementOf<C>> {
    return this.toArray()[Symbol.iterator]();
  }

  toString(): string {
    return `${this.constructor.name}('${this.typecode}', [${this.toArray().map(String).join(', ')}])`;
  }

  /** @internal Runs one access; the synchronized array takes its lock here. */
  protected access<T>(fn: () => T): T {
    return fn();
  }

  private index(index: number): number {
    if (typeof index !== 'number' || !Number.isInteger(index)) throw new TypeError(`array indices must be integers, not ${typeof index === 'number' ? index : typeof index}`);
    const i = index < 0 ? index + this.length : index;
    if (i < 0 || i >= this.length) throw new RangeError(`array index ${index} out of range (length ${this.length})`);
    return i;
  }

  private bounds(start: number | undefined, end: number | undefined): [number, number] {
    const clamp = (v: number | undefined, dflt: number): number => {
      if (v === undefined) return dflt;
      if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`slice indices must be integers, not ${String(v)}`);
      const n = v < 0 ? v + this.length : v;
      return Math.min(Math.max(n, 0), this.length);
    };
    const s = clamp(start, 0);
    return [s, Math.max(s, clamp(end, this.length))];
  }

  /** @internal */
  [reduceHandle](ctx: ReduceContext): HandleDescriptor {
    return { module: import.meta.url, type: RAW_TYPE, data: this.store.describe(ctx) };
  }
}

/** A `SharedArray` whose every access takes its lock (Python's `SynchronizedArray`). */
export class SynchronizedArray<C extends Typecode = Typecode> extends SharedArray<C> {
  private readonly lock: Lock;

  /** @internal Use `Array()`. */
  constructor(store: Store, lock: Lock) {
    super(store);
    this.lock = lock;
  }

  /** The lock every access takes: hold it around a read-modify-write. */
  getLock(): Lock {
    return this.lock;
  }

  /** The raw array over the same memory, without the lock. */
  getObj(): SharedArray<C> {
    return new SharedArray<C>(this.store);
  }

  protected override access<T>(fn: () => T): T {
    return withLockSync(this.lock, fn);
  }

  /** @internal */
  override [reduceHandle](ctx: ReduceContext): HandleDescriptor {
    const data: { store: StoreData; lock: HandleDescriptor } = { store: this.store.describe(ctx), lock: this.lock[reduceHandle](ctx) };
    return { module: import.meta.url, type: SYNC_TYPE, data };
  }
}

registerHandle(RAW_TYPE, (data) => new SharedArray(Store.rebuild(data as StoreData)));
registerHandle(SYNC_TYPE, (raw, kind) => {
  const data = raw as { store: StoreData; lock: HandleDescriptor };
  return new SynchronizedArray(Store.rebuild(data.store), rebuildHandleSync(data.lock, kind) as Lock);
});

/** The store for `sizeOrInit`: a length (zeros), or the initial elements (a string for `'c'`), checked before anything is made. */
function makeStore<C extends Typecode>(typecode: C, sizeOrInit: number | Iterable<ElementOf<C>>): Store {
  const tc = checkTypecode(typecode);
  if (typeof sizeOrInit === 'number') {
    if (!Number.isInteger(sizeOrInit) || sizeOrInit < 0) throw new RangeError(`an array's size must be an integer ≥ 0, not ${sizeOrInit}`);
    return Store.create(tc, sizeOrInit);
  }
  if (sizeOrInit === null || (typeof sizeOrInit !== 'object' && typeof sizeOrInit !== 'string') || typeof (sizeOrInit as Partial<Iterable<unknown>>)[Symbol.iterator] !== 'function') {
    throw new TypeError('Array() takes a size or an iterable of initial elements');
  }
  const stored = [...sizeOrInit].map((v) => toStored(tc, v));
  const store = Store.create(tc, stored.length);
  store.writeRange(0, stored);
  return store;
}

/**
 * Python's `multiprocessing.Array(typecode, sizeOrInit, lock=True)`: a
 * fixed-length array in shared memory, guarded by an RLock.
 */
function SharedArrayOf<C extends Typecode>(typecode: C, sizeOrInit: number | Iterable<ElementOf<C>>, options?: SharedOptions & { lock?: true | null | Lock }): SynchronizedArray<C>;
function SharedArrayOf<C extends Typecode>(typecode: C, sizeOrInit: number | Iterable<ElementOf<C>>, options: SharedOptions & { lock: false }): SharedArray<C>;
function SharedArrayOf<C extends Typecode>(typecode: C, sizeOrInit: number | Iterable<ElementOf<C>>, options?: SharedOptions): SharedArray<C> | SynchronizedArray<C>;
function SharedArrayOf<C extends Typecode>(typecode: C, sizeOrInit: number | Iterable<ElementOf<C>>, options: SharedOptions = {}): SharedArray<C> | SynchronizedArray<C> {
  const lock = lockFor(options.lock);
  const store = makeStore(typecode, sizeOrInit);
  return lock === undefined ? new SharedArray<C>(store) : new SynchronizedArray<C>(store, lock);
}

/** Python's `RawArray(typecode, sizeOrInit)`: shared memory without a lock. */
export function RawArray<C extends Typecode>(typecode: C, sizeOrInit: number | Iterable<ElementOf<C>>): SharedArray<C> {
  return new SharedArray<C>(makeStore(typecode, sizeOrInit));
}

export { SharedArrayOf as Array };
