import { ArgumentError, ModuleNotLoadedError, StateError, checkTimeout, reduceHandle, registerHandle, servedHere, type HandleDescriptor, type ReduceContext, type ServedRef } from '@ipc/core';
import type { QueueBackend, QueueKind, SharedBuffers } from './_backend.js';
import { bytesToItem, bytesToItemSync, itemToBytes } from './_items.js';
import { RemoteBackend } from './_remote-backend.js';
import { SharedBackend } from './_shared-backend.js';
import { rejected } from './_waits.js';
import { maxsizeOf, type JoinOptions, type QueueOptions, type QueueWaitOptions, type QueueWaitSyncOptions } from './options.js';

const HANDLE_TYPE = '@ipc/queue.Queue';

interface Descriptor {
  kind: QueueKind;
  maxsize: number;
  shared?: SharedBuffers;
  ref?: ServedRef;
}

/**
 * Python's `multiprocessing.Queue`: many producers and consumers, in threads
 * and processes, every item delivered once. Pass it to a `Process` or a pool
 * task like any argument.
 */
export class Queue<T = unknown> {
  private readonly backend: QueueBackend;
  private closedHere = false;
  /**
   * An item `getSync` took but could not rebuild in this thread (it names a module that cannot be
   * loaded synchronously: top-level await): kept for the next get here, which can import it.
   */
  private held: Uint8Array | undefined;

  /** `new Queue({ maxsize })`, or `new Queue(maxsize)` as Python's `Queue(maxsize)`. */
  constructor(options: QueueOptions | number = {}) {
    this.backend = new SharedBackend(maxsizeOf(options, new.target.name || 'Queue'));
  }

  /** The most items the queue holds (0: no limit). */
  get maxsize(): number {
    return Math.max(0, this.backend.maxsize);
  }

  /** Puts an item, waiting for room when the queue is full; `Full` when it cannot. Resolves once the queue has accepted it. */
  put(item: T, options: QueueWaitOptions = {}): Promise<void> {
    // Not an async function (a promise fewer an item), so its errors become rejections by hand.
    try {
      const { block, timeout } = this.check(options);
      return this.backend.put(itemToBytes(item), block, timeout, options.signal);
    } catch (err) {
      return rejected(err);
    }
  }

  /** As `put`, blocking the thread. */
  putSync(item: T, options: QueueWaitSyncOptions = {}): void {
    const { block, timeout } = this.check(options);
    this.backend.putSync(itemToBytes(item), block, timeout);
  }

  /** `put(item, { block: false })`: `Full` at once when there is no room. */
  putNowait(item: T): void {
    this.putSync(item, { block: false });
  }

  /** Takes the next item, waiting for one; `Empty` after `timeout` ms, or at once with `block: false`. */
  get(options: QueueWaitOptions = {}): Promise<T> {
    try {
      const { block, timeout } = this.check(options);
      const held = this.takeHeld();
      if (held !== undefined) return Promise.resolve(bytesToItem(held) as T);
      // An item at hand (in this process's memory, or left from a remote batch) needs no wait: no async step.
      const ready = options.signal?.aborted ? undefined : this.backend.takeReady();
      if (ready !== undefined) return Promise.resolve(bytesToItem(ready) as T);
      return this.backend.get(block, timeout, options.signal).then((bytes) => bytesToItem(bytes) as T);
    } catch (err) {
      return rejected(err);
    }
  }

  /** As `get`, blocking the thread. */
  getSync(options: QueueWaitSyncOptions = {}): T {
    const { block, timeout } = this.check(options);
    const bytes = this.takeHeld() ?? this.backend.getSync(block, timeout);
    try {
      return bytesToItemSync(bytes) as T;
    } catch (err) {
      // A module it cannot load now: not lost — the next get() here gives it (an async get can import it).
      if (err instanceof ModuleNotLoadedError) this.held = bytes;
      throw err;
    }
  }

  private takeHeld(): Uint8Array | undefined {
    const held = this.held;
    this.held = undefined;
    return held;
  }

  /** `get({ block: false })`: `Empty` at once when there is nothing. */
  getNowait(): T {
    return this.getSync({ block: false });
  }

  /** Items in the queue (put and not yet taken). Like Python's, a snapshot that others may change at once. */
  qsize(): number {
    return this.backend.qsize();
  }

  empty(): boolean {
    return this.qsize() === 0;
  }

  full(): boolean {
    return this.backend.maxsize > 0 && this.qsize() >= this.backend.maxsize;
  }

  /** This holder puts and gets no more; what it put still reaches the others. */
  close(): void {
    this.closedHere = true;
  }

  get closed(): boolean {
    return this.closedHere;
  }

  /** After `close()`: resolves once every item this holder put has reached the queue (Python's `join_thread`). */
  async joinThread(): Promise<void> {
    if (!this.closedHere) throw new StateError('joinThread() before close()');
    await this.backend.flushed();
  }

  /**
   * Python's `cancel_join_thread`: this thread or process may end without
   * waiting for what it buffered (lost then); `joinThread()` no longer waits.
   * While it runs, the buffer still drains, in order.
   */
  cancelJoinThread(): void {
    this.backend.cancelJoin();
  }

  /** Takes items for ever (until this holder is closed): `for await (const item of q)`. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    while (!this.closedHere) yield await this.get();
  }

  [reduceHandle](ctx: ReduceContext): HandleDescriptor {
    const shared = this.backend.sharedBuffers();
    const data: Descriptor =
      ctx.target === 'thread' && shared !== undefined
        ? { kind: this.kind(), maxsize: this.backend.maxsize, shared }
        : { kind: this.kind(), maxsize: this.backend.maxsize, ref: this.backend.servedRef() };
    return { module: import.meta.url, type: HANDLE_TYPE, data };
  }

  toString(): string {
    return `<${this.kind()} maxsize=${this.maxsize}${this.closedHere ? ' closed' : ''}>`;
  }

  protected kind(): QueueKind {
    return 'Queue';
  }

  protected get shared(): QueueBackend {
    return this.backend;
  }

  private check(options: QueueWaitOptions): { block: boolean; timeout: number | undefined } {
    if (this.closedHere) throw new StateError(`${this.kind()} is closed`);
    if (options === null || typeof options !== 'object') throw new ArgumentError('options must be an object: { block, timeout, signal }');
    const { block = true, timeout } = options;
    checkTimeout(timeout);
    return { block, timeout: timeout ?? undefined };
  }

  /** @internal Rebuilds a queue around a backend (another thread's memory, or a remote home). */
  static _around<Q extends Queue<unknown>>(this: new (options?: QueueOptions) => Q, backend: QueueBackend): Q {
    const q = Object.create(this.prototype as object) as Q;
    Object.assign(q, { backend, closedHere: false });
    return q;
  }
}

/** Python's `JoinableQueue`: consumers say `taskDone()` for each item; `join()` waits until all are done. */
export class JoinableQueue<T = unknown> extends Queue<T> {
  /** One item got with `get` is finished. One call too many → `StateError`. */
  taskDone(): void {
    this.shared.taskDone();
  }

  /** Resolves once every item put has been marked done; with a timeout, `false` if it passes first. */
  join(options: JoinOptions = {}): Promise<boolean> {
    return this.shared.join(options.timeout, options.signal);
  }

  protected override kind(): QueueKind {
    return 'JoinableQueue';
  }
}

/** Python's `SimpleQueue`: `put`, `get`, `empty`, `close`, without a size limit. */
export class SimpleQueue<T = unknown> extends Queue<T> {
  constructor() {
    super({});
  }

  protected override kind(): QueueKind {
    return 'SimpleQueue';
  }
}

const classes = { Queue, SimpleQueue, JoinableQueue } as const;

registerHandle(HANDLE_TYPE, (raw) => {
  const data = raw as Descriptor;
  let backend: QueueBackend;
  if (data.shared !== undefined) backend = new SharedBackend(data.maxsize, data.shared);
  else {
    const home = data.ref === undefined ? undefined : (servedHere(data.ref) as { queue?: SharedBackend } | undefined);
    backend = home?.queue ?? new RemoteBackend(data.maxsize, data.ref!);
  }
  return classes[data.kind]._around(backend);
});
