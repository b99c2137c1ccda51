import { ArgumentError, LIVENESS_CHECK_MS, SerializationError, StateError, checkTimeout, loadTask, runAsyncSteps, runSyncSteps, taskRefOf, type Steps, type TaskRef, wakeWord } from '@ipc/core';
import { Primitive } from './_primitive.js';
import { leftOf, waitDeadline } from './_waiting.js';
import { BrokenBarrierError } from './errors.js';
import type { WaitOptions, WaitSyncOptions } from './options.js';

// STATE packs the round (high 16 bits) and the parties arrived in it (low 16), so an arrival,
// a leave and the end of a round are each one compare-and-swap on one word.
const STATE = 0;
const BROKEN = 1;
/** Rounds ended broken so far: what tells a waiter woken more than ENDED rounds late (its outcome word reused) how its round ended. */
const BREAKS = 2;
/** How the last 64 rounds ended, one word a round (`outcome()`): claimed before the round moves on, so exactly one ending counts. */
const ENDED_AT = 3;
const ENDED = 64;
const WORDS = ENDED_AT + ENDED;
const COUNT_BITS = 16;
const COUNT_MASK = 0xffff;
/** parties ≤ this: `count === parties` (everyone arrived, the action running) must fit in the count's bits. */
const MAX_PARTIES = COUNT_MASK;

const roundOf = (s: number): number => s >>> COUNT_BITS;
const countOf = (s: number): number => s & COUNT_MASK;
const stateOf = (round: number, count: number): number => ((round & 0xffff) << COUNT_BITS) | count;
/** How round `round` ended, as stored in its word: passed (tripped) or broken (a timeout, `abort()`, `reset()`, a throwing action). */
const outcome = (round: number, passed: boolean): number => ((round & 0xffff) * 2 + (passed ? 1 : 0)) + 1;

export interface BarrierOptions {
  /**
   * Run by the last party to arrive, before the others are released; if it
   * throws, the barrier breaks. To pass the barrier to other threads or
   * processes, make it a `task()` export, so whichever party is last can run it.
   */
  action?: () => unknown;
  /** Default `timeout` of `wait()`, in ms; not given or `null`: none. */
  timeout?: number | null;
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
    if (!Number.isInteger(parties) || parties < 1) throw new ArgumentError(`a Barrier needs parties >= 1, not ${String(parties)}`);
    if (parties > MAX_PARTIES) throw new ArgumentError(`a Barrier needs parties <= ${MAX_PARTIES} (the count shares a word with the round), not ${parties}`);
    checkTimeout(options.timeout);
    if (options.action !== undefined && typeof options.action !== 'function') throw new ArgumentError('action must be a function');
    this.action = options.action;
    this.extra = { parties, timeout: options.timeout ?? undefined, action: options.action === undefined ? undefined : taskRefOf(options.action) };
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

  /** Parties waiting in this round (0 while it is broken, as Python's `n_waiting`). */
  get nWaiting(): number {
    if (this.remote) return this.remote.callSync('nWaiting') as number;
    if (Atomics.load(this.state, BROKEN)) return 0;
    const s = Atomics.load(this.state, STATE);
    return this.ended(roundOf(s)) === undefined ? countOf(s) : 0;
  }

  get broken(): boolean {
    return this.remote ? (this.remote.callSync('broken') as boolean) : Atomics.load(this.state, BROKEN) === 1;
  }

  /** Waits for every party; resolves with this party's arrival index. `BrokenBarrierError` if it breaks. */
  async wait(options: WaitOptions = {}): Promise<number> {
    const until = waitDeadline(options.timeout ?? this.extra.timeout);
    if (this.remote) return this.remote.call('wait', [leftOf(until)], { signal: options.signal }) as Promise<number>;
    options.signal?.throwIfAborted();
    await this.loading;
    return runAsyncSteps(this.waitSteps(until, false), options.signal);
  }

  waitSync(options: WaitSyncOptions = {}): number {
    const until = waitDeadline(options.timeout ?? this.extra.timeout);
    if (this.remote) return this.remote.callSync('wait', [leftOf(until)]) as number;
    return runSyncSteps(this.waitSteps(until, true));
  }

  /** Breaks the barrier: waiters now and later get `BrokenBarrierError` until `reset()`. */
  abort(): void {
    if (this.remote) this.remote.callSync('abort');
    else this.abortHere();
  }

  /** Back to empty and unbroken; parties waiting now get `BrokenBarrierError`. */
  reset(): void {
    if (this.remote) this.remote.callSync('reset');
    else this.endNow(0);
  }

  /** Python's repr, without the address: `<Barrier(waiters=2/3)>`, `<Barrier(broken)>`. */
  override toString(): string {
    return this.broken ? '<Barrier(broken)>' : `<Barrier(waiters=${this.nWaiting}/${this.parties})>`;
  }

  private abortHere(): void {
    Atomics.store(this.state, BROKEN, 1);
    this.endNow(1);
  }

  /**
   * Ends the current round as broken, `broken` then set (1: `abort()`, 0: `reset()`).
   * A round whose end someone else has claimed moves on within a few instructions:
   * wait for it, then end the next one (after LIVENESS_CHECK_MS, move it on ourselves —
   * its claimer died between the claim and the move).
   */
  private endNow(broken: 0 | 1): void {
    let since: number | undefined;
    for (;;) {
      const s = Atomics.load(this.state, STATE);
      if (this.endRound(roundOf(s), false, broken)) return;
      if (roundOf(Atomics.load(this.state, STATE)) !== roundOf(s)) continue;
      since ??= performance.now();
      if (performance.now() - since > LIVENESS_CHECK_MS) {
        if (Atomics.compareExchange(this.state, STATE, s, stateOf(roundOf(s) + 1, 0)) === s) wakeWord(this.state, STATE);
        continue;
      }
      Atomics.wait(this.state, STATE, s, 1);
    }
  }

  /**
   * How the round a waiter is in ended: `true` passed, `false` broken, `undefined` not yet.
   * Its outcome word is written before the round moves on, and reused only ENDED rounds
   * later (parties beyond `parties` passing while this one was slow to wake): then it
   * passed unless some round broke since this party arrived (`breaks`, read then).
   */
  private endedFor(round: number, breaks: number): boolean | undefined {
    const passed = this.ended(round);
    if (passed !== undefined || roundOf(Atomics.load(this.state, STATE)) === round) return passed;
    return this.ended(round) ?? Atomics.load(this.state, BREAKS) === breaks;
  }

  /** How `round` ended: `true` passed, `false` broken, `undefined` not yet (or its word reused since). */
  private ended(round: number): boolean | undefined {
    const v = Atomics.load(this.state, ENDED_AT + (round % ENDED));
    return v !== 0 && (v - 1) >> 1 === round ? ((v - 1) & 1) === 1 : undefined;
  }

  /**
   * Ends `round` (passed or broken): claims its outcome word — so of a trip, a timeout,
   * an abort and a reset racing, exactly one ending counts — then sets BROKEN to `broken`
   * when given, and moves to the next round, empty. `false` if it had ended already.
   */
  private endRound(round: number, passed: boolean, broken?: 0 | 1): boolean {
    const at = ENDED_AT + (round % ENDED);
    for (;;) {
      const prev = Atomics.load(this.state, at);
      if (prev !== 0 && (prev - 1) >> 1 === round) return false;
      if (roundOf(Atomics.load(this.state, STATE)) !== round) return false; // ended, and its word reused since
      if (Atomics.compareExchange(this.state, at, prev, outcome(round, passed)) === prev) break;
    }
    if (!passed) Atomics.add(this.state, BREAKS, 1);
    if (broken !== undefined) Atomics.store(this.state, BROKEN, broken);
    for (;;) {
      const s = Atomics.load(this.state, STATE);
      if (roundOf(s) !== round) break; // moved on by endNow, its claimer presumed dead
      if (Atomics.compareExchange(this.state, STATE, s, stateOf(round + 1, 0)) === s) break;
    }
    wakeWord(this.state, STATE);
    return true;
  }

  /** Takes this party out of `round` (an aborted wait), as Python's interrupted wait does; `false` if the round is full or over. */
  private leave(round: number): boolean {
    for (;;) {
      const s = Atomics.load(this.state, STATE);
      if (roundOf(s) !== round || this.ended(round) !== undefined || countOf(s) >= this.extra.parties) return false;
      if (Atomics.compareExchange(this.state, STATE, s, s - 1) === s) return true;
    }
  }

  private *waitSteps(until: number, sync: boolean): Steps<number> {
    const { parties } = this.extra;
    // Arrive — unless the round is ending (everyone is in and the action runs, or its end is
    // claimed): then wait for the next, as Python's arrivals wait while the barrier drains.
    let round: number;
    let index: number;
    for (;;) {
      if (Atomics.load(this.state, BROKEN)) throw new BrokenBarrierError();
      const s = Atomics.load(this.state, STATE);
      round = roundOf(s);
      index = countOf(s);
      if (index < parties && this.ended(round) === undefined) {
        if (index + 1 === parties && sync && this.action === undefined && this.extra.action !== undefined) {
          throw new StateError('the barrier action is still loading in this thread; use wait() rather than waitSync() here');
        }
        if (Atomics.compareExchange(this.state, STATE, s, s + 1) === s) break;
        continue;
      }
      if (performance.now() >= until) {
        Atomics.store(this.state, BROKEN, 1);
        throw new BrokenBarrierError('the barrier broke: a party timed out waiting');
      }
      yield { i32: this.state, index: STATE, expected: s, until };
    }
    if (index + 1 === parties) {
      // The last to arrive runs the action; then the round passes, unless it was aborted or reset meanwhile.
      if (this.action !== undefined) {
        try {
          this.action();
        } catch (err) {
          Atomics.store(this.state, BROKEN, 1);
          this.endRound(round, false);
          throw err;
        }
      }
      if (this.endRound(round, true)) return index;
      throw new BrokenBarrierError();
    }
    const breaks = Atomics.load(this.state, BREAKS);
    for (;;) {
      const s = Atomics.load(this.state, STATE);
      const passed = this.endedFor(round, breaks);
      if (passed !== undefined) {
        if (passed) return index;
        throw new BrokenBarrierError();
      }
      if (performance.now() >= until) {
        // Python: a wait that times out breaks the barrier for everyone (unless the round ended first).
        if (this.endRound(round, false, 1)) throw new BrokenBarrierError('the barrier broke: a party timed out waiting');
        continue;
      }
      try {
        yield { i32: this.state, index: STATE, expected: s, until };
      } catch (err) {
        // Aborted (the signal, or a remote caller gone): leave the round. If it ended meanwhile,
        // it counts as it ended: a passed round returns the index, as a notified Condition.wait does.
        if (!this.leave(round) && this.endedFor(round, breaks) === true) return index;
        throw err;
      }
    }
  }

  protected perform(op: string, args: readonly unknown[], _owner: number, signal: AbortSignal): unknown {
    switch (op) {
      case 'wait':
        return (async () => {
          await this.loading;
          return runAsyncSteps(this.waitSteps(args[0] === undefined ? Infinity : performance.now() + (args[0] as number), false), signal);
        })();
      case 'abort':
        return this.abortHere();
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
    Primitive.registerType('@ipc/sync.Barrier', this.prototype);
  }
}
