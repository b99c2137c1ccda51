import { StateError, checkTimeout } from '@ipc/core';
import type { Kind } from './_protocol.js';
import { BaseProxy, registerProxyClass, type ProxyWaitOptions } from './proxies.js';

const waitArgs = (o: ProxyWaitOptions | undefined): { block?: boolean; timeout?: number | null } => ({ block: o?.block, timeout: o?.timeout });

abstract class AcquirableProxy extends BaseProxy {
  /** Resolves `true` once acquired, `false` if `timeout` passed (or at once with `block: false`). */
  acquire(options?: ProxyWaitOptions): Promise<boolean> {
    return this.call('acquire', [waitArgs(options)], options);
  }

  release(): Promise<void> {
    return this.call('release');
  }

  /** Runs `fn` holding it, releasing however `fn` ends (Python's `with`). */
  async withLock<T>(fn: () => T | Promise<T>, options?: ProxyWaitOptions): Promise<T> {
    if (!(await this.acquire(options))) throw new StateError(`the ${this.kind} was not acquired in time`);
    try {
      return await fn();
    } finally {
      await this.release();
    }
  }
}

/** A manager's `Lock`: one holder; any holder of a proxy may release it. A holder whose connection goes away releases it. */
export class LockProxy extends AcquirableProxy {
  get kind(): Kind {
    return 'Lock';
  }
  locked(): Promise<boolean> {
    return this.call('locked');
  }
}

/** A manager's `RLock`: the owner is the heap (thread or process) that acquired it. */
export class RLockProxy extends LockProxy {
  override get kind(): Kind {
    return 'RLock';
  }
}

export class SemaphoreProxy extends AcquirableProxy {
  get kind(): Kind {
    return 'Semaphore';
  }
  override release(n = 1): Promise<void> {
    return this.call('release', [n]);
  }
  getValue(): Promise<number> {
    return this.call('getValue');
  }
}

/** Releasing past the initial value → `StateError`. */
export class BoundedSemaphoreProxy extends SemaphoreProxy {
  override get kind(): Kind {
    return 'BoundedSemaphore';
  }
}

export class ConditionProxy extends AcquirableProxy {
  get kind(): Kind {
    return 'Condition';
  }
  /** Releases the lock, waits to be notified, takes the lock back; `false` if `timeout` passed first. */
  wait(options?: { timeout?: number | null; signal?: AbortSignal }): Promise<boolean> {
    return this.call('wait', [{ timeout: options?.timeout }], options);
  }
  /** Waits until `predicate()` is true (checked holding the lock), or `timeout`: resolves with its last result. */
  async waitFor<T>(predicate: () => T | Promise<T>, options: { timeout?: number | null; signal?: AbortSignal } = {}): Promise<T> {
    const end = performance.now() + checkTimeout(options.timeout);
    let result = await predicate();
    while (!result) {
      const left = end - performance.now();
      if (left <= 0) break;
      await this.wait({ timeout: Number.isFinite(left) ? left : undefined, signal: options.signal });
      result = await predicate();
    }
    return result;
  }
  notify(n = 1): Promise<void> {
    return this.call('notify', [n]);
  }
  notifyAll(): Promise<void> {
    return this.call('notifyAll');
  }
}

export class EventProxy extends BaseProxy {
  get kind(): Kind {
    return 'Event';
  }
  set(): Promise<void> {
    return this.call('set');
  }
  clear(): Promise<void> {
    return this.call('clear');
  }
  isSet(): Promise<boolean> {
    return this.call('isSet');
  }
  /** Resolves `true` once set, `false` if `timeout` passed. */
  wait(options?: { timeout?: number | null; signal?: AbortSignal }): Promise<boolean> {
    return this.call('wait', [{ timeout: options?.timeout }], options);
  }
}

export class BarrierProxy extends BaseProxy {
  get kind(): Kind {
    return 'Barrier';
  }
  /** Resolves with this party's index (0…parties-1) once all arrived; a broken barrier or a timeout → `BrokenBarrierError`. */
  wait(options?: { timeout?: number | null; signal?: AbortSignal }): Promise<number> {
    return this.call('wait', [{ timeout: options?.timeout }], options);
  }
  reset(): Promise<void> {
    return this.call('reset');
  }
  abort(): Promise<void> {
    return this.call('abort');
  }
  parties(): Promise<number> {
    return this.call('parties');
  }
  nWaiting(): Promise<number> {
    return this.call('nWaiting');
  }
  broken(): Promise<boolean> {
    return this.call('broken');
  }
}

registerProxyClass('Lock', LockProxy);
registerProxyClass('RLock', RLockProxy);
registerProxyClass('Semaphore', SemaphoreProxy);
registerProxyClass('BoundedSemaphore', BoundedSemaphoreProxy);
registerProxyClass('Condition', ConditionProxy);
registerProxyClass('Event', EventProxy);
registerProxyClass('Barrier', BarrierProxy);
