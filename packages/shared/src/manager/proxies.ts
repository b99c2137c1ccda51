/**
 * Proxies of a manager's objects (Python's `BaseProxy` and its kinds). Every
 * operation is a call to the manager and returns a Promise; a proxy passed to
 * a thread, a process or a pool task crosses as the manager's address, its
 * authkey and the object's id, and works there the same.
 */
import { reduceHandle, registerHandle, type HandleDescriptor, type ReduceContext } from '@ipc/core';
import type { ElementOf, Typecode } from '../_typecodes.js';
import { callManager, type CallOptions } from './_link.js';
import { QUICK_KINDS, type Kind, type Target } from './_protocol.js';

const TYPE = '@ipc/shared.ManagerProxy';

/** How a waiting proxy operation waits: `block: false` tries once; `timeout` in ms (`null`, Python's `None`: for ever; negative → `ArgumentError`). */
export interface ProxyWaitOptions extends CallOptions {
  block?: boolean;
  timeout?: number | null;
}

interface ProxyData {
  readonly kind: Kind;
  readonly target: Target;
  readonly id: number;
}

export abstract class BaseProxy {
  /** @internal */
  protected readonly target: Target;
  /** The object's id at its manager. */
  readonly id: number;

  /** @internal Made by a Manager. */
  constructor(target: Target, id: number) {
    this.target = target;
    this.id = id;
  }

  /** The kind of object (`'list'`, `'Lock'`…). */
  abstract get kind(): Kind;

  /** @internal */
  protected call<T>(op: string, args: unknown[] = [], options?: CallOptions): Promise<T> {
    return callManager(this.target, this.id, op, args, options, QUICK_KINDS.has(this.kind)) as Promise<T>;
  }

  /** Python's proxy repr: `<ListProxy object, typeid 'list' at 0x1f>` (the id at the manager). */
  toString(): string {
    return `<${this.constructor.name} object, typeid '${this.kind}' at 0x${this.id.toString(16)}>`;
  }

  /** @internal */
  [reduceHandle](ctx: ReduceContext): HandleDescriptor {
    const { address, authkey, door } = this.target;
    // The door is shared memory: it crosses to threads of this process only.
    const target: Target = ctx.target === 'thread' && door !== undefined ? { address, authkey, door } : { address, authkey };
    const data: ProxyData = { kind: this.kind, target, id: this.id };
    return { module: import.meta.url, type: TYPE, data };
  }
}

const waitArgs = (o: ProxyWaitOptions | undefined): { block?: boolean; timeout?: number | null } => ({ block: o?.block, timeout: o?.timeout });

export class ListProxy<T = unknown> extends BaseProxy implements AsyncIterable<T> {
  get kind(): Kind {
    return 'list';
  }
  append(item: T): Promise<void> {
    return this.call('append', [item]);
  }
  extend(items: Iterable<T>): Promise<void> {
    return this.call('extend', [[...items]]);
  }
  insert(index: number, item: T): Promise<void> {
    return this.call('insert', [index, item]);
  }
  /** Removes and returns the item at `index` (default the last); empty or out of range → `RangeError`. */
  pop(index?: number): Promise<T> {
    return this.call('pop', [index]);
  }
  /** Removes the first item equal (deeply) to `item`; none → `RangeError`. */
  remove(item: T): Promise<void> {
    return this.call('remove', [item]);
  }
  index(item: T, start?: number, end?: number): Promise<number> {
    return this.call('index', [item, start, end]);
  }
  count(item: T): Promise<number> {
    return this.call('count', [item]);
  }
  includes(item: T): Promise<boolean> {
    return this.call('contains', [item]);
  }
  get(index: number): Promise<T> {
    return this.call('get', [index]);
  }
  set(index: number, item: T): Promise<void> {
    return this.call('set', [index, item]);
  }
  delete(index: number): Promise<void> {
    return this.call('delete', [index]);
  }
  length(): Promise<number> {
    return this.call('length');
  }
  slice(start?: number, end?: number): Promise<T[]> {
    return this.call('slice', [start, end]);
  }
  /** Python's `l[start:end] = items`: the slice is replaced by `items`, of any length. Bounds as `slice`'s. */
  setSlice(start: number | undefined, end: number | undefined, items: Iterable<T>): Promise<void> {
    return this.call('setSlice', [start, end, [...items]]);
  }
  /** Python's `del l[start:end]`. */
  deleteSlice(start?: number, end?: number): Promise<void> {
    return this.call('deleteSlice', [start, end]);
  }
  /** Python's `l *= n`: the items `n` times over, in place (`n` ≤ 0 empties the list). */
  repeat(n: number): Promise<void> {
    return this.call('repeat', [n]);
  }
  reverse(): Promise<void> {
    return this.call('reverse');
  }
  /** Sorts numbers or strings in place (Python's `sort(reverse=)`). */
  sort(options: { reverse?: boolean } = {}): Promise<void> {
    return this.call('sort', [options.reverse === true]);
  }
  clear(): Promise<void> {
    return this.call('clear');
  }
  /** A copy of the items now (Python's `list(proxy)`). */
  copy(): Promise<T[]> {
    return this.call('copy');
  }
  toArray(): Promise<T[]> {
    return this.copy();
  }
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    yield* await this.copy();
  }
}

export class DictProxy<K = unknown, V = unknown> extends BaseProxy implements AsyncIterable<K> {
  get kind(): Kind {
    return 'dict';
  }
  get(key: K): Promise<V | undefined>;
  get<D>(key: K, fallback: D): Promise<V | D>;
  get(key: K, fallback?: unknown): Promise<unknown> {
    return this.call('get', [key, fallback]);
  }
  set(key: K, value: V): Promise<void> {
    return this.call('set', [key, value]);
  }
  /** Whether there was such a key. */
  delete(key: K): Promise<boolean> {
    return this.call('delete', [key]);
  }
  has(key: K): Promise<boolean> {
    return this.call('has', [key]);
  }
  keys(): Promise<K[]> {
    return this.call('keys');
  }
  values(): Promise<V[]> {
    return this.call('values');
  }
  items(): Promise<[K, V][]> {
    return this.call('items');
  }
  length(): Promise<number> {
    return this.call('length');
  }
  clear(): Promise<void> {
    return this.call('clear');
  }
  update(entries: Iterable<readonly [K, V]> | (K extends string ? Record<K, V> : never)): Promise<void> {
    return this.call('update', [toEntries(entries)]);
  }
  /** Removes and returns the value; a missing key gives `fallback`, or `RangeError` without one. */
  pop(key: K, ...fallback: [] | [V]): Promise<V> {
    return this.call('pop', [key, ...fallback]);
  }
  /** Removes and returns the pair put in last (Python's `popitem()`); empty → `RangeError`. */
  popitem(): Promise<[K, V]> {
    return this.call('popitem');
  }
  setDefault(key: K, value: V): Promise<V> {
    return this.call('setDefault', [key, value]);
  }
  /** A copy of the entries now, as a Map. */
  copy(): Promise<Map<K, V>> {
    return this.call('copy');
  }
  /** Python's `for k in d`: the keys, as they are at the first step (a snapshot: a change after it is not seen, and raises nothing). */
  async *[Symbol.asyncIterator](): AsyncIterator<K> {
    yield* await this.keys();
  }
}

export class NamespaceProxy<T extends Record<string, unknown> = Record<string, unknown>> extends BaseProxy {
  get kind(): Kind {
    return 'Namespace';
  }
  /** An attribute; a missing one → `RangeError` (Python's `AttributeError`). */
  get<N extends keyof T & string>(name: N): Promise<T[N]> {
    return this.call('get', [name]);
  }
  set<N extends keyof T & string>(name: N, value: T[N]): Promise<void> {
    return this.call('set', [name, value]);
  }
  delete(name: keyof T & string): Promise<void> {
    return this.call('delete', [name]);
  }
  has(name: string): Promise<boolean> {
    return this.call('has', [name]);
  }
  toObject(): Promise<Partial<T>> {
    return this.call('toObject');
  }
}

export class ValueProxy<C extends Typecode = Typecode> extends BaseProxy {
  get kind(): Kind {
    return 'Value';
  }
  /** Python's `proxy.value`. */
  get(): Promise<ElementOf<C>> {
    return this.call('get');
  }
  /** Python's `proxy.value = v`; a value that does not fit → `RangeError`/`TypeError`, nothing changed. */
  set(value: ElementOf<C>): Promise<void> {
    return this.call('set', [value]);
  }
}

export class ArrayProxy<C extends Typecode = Typecode> extends BaseProxy implements AsyncIterable<ElementOf<C>> {
  get kind(): Kind {
    return 'Array';
  }
  get(index: number): Promise<ElementOf<C>> {
    return this.call('get', [index]);
  }
  set(index: number, value: ElementOf<C>): Promise<void> {
    return this.call('set', [index, value]);
  }
  length(): Promise<number> {
    return this.call('length');
  }
  slice(start?: number, end?: number): Promise<ElementOf<C>[]> {
    return this.call('slice', [start, end]);
  }
  setSlice(start: number | undefined, end: number | undefined, values: Iterable<ElementOf<C>>): Promise<void> {
    return this.call('setSlice', [start, end, [...values]]);
  }
  toArray(): Promise<ElementOf<C>[]> {
    return this.slice();
  }
  /** Python's `for x in arr` / `list(arr)`: the elements as they are at the first step. */
  async *[Symbol.asyncIterator](): AsyncIterator<ElementOf<C>> {
    yield* await this.slice();
  }
}

export class QueueProxy<T = unknown> extends BaseProxy {
  get kind(): Kind {
    return 'Queue';
  }
  /** Puts an item; a full queue past the timeout (or with `block: false`) → `Full`. */
  put(item: T, options?: ProxyWaitOptions): Promise<void> {
    return this.call('put', [item, waitArgs(options)], options);
  }
  /** The next item; none within the timeout (or with `block: false`) → `Empty`. */
  get(options?: ProxyWaitOptions): Promise<T> {
    return this.call('get', [waitArgs(options)], options);
  }
  putNowait(item: T): Promise<void> {
    return this.put(item, { block: false });
  }
  getNowait(): Promise<T> {
    return this.get({ block: false });
  }
  qsize(): Promise<number> {
    return this.call('qsize');
  }
  empty(): Promise<boolean> {
    return this.call('empty');
  }
  full(): Promise<boolean> {
    return this.call('full');
  }
}

export class JoinableQueueProxy<T = unknown> extends QueueProxy<T> {
  override get kind(): Kind {
    return 'JoinableQueue';
  }
  /** One item taken with `get` is done; more than were put → `StateError`. */
  taskDone(): Promise<void> {
    return this.call('taskDone');
  }
  /** Resolves `true` once every item put is done, `false` if `timeout` passed. */
  join(options?: { timeout?: number | null; signal?: AbortSignal }): Promise<boolean> {
    return this.call('join', [{ timeout: options?.timeout }], options);
  }
}

function toEntries<K, V>(entries: Iterable<readonly [K, V]> | Record<string, V> | Map<K, V> | undefined): [unknown, unknown][] {
  if (entries === undefined) return [];
  if (typeof (entries as Partial<Iterable<unknown>>)[Symbol.iterator] === 'function') return [...(entries as Iterable<readonly [K, V]>)].map(([k, v]) => [k, v]);
  return Object.entries(entries);
}

export { toEntries };

type ProxyClass = new (target: Target, id: number) => BaseProxy;
const classes = new Map<Kind, ProxyClass>();

/** Which proxy class each kind has (the sync kinds register from their module). */
export function registerProxyClass(kind: Kind, cls: ProxyClass): void {
  classes.set(kind, cls);
}

export function makeProxy(kind: Kind, target: Target, id: number): BaseProxy {
  const cls = classes.get(kind);
  if (cls === undefined) throw new TypeError(`no proxy for a manager's '${kind}'`);
  return new cls(target, id);
}

registerProxyClass('list', ListProxy);
registerProxyClass('dict', DictProxy);
registerProxyClass('Namespace', NamespaceProxy);
registerProxyClass('Value', ValueProxy);
registerProxyClass('Array', ArrayProxy);
registerProxyClass('Queue', QueueProxy);
registerProxyClass('JoinableQueue', JoinableQueueProxy);

registerHandle(TYPE, (raw) => {
  const d = raw as ProxyData;
  return makeProxy(d.kind, d.target, d.id);
});
