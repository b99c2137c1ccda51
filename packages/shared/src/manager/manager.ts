import { randomBytes } from 'node:crypto';
import { StateError } from '@ipc/core';
import { Listener, type Address } from '@ipc/pipe';
import type { ElementOf, Typecode } from '../_typecodes.js';
import { createDoors } from './_door.js';
import { callManager, closeLink } from './_link.js';
import type { Kind, Target } from './_protocol.js';
import { ManagerServer } from './_server.js';
import type { ArrayProxy, DictProxy, JoinableQueueProxy, ListProxy, NamespaceProxy, QueueProxy, ValueProxy} from './proxies.js';
import { makeProxy, toEntries, type BaseProxy } from './proxies.js';
import type { BarrierProxy, BoundedSemaphoreProxy, ConditionProxy, EventProxy, RLockProxy, SemaphoreProxy } from './sync-proxies.js';
import { LockProxy } from './sync-proxies.js';

export interface ManagerStartOptions {
  /** Where to serve: a Unix socket path, or `[host, port]` for TCP (port 0: a free one). Default: a fresh Unix socket. */
  address?: Address;
  /** The secret clients must prove they have (Python's handshake). Default: 32 random bytes, given to proxies as they cross. */
  authkey?: Uint8Array | string;
}

export interface ManagerConnectOptions {
  authkey?: Uint8Array | string;
}

/**
 * Python's `multiprocessing.Manager()` / `SyncManager`: a server holding
 * shared objects, which proxies reach from any thread, process, pool worker
 * or program. The server runs in this heap (see the README for why).
 */
export class Manager {
  private constructor(
    private readonly target: Target,
    private readonly server: ManagerServer | undefined,
  ) {}

  /** Starts a manager serving from this heap. */
  static async start(options: ManagerStartOptions = {}): Promise<Manager> {
    const authkey = options.authkey === undefined ? randomBytes(32) : Buffer.from(options.authkey);
    const listener = new Listener({ address: options.address, authkey, serializer: 'v8' });
    try {
      await listener.ready;
    } catch (err) {
      listener.close();
      throw err;
    }
    const door = createDoors();
    const server = new ManagerServer(listener, door);
    // `this`, not the class's name: a class naming itself inside its body is built as `class _Manager`, and `.name` shows it.
    return new this({ address: listener.address, authkey: authkey.toString('hex'), door }, server);
  }

  /** Reaches a manager another program started (Python's `BaseManager(address, authkey).connect()`); a wrong authkey → `AuthenticationError`. */
  static async connect(address: Address, options: ManagerConnectOptions = {}): Promise<Manager> {
    const authkey = options.authkey === undefined ? undefined : Buffer.from(options.authkey).toString('hex');
    const manager = new this({ address, authkey }, undefined);
    await callManager(manager.target, 0, 'ping', []);
    return manager;
  }

  /** Where the manager serves. */
  get address(): Address {
    return this.target.address;
  }

  /** Whether this object started the server (rather than connected to it). */
  get isServer(): boolean {
    return this.server !== undefined;
  }

  list<T>(items?: Iterable<T>): Promise<ListProxy<T>> {
    return this.create('list', [items === undefined ? undefined : [...items]]) as Promise<ListProxy<T>>;
  }

  dict<K, V>(entries?: Iterable<readonly [K, V]> | (K extends string ? Record<K, V> : never)): Promise<DictProxy<K, V>> {
    return this.create('dict', [toEntries(entries)]) as Promise<DictProxy<K, V>>;
  }

  Namespace<T extends Record<string, unknown> = Record<string, unknown>>(attrs?: Partial<T>): Promise<NamespaceProxy<T>> {
    return this.create('Namespace', [attrs]) as Promise<NamespaceProxy<T>>;
  }

  Value<C extends Typecode>(typecode: C, init?: ElementOf<C>): Promise<ValueProxy<C>> {
    return this.create('Value', [typecode, init]) as Promise<ValueProxy<C>>;
  }

  Array<C extends Typecode>(typecode: C, sizeOrInit: number | Iterable<ElementOf<C>>): Promise<ArrayProxy<C>> {
    return this.create('Array', [typecode, typeof sizeOrInit === 'number' ? sizeOrInit : [...sizeOrInit]]) as Promise<ArrayProxy<C>>;
  }

  Queue<T>(maxsize = 0): Promise<QueueProxy<T>> {
    return this.create('Queue', [maxsize]) as Promise<QueueProxy<T>>;
  }

  JoinableQueue<T>(maxsize = 0): Promise<JoinableQueueProxy<T>> {
    return this.create('JoinableQueue', [maxsize]) as Promise<JoinableQueueProxy<T>>;
  }

  Lock(): Promise<LockProxy> {
    return this.create('Lock', []) as Promise<LockProxy>;
  }

  RLock(): Promise<RLockProxy> {
    return this.create('RLock', []) as Promise<RLockProxy>;
  }

  Semaphore(value = 1): Promise<SemaphoreProxy> {
    return this.create('Semaphore', [value]) as Promise<SemaphoreProxy>;
  }

  BoundedSemaphore(value = 1): Promise<BoundedSemaphoreProxy> {
    return this.create('BoundedSemaphore', [value]) as Promise<BoundedSemaphoreProxy>;
  }

  /** A condition over `lock` (a Lock or RLock proxy of this manager), or a fresh RLock. */
  Condition(lock?: LockProxy): Promise<ConditionProxy> {
    if (lock !== undefined && !(lock instanceof LockProxy)) return Promise.reject(new TypeError('Condition() takes a Lock or RLock proxy of the same manager'));
    return this.create('Condition', [lock?.id]) as Promise<ConditionProxy>;
  }

  Event(): Promise<EventProxy> {
    return this.create('Event', []) as Promise<EventProxy>;
  }

  Barrier(parties: number, options: { timeout?: number | null } = {}): Promise<BarrierProxy> {
    return this.create('Barrier', [parties, options.timeout]) as Promise<BarrierProxy>;
  }

  /** Makes `proxy` findable by `name` for programs that `connect()` (what Python's `register(typeid, callable)` is used for). */
  publish(name: string, proxy: BaseProxy): Promise<void> {
    return callManager(this.target, 0, 'publish', [name, proxy.id]).then(() => undefined);
  }

  /** The proxy published as `name`; none → `RangeError`. */
  async lookup<P extends BaseProxy = BaseProxy>(name: string): Promise<P> {
    const { kind, id } = (await callManager(this.target, 0, 'lookup', [name])) as { kind: Kind; id: number };
    return makeProxy(kind, this.target, id) as P;
  }

  /**
   * Stops the manager: its objects are dropped and every proxy's calls (under
   * way and later) fail with `ManagerGoneError`. On a connected manager, asks
   * the server to stop (Python allows only the starter; we allow whoever has
   * the authkey).
   */
  async shutdown(): Promise<void> {
    if (this.server !== undefined) {
      closeLink(this.target);
      this.server.close();
      return;
    }
    await callManager(this.target, 0, 'shutdown', []);
    closeLink(this.target);
  }

  /** A connected manager: closes this heap's connection (the server goes on). A started one: `shutdown()`. */
  async close(): Promise<void> {
    if (this.server !== undefined) return this.shutdown();
    closeLink(this.target);
  }

  /** Resolves once the server stopped (started managers only). */
  join(): Promise<void> {
    if (this.server === undefined) return Promise.reject(new StateError('only the manager that started the server can join it'));
    return this.server.done;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async create(kind: Kind, args: unknown[]): Promise<BaseProxy> {
    const id = (await callManager(this.target, 0, 'create', [kind, args])) as number;
    return makeProxy(kind, this.target, id);
  }
}
