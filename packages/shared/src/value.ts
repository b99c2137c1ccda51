import { reduceHandle, rebuildHandleSync, registerHandle, type HandleDescriptor, type ReduceContext } from '@ipc/core';
import type { Lock } from '@ipc/sync';
import { lockFor, withLockSync, type SharedOptions } from './_locking.js';
import { Store, type StoreData } from './_store.js';
import { checkTypecode, fromStored, toStored, type ElementOf, type Typecode } from './_typecodes.js';

const RAW_TYPE = '@ipc/shared.RawValue';
const SYNC_TYPE = '@ipc/shared.SynchronizedValue';

/**
 * One element of shared memory (Python's `RawValue`, a ctypes object in
 * shared memory). Passed to a thread it is the same memory; passed to a
 * process, reads and writes are done at its home (see the README).
 */
export class SharedValue<C extends Typecode = Typecode> {
  /** @internal */
  protected readonly store: Store;

  /** @internal Use `Value()` or `RawValue()`. */
  constructor(store: Store) {
    this.store = store;
  }

  get typecode(): C {
    return this.store.typecode as C;
  }

  get value(): ElementOf<C> {
    return fromStored(this.typecode, this.store.read(0));
  }

  set value(v: ElementOf<C>) {
    this.store.write(0, toStored(this.typecode, v));
  }

  toString(): string {
    return `${this.constructor.name}('${this.typecode}', ${String(this.value)})`;
  }

  /** @internal */
  [reduceHandle](ctx: ReduceContext): HandleDescriptor {
    return { module: import.meta.url, type: RAW_TYPE, data: this.store.describe(ctx) };
  }
}

/** A `SharedValue` whose every access takes its lock (Python's `Synchronized`). */
export class SynchronizedValue<C extends Typecode = Typecode> extends SharedValue<C> {
  private readonly lock: Lock;

  /** @internal Use `Value()`. */
  constructor(store: Store, lock: Lock) {
    super(store);
    this.lock = lock;
  }

  override get value(): ElementOf<C> {
    return withLockSync(this.lock, () => fromStored(this.typecode, this.store.read(0)));
  }

  override set value(v: ElementOf<C>) {
    const stored = toStored(this.typecode, v);
    withLockSync(this.lock, () => this.store.write(0, stored));
  }

  /** The lock every access takes: hold it around a read-modify-write (`v.value += 1`). */
  getLock(): Lock {
    return this.lock;
  }

  /** The raw object over the same memory, without the lock. */
  getObj(): SharedValue<C> {
    return new SharedValue<C>(this.store);
  }

  /** @internal */
  override [reduceHandle](ctx: ReduceContext): HandleDescriptor {
    const data: { store: StoreData; lock: HandleDescriptor } = { store: this.store.describe(ctx), lock: this.lock[reduceHandle](ctx) };
    return { module: import.meta.url, type: SYNC_TYPE, data };
  }
}

registerHandle(RAW_TYPE, (data) => new SharedValue(Store.rebuild(data as StoreData)));
registerHandle(SYNC_TYPE, (raw, kind) => {
  const data = raw as { store: StoreData; lock: HandleDescriptor };
  return new SynchronizedValue(Store.rebuild(data.store), rebuildHandleSync(data.lock, kind) as Lock);
});

function makeStore<C extends Typecode>(typecode: C, init: ElementOf<C> | undefined): Store {
  const tc = checkTypecode(typecode);
  const stored = init === undefined ? undefined : toStored(tc, init);
  const store = Store.create(tc, 1);
  if (stored !== undefined) store.write(0, stored);
  return store;
}

/**
 * Python's `multiprocessing.Value(typecode, init, lock=True)`: one number
 * (or bigint, or one-byte character) in shared memory, guarded by an RLock.
 */
export function Value<C extends Typecode>(typecode: C, init?: ElementOf<C>, options?: SharedOptions & { lock?: true | Lock }): SynchronizedValue<C>;
export function Value<C extends Typecode>(typecode: C, init: ElementOf<C> | undefined, options: SharedOptions & { lock: false }): SharedValue<C>;
export function Value<C extends Typecode>(typecode: C, init?: ElementOf<C>, options?: SharedOptions): SharedValue<C> | SynchronizedValue<C>;
export function Value<C extends Typecode>(typecode: C, init?: ElementOf<C>, options: SharedOptions = {}): SharedValue<C> | SynchronizedValue<C> {
  const lock = lockFor(options.lock);
  const store = makeStore(typecode, init);
  return lock === undefined ? new SharedValue<C>(store) : new SynchronizedValue<C>(store, lock);
}

/** Python's `RawValue(typecode, init)`: shared memory without a lock. */
export function RawValue<C extends Typecode>(typecode: C, init?: ElementOf<C>): SharedValue<C> {
  return new SharedValue<C>(makeStore(typecode, init));
}
