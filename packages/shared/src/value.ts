import { reduceHandle, rebuildHandleSync, registerHandle, type HandleDescriptor, type ReduceContext } from '@ipc/core';
import { RLock, type Lock } from '@ipc/sync';
import { lockFor, type SharedOptions } from './_locking.js';
import { Store, type StoreData } from './_store.js';
import { checkTypecode, fromStored, toStored, type Cells, type ElementOf, type Stored, type Typecode } from './_typecodes.js';

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
  // The hot path of `v.value += 1` reads these fields, not the store's methods:
  // a worker's loop runs interpreted for its first thousands of rounds (~15 ms),
  // and there every call costs.
  /** The memory, when it is in this process; undefined in another process. */
  private readonly cells: Cells | undefined;

  /** @internal Use `Value()` or `RawValue()`. */
  constructor(store: Store) {
    this.store = store;
    this.cells = store.cells;
  }

  get typecode(): C {
    return this.store.typecode as C;
  }

  get value(): ElementOf<C> {
    return this.readNow();
  }

  set value(v: ElementOf<C>) {
    this.writeNow(toStored(this.store.typecode, v));
  }

  /** @internal The element as the user sees it, read now. */
  protected readNow(): ElementOf<C> {
    return fromStored(this.store.typecode as C, this.cells !== undefined ? this.cells[0]! : this.store.read(0));
  }

  /** @internal Writes a checked value now. */
  protected writeNow(stored: Stored): void {
    if (this.cells !== undefined) this.cells[0] = stored;
    else this.store.write(0, stored);
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
  /** The lock when it is an RLock, whose holder's accesses skip it (see `heldRecursively`). */
  private readonly rlock: RLock | undefined;

  /** @internal Use `Value()`. */
  constructor(store: Store, lock: Lock) {
    super(store);
    this.lock = lock;
    this.rlock = lock instanceof RLock ? lock : undefined;
  }

  // Each access takes the lock, as Python's does, unless this thread holds it as an
  // RLock already (`v.value += 1` inside `getLock()`): a recursive acquire and
  // release would change nothing anyone can see. Written out rather than through
  // `withLockSync`: no closure, no extra call on a shared counter's hot loop.
  override get value(): ElementOf<C> {
    if (this.rlock !== undefined && this.rlock.isOwned()) return this.readNow();
    this.lock.acquireSync();
    try {
      return this.readNow();
    } finally {
      this.lock.release();
    }
  }

  override set value(v: ElementOf<C>) {
    const stored = toStored(this.store.typecode, v);
    if (this.rlock !== undefined && this.rlock.isOwned()) {
      this.writeNow(stored);
      return;
    }
    this.lock.acquireSync();
    try {
      this.writeNow(stored);
    } finally {
      this.lock.release();
    }
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
export function Value<C extends Typecode>(typecode: C, init?: ElementOf<C>, options?: SharedOptions & { lock?: true | null | Lock }): SynchronizedValue<C>;
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
