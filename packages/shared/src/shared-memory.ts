import { randomBytes } from 'node:crypto';
import { BroadcastChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { reduceHandle, registerHandle, StateError, type HandleDescriptor, type ReduceContext } from '@ipc/core';
import { FileExistsError, FileNotFoundError, SharedMemoryError } from './errors.js';
import { claimName, lookupName, releaseName } from './_shm-names.js';

const TYPE = '@ipc/shared.SharedMemory';
/** How long attaching waits for another thread of this process to hand over the block. */
const ASK_MS = 2000;

export interface SharedMemoryOptions {
  /** The block's name; default a fresh `psm_…` name (with `create: true`). A leading `/` is ignored, as in POSIX. */
  name?: string;
  /** Make a new block (the name must be free), or attach to an existing one (the default). */
  create?: boolean;
  /** Bytes, > 0, when creating; ignored when attaching (the block keeps its size), but never negative. */
  size?: number;
}

type Message = { type: 'ask'; name: string; flag: SharedArrayBuffer } | { type: 'block'; name: string; sab: SharedArrayBuffer } | { type: 'gone'; name: string };

/** The blocks this heap holds, by name: what it answers other threads with. */
const held = new Map<string, SharedArrayBuffer>();
let channel: BroadcastChannel | undefined;

function bus(): BroadcastChannel {
  if (channel === undefined) {
    channel = new BroadcastChannel(TYPE);
    channel.onmessage = (event: unknown) => handle((event as { data: Message }).data);
    channel.unref();
  }
  return channel;
}

function handle(msg: Message): void {
  if (msg.type === 'ask') {
    const sab = held.get(msg.name);
    if (sab === undefined) return;
    bus().postMessage({ type: 'block', name: msg.name, sab } satisfies Message);
    const flag = new Int32Array(msg.flag);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  } else if (msg.type === 'block') {
    if (!held.has(msg.name)) held.set(msg.name, msg.sab);
  } else held.delete(msg.name);
}

/** Asks the other threads of this process for the block, blocking until one answers (or `ASK_MS`). */
function askThreads(name: string): SharedArrayBuffer | undefined {
  const ch = bus();
  // receiveMessageOnPort takes a BroadcastChannel too (Node ≥ 15.x); its types say MessagePort only.
  const port = ch as unknown as MessagePort;
  const flag = new Int32Array(new SharedArrayBuffer(4));
  ch.postMessage({ type: 'ask', name, flag: flag.buffer } satisfies Message);
  Atomics.wait(flag, 0, 0, ASK_MS);
  for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) handle(m.message as Message);
  return held.get(name);
}

/** A fresh `psm_…` name, claimed; another on the (unlikely) clash, as Python's loop does. */
function freshName(size: number): string {
  for (;;) {
    const name = `psm_${randomBytes(8).toString('hex')}`;
    if (claimName(name, size)) return name;
  }
}

function checkName(name: unknown): string {
  if (typeof name !== 'string') throw new TypeError(`a shared memory name is a string, not ${typeof name}`);
  const bare = name.startsWith('/') ? name.slice(1) : name;
  if (bare === '' || bare.length > 200 || /[/\\\0]/.test(bare) || bare === '.' || bare === '..') throw new RangeError(`bad shared memory name ${JSON.stringify(name)}`);
  return bare;
}

/**
 * Python's `multiprocessing.shared_memory.SharedMemory`: a block of bytes
 * with a name that other threads attach to. Names are machine-wide (so a
 * second creator gets `FileExistsError` even from another process), but the
 * memory can only be mapped by threads of the process that made it: Node
 * has no way to map memory between processes (use `Value`/`Array`, whose
 * process context goes through the memory's home, or a Manager).
 */
export class SharedMemory {
  readonly name: string;
  readonly size: number;
  private view: Uint8Array | undefined;

  constructor(options: SharedMemoryOptions = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('SharedMemory() takes { name?, create?, size? }');
    const { create = false, size = 0 } = options;
    // Python's ValueErrors, in its order: a size that is no count of bytes even when attaching, then none when creating, then no name to attach to.
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) throw new RangeError(`'size' must be a positive integer, not ${String(size)}`);
    if (create) {
      if (size === 0) throw new RangeError("'size' must be a positive number different from zero when creating");
      const name = options.name === undefined ? freshName(size) : checkName(options.name);
      if (options.name !== undefined && !claimName(name, size)) throw new FileExistsError(`a shared memory block named '${name}' exists already`);
      const sab = new SharedArrayBuffer(size);
      held.set(name, sab);
      bus();
      this.name = name;
      this.view = new Uint8Array(sab);
    } else {
      if (options.name === undefined) throw new RangeError("'name' can only be left out with create: true");
      const name = checkName(options.name);
      const rec = lookupName(name);
      if (rec === undefined) throw new FileNotFoundError(`no shared memory block named '${name}'`);
      let sab = held.get(name);
      if (sab === undefined) {
        if (rec.pid !== process.pid) {
          throw new SharedMemoryError(`the shared memory block '${name}' belongs to process ${rec.pid}: Node cannot map memory across processes (use Value/Array or a Manager there)`);
        }
        sab = askThreads(name);
        if (sab === undefined) throw new SharedMemoryError(`no thread of this process answered for the shared memory block '${name}' within ${ASK_MS} ms (the threads that held it ended, or are busy)`);
      }
      this.name = name;
      this.view = new Uint8Array(sab);
    }
    this.size = this.view.byteLength;
  }

  /** The block's bytes (Python's `buf`), the same memory in every thread that attached. */
  get buf(): Uint8Array {
    if (this.view === undefined) throw new StateError(`the shared memory block '${this.name}' is closed here`);
    return this.view;
  }

  /** Stops using the block from this object (Python's `close()`); the block lives on for the others. */
  close(): void {
    this.view = undefined;
  }

  /** Removes the name so no one else can attach (Python's `unlink()`); views already made stay usable. */
  unlink(): void {
    if (!releaseName(this.name)) throw new FileNotFoundError(`no shared memory block named '${this.name}'`);
    held.delete(this.name);
    bus().postMessage({ type: 'gone', name: this.name } satisfies Message);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  toString(): string {
    return `SharedMemory('${this.name}', size=${this.size})`;
  }

  /**
   * @internal Python pickles a block by name and attaches to it on the other side: so a
   * block closed here still crosses, and one whose name was unlinked fails (FileNotFoundError).
   */
  [reduceHandle](ctx: ReduceContext): HandleDescriptor {
    if (ctx.target === 'process') {
      throw new SharedMemoryError(`SharedMemory '${this.name}' cannot be passed to another process: Node cannot map memory across processes (use Value/Array or a Manager)`);
    }
    if (lookupName(this.name) === undefined) throw new FileNotFoundError(`no shared memory block named '${this.name}' (it was unlinked): it cannot be passed on`);
    const sab = (this.view?.buffer as SharedArrayBuffer | undefined) ?? held.get(this.name) ?? askThreads(this.name);
    if (sab === undefined) throw new SharedMemoryError(`no thread of this process answered for the shared memory block '${this.name}' within ${ASK_MS} ms`);
    return { module: import.meta.url, type: TYPE, data: { name: this.name, sab } };
  }
}

registerHandle(TYPE, (raw) => {
  const data = raw as { name: string; sab: SharedArrayBuffer };
  if (!held.has(data.name) && lookupName(data.name) !== undefined) held.set(data.name, data.sab);
  bus();
  const shm = Object.create(SharedMemory.prototype) as { name: string; size: number; view: Uint8Array };
  shm.name = data.name;
  shm.view = new Uint8Array(data.sab);
  shm.size = data.sab.byteLength;
  return shm;
});
