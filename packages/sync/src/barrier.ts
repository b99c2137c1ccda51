import { ArgumentError, SerializationError, StateError, checkTimeout, loadTask, runAsyncSteps, runSyncSteps, taskRefOf, type Steps, type TaskRef } from '@ipc/core';
import { Primitive } from './_primitive.js';
import { leftOf, waitDeadline } from './_waiting.js';
import { BrokenBarrierError } from './errors.js';
import type { WaitOptions, WaitSyncOptions } from './options.js';

const COUNT = 0; // arrived in this round
const ROUND = 1; // bumped when a round ends, tripped or reset
const BROKEN = 2;
const TRIPPED = 3; // 1 + the last round that ended by tripping (a reset ends one without); 0: none yet
const WORDS = 4;

export interface BarrierOptions {
  /**
   * Run by the last party to arrive, before the others are released; if it
   * throws, the barrier breaks. To pass the barrier to other threads or
   * processes, make it a `task()` export, so whichever party is last can run it.
   */
  action?: () => unknown;
  /** Default `timeout` of `wait()`, in ms. */
  timeout?: number;
}

interface Extra {
  parties: number;
  timeout: number | undefined;
  action: TaskRef | undefined;
}

/**
 * Python's `Barrier(parties, action, timeout)`: `wait()` returns when all
 * parties have arrived, with this party's arrival index (0 … parties − 1).
 * A timeout, `abort()` or a throwing action breaks it: every waiter then gets
 * `BrokenBarrierError`, until `reset()`.
 */
export class Barrier extends Primitive {
  private extra!: Extra;
  private action: (() => unknown) | undefined;
  private loading: Promise<void> | undefined;

  constructor(parties: number, options: BarrierOptions = {}) {
    super(WORDS);
    if (!Number.isInteger(parties) || parties <= 0) throw new ArgumentError(`a Barrier needs parties >= 1, not ${String(parties)}`);
    if (options.timeout !== undefined) checkTimeout(options.timeout);
    if (options.action !== undefined && typeof options.action !== 'function') throw new ArgumentError('action must be a function');
    this.action = options.action;
    this.extra = { parties, timeout: options.timeout, action: options.action === undefined ? undefined : taskRefOf(options.action) };
  }

  protected get handleType(): string {
    return '@ipc/sync.Barrier';
  }

  protected override describe(): unknown {
    if (this.action !== undefined && this.extra.action === undefined) {
      throw new SerializationError('a Barrier whose action is not made with task() cannot be passed to another thread or process: export the action as task(import.meta.url, fn)', 'Barrier.action');
    }
    return this.extra;
  }

  protected override adopt(extra: unknown): void {
    this.extra = extra as Extra;
    const ref = this.extra.action;
    if (ref !== undefined) this.loading = loadTask(ref).then((fn) => void (this.action = fn as () => unknown));
  }

  get parties(): number {
    return this.extra.parties;
  }

  /** Parties waiting in this round. */
  get nWaiting(): number {
    return this.remote ? (this.remote.callSync('nWaiting') as number) : Atomics.load(this.state, BROKEN) ? 0 : Atomics.load(this.state, COUNT);
  }

  get broken(): boolean {
    return this.remote ? (this.remote.callSync('broken') as boolean) : Atomics.load(this.state, BROKEN) === 1;
  }

  /** Waits for every party; resolves with this party's arrival index. `BrokenBarrierError` if it breaks. */
  async wait(options: WaitOptions = {}): Promise<number> {
    const until = waitDeadline(options.timeout ?? this.extra.timeout);
    if (this.remote) return this.remote.call('wait', [leftOf(until)], { signal: options.signal }) as Promise<number>;
    await this.loading;
    return runAsyncSteps(this.waitSteps(until), options.signal);
  }

  waitSync(options: WaitSyncOptions = {}): number {
    const until = waitDeadline(options.timeout ?? this.extra.timeout);
    if (this.remote) return this.remote.callSync('wait', [leftOf(until)]) as number;
    return runSyncSteps(this.waitSteps(until));
  }

  /** Breaks the barrier: waiters now and later get `BrokenBarrierError` until `reset()`. */
  abort(): void {
    if (this.remote) this.remote.callSync('abort');
    else this.breakHere();
  }

  /** Back to empty and unbroken; parties waiting now get `BrokenBarrierError`. */
  reset(): void {
    if (this.remote) {
      this.remote.callSync('reset');
      return;
    }
    Atomics.store(this.state, COUNT, 0);
    Atomics.store(this.state, BROKEN, 0);
    Atomics.add(this.state, ROUND, 1);
    Atomics.notify(this.state, ROUND);
  }

  override toString(): string {
    return `<Barrier(parties=${this.parties}, waiting=${this.nWaiting}${this.broken ? ', broken' : ''})>`;
  }

  private breakHere(): void {
    Atomics.store(this.state, BROKEN, 1);
    Atomics.add(this.state, ROUND, 1);
    Atomics.notify(this.state, ROUND);
  }

  private *waitSteps(until: number): Steps<number> {
    const round = Atomics.load(this.state, ROUND);
    if (Atomics.load(this.state, BROKEN)) throw new BrokenBarrierError();
    const index = Atomics.add(this.state, COUNT, 1);
    if (index + 1 === this.extra.parties) {
      if (this.action !== undefined || this.extra.action !== undefined) {
        if (this.action === undefined) throw new StateError('the barrier action is still loading in this thread; use wait() rather than waitSync() here');
        try {
          this.action();
        } catch (err) {
          this.breakHere();
          throw err;
        }
      }
      Atomics.store(this.state, COUNT, 0);
      Atomics.store(this.state, TRIPPED, round + 1);
      Atomics.add(this.state, ROUND, 1);
      Atomics.notify(this.state, ROUND);
      return index;
    }
    for (;;) {
      if (Atomics.load(this.state, ROUND) !== round) {
        if (Atomics.load(this.state, TRIPPED) === round + 1 && !Atomics.load(this.state, BROKEN)) return index;
        throw new BrokenBarrierError();
      }
      const now = performance.now();
      if (now >= until) {
        // Python: a wait that times out breaks the barrier for everyone.
        this.breakHere();
        throw new BrokenBarrierError('the barrier broke: a party timed out waiting');
      }
      yield { i32: this.state, index: ROUND, expected: round, until };
    }
  }

  protected perform(op: string, args: readonly unknown[], _owner: number, signal: AbortSignal): unknown {
    switch (op) {
      case 'wait':
        return (async () => {
          await this.loading;
          return runAsyncSteps(this.waitSteps(args[0] === undefined ? Infinity : performance.now() + (args[0] as number)), signal);
        })();
      case 'abort':
        return this.breakHere();
      case 'reset':
        return this.reset();
      case 'nWaiting':
        return this.nWaiting;
      case 'broken':
        return this.broken;
      default:
        throw new StateError(`no operation ${op} on Barrier`);
    }
  }

  static {
    Primitive.registerType('@ipc/sync.Barrier', Barrier.prototype);
  }
}
