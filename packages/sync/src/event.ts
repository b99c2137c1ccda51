import { StateError, runAsyncSteps, runSyncSteps, type Steps, wakeWord } from '@ipc/core';
import { Primitive } from './_primitive.js';
import { leftOf, waitDeadline } from './_waiting.js';
import type { WaitOptions, WaitSyncOptions } from './options.js';

const FLAG = 0;
const SETS = 1; // bumped by every set(): a waiter that saw it move was woken, even if clear() came right after
const WORDS = 2;

/** Python's `Event`: `set`, `clear`, `isSet`, `wait`, across threads and processes. */
export class Event extends Primitive {
  constructor() {
    super(WORDS);
  }

  protected get handleType(): string {
    return '@ipc/sync.Event';
  }

  isSet(): boolean {
    return this.remote ? (this.remote.callSync('isSet') as boolean) : Atomics.load(this.state, FLAG) === 1;
  }

  /** Sets the flag and wakes every waiter. */
  set(): void {
    if (this.remote) this.remote.callSync('set');
    else this.setHere();
  }

  clear(): void {
    if (this.remote) this.remote.callSync('clear');
    else Atomics.store(this.state, FLAG, 0);
  }

  /** Resolves `true` once set (at once if it is), `false` if `timeout` passes first. */
  wait(options: WaitOptions = {}): Promise<boolean> {
    const until = waitDeadline(options.timeout);
    if (this.remote) return this.remote.call('wait', [leftOf(until)], { signal: options.signal }) as Promise<boolean>;
    if (Atomics.load(this.state, FLAG) === 1) return Promise.resolve(true);
    return runAsyncSteps(this.waitSteps(until), options.signal);
  }

  waitSync(options: WaitSyncOptions = {}): boolean {
    const until = waitDeadline(options.timeout);
    if (this.remote) return this.remote.callSync('wait', [leftOf(until)]) as boolean;
    if (Atomics.load(this.state, FLAG) === 1) return true;
    return runSyncSteps(this.waitSteps(until));
  }

  override toString(): string {
    return `<Event(${this.isSet() ? 'set' : 'unset'})>`;
  }

  private setHere(): void {
    Atomics.store(this.state, FLAG, 1);
    Atomics.add(this.state, SETS, 1);
    wakeWord(this.state, SETS);
  }

  private *waitSteps(until: number): Steps<boolean> {
    const sets = Atomics.load(this.state, SETS);
    for (;;) {
      if (Atomics.load(this.state, FLAG) === 1 || Atomics.load(this.state, SETS) !== sets) return true;
      const now = performance.now();
      if (now >= until) return false;
      yield { i32: this.state, index: SETS, expected: sets, until };
    }
  }

  protected perform(op: string, args: readonly unknown[], _owner: number, signal: AbortSignal): unknown {
    switch (op) {
      case 'isSet':
        return Atomics.load(this.state, FLAG) === 1;
      case 'set':
        return this.setHere();
      case 'clear':
        return Atomics.store(this.state, FLAG, 0);
      case 'wait':
        return runAsyncSteps(this.waitSteps(args[0] === undefined ? Infinity : performance.now() + (args[0] as number)), signal);
      default:
        throw new StateError(`no operation ${op} on Event`);
    }
  }

  static {
    Primitive.registerType('@ipc/sync.Event', this.prototype);
  }
}
