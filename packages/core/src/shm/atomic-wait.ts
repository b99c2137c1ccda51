/**
 * Waiting on one word of shared memory: spin briefly, then block
 * (`Atomics.wait`) or wait asynchronously (`Atomics.waitAsync`).
 *
 * Why the extras around `Atomics.waitAsync`: on Node a pending `waitAsync`
 * neither keeps the event loop alive nor fires its timeout in an otherwise
 * idle loop, so an `await` on it could end the process in the middle of a
 * wait. A referenced timer stands beside every async wait.
 */
import { ArgumentError } from '../errors.js';
import { MAX_TIMER } from '../_timers.js';
import { localWaitsOf, wakeLocal } from './local-waits.js';

export type WaitResult = 'ok' | 'not-equal' | 'timed-out';

export interface WaitOptions {
  /** Milliseconds; `undefined`, `null` (Python's `None`) or `Infinity` waits for ever. */
  timeout?: number | null;
  /** Aborting rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Watch the word for a few rounds before waiting (default true). False looks once: for a wait whose
   * answer can only come from this thread's own event loop (a pipe served here to another process),
   * where watching only holds up the loop that must make the change.
   */
  spin?: boolean;
}

/**
 * How long to watch the word before blocking. A futex sleep and wake-up costs
 * ~30–50 µs on a small VM, and a peer thread usually answers sooner: a round
 * trip of a small value (encode, copy, decode, and back) takes ~15 µs. So the
 * watch is bounded in time rather than in rounds (rounds run at different
 * speeds on different machines): at most SPIN_US, then sleep.
 */
const SPIN = 2000;
const SPIN_US = 25;

/**
 * Checks a timeout the way every waiting call of @ipc does: a non-negative number or Infinity;
 * not given, or `null` (a porter's `timeout=None`), waits for ever.
 */
export function checkTimeout(timeout: number | null | undefined, what = 'timeout'): number {
  if (timeout == null) return Infinity;
  if (typeof timeout !== 'number' || Number.isNaN(timeout)) throw new ArgumentError(`${what} must be a number of milliseconds, not ${String(timeout)}`);
  if (timeout < 0) throw new ArgumentError(`${what} must not be negative (got ${timeout})`);
  return timeout;
}

/**
 * A timeout of a wait that Python lets run out at once (`poll(-1)`, `wait(fs, -1)`,
 * `result(-1)`): a negative one has already passed, so it is 0 — a deadline computed as
 * `end - now()` may well be below zero. Not given or null → Infinity; NaN or not a number → ArgumentError.
 */
export function passedTimeout(timeout: number | null | undefined, what = 'timeout'): number {
  if (typeof timeout === 'number' && timeout < 0) return 0;
  return checkTimeout(timeout, what);
}

/**
 * Watches the word (never longer than the wait's own timeout: a zero timeout
 * looks once). A blocking wait watches up to SPIN_US; a wait of the event
 * loop only the quick rounds — the loop it would hold may be the one that
 * must serve the answer (a broker call from another process).
 */
function spin(i32: Int32Array, index: number, expected: number, timeout: number, blocking: boolean): boolean {
  if (timeout <= 0) return Atomics.load(i32, index) !== expected;
  for (let i = 0; i < SPIN; i++) if (Atomics.load(i32, index) !== expected) return true;
  if (!blocking) return false;
  // Still the same after the quick rounds: watch on, by the clock, up to SPIN_US in all.
  const until = performance.now() + Math.min(SPIN_US / 1000, timeout);
  while (performance.now() < until) {
    for (let i = 0; i < 64; i++) if (Atomics.load(i32, index) !== expected) return true;
  }
  return false;
}

/** Blocks the thread until the word at `index` is woken or differs from `expected`, or `timeout` ms pass. */
export function waitWordSync(i32: Int32Array, index: number, expected: number, timeout = Infinity): WaitResult {
  if (spin(i32, index, expected, timeout, true)) return 'not-equal';
  return Atomics.wait(i32, index, expected, timeout);
}

/** As `waitWordSync`, without blocking the thread. Keeps the process alive while it waits. */
export function waitWord(i32: Int32Array, index: number, expected: number, options: WaitOptions = {}): Promise<WaitResult> {
  const { signal } = options;
  const timeout = options.timeout ?? Infinity;
  if (signal?.aborted) return Promise.reject(signal.reason as Error);
  if (options.spin === false ? Atomics.load(i32, index) !== expected : spin(i32, index, expected, timeout, false)) return Promise.resolve('not-equal');
  const waited = Atomics.waitAsync(i32, index, expected, timeout);
  if (!waited.async) return Promise.resolve(waited.value);
  return new Promise<WaitResult>((resolve, reject) => {
    let settled = false;
    // Cleared by a local wake-up, which an `Atomics.notify` of every waiter follows: nothing to pass on then.
    let passOn = true;
    let timer: NodeJS.Timeout | undefined;
    const end = performance.now() + timeout;
    const keepAlive = (): void => {
      // Re-armed until the wait ends; with a finite timeout it also ends the wait on an idle loop (past a timer's range: re-armed).
      const left = end - performance.now();
      timer = setTimeout(() => {
        if (timeout !== Infinity && end - performance.now() <= 0) finish('timed-out');
        else keepAlive();
      }, Math.min(timeout === Infinity ? MAX_TIMER : Math.max(0, left) + 1, MAX_TIMER));
    };
    const onAbort = (): void => {
      if (settled) return;
      settled = true;
      cleanup();
      reject(signal?.reason as Error);
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      local.delete(wake);
      signal?.removeEventListener('abort', onAbort);
    };
    const finish = (value: WaitResult): void => {
      if (settled) {
        // A wake-up that reached a wait already given up on (or woken here) goes on to the next waiter, so none is lost.
        if (value === 'ok' && passOn) Atomics.notify(i32, index, 1);
        return;
      }
      settled = true;
      cleanup();
      resolve(value);
    };
    const wake = (): void => {
      passOn = false;
      finish('ok');
    };
    const local = localWaitsOf(i32, index);
    local.add(wake);
    keepAlive();
    signal?.addEventListener('abort', onAbort, { once: true });
    void waited.value.then(finish);
  });
}

/**
 * Wakes up to `count` waiters of the word (all by default): this thread's own async waits at once,
 * then the others through `Atomics.notify`. Where it woke a wait here, that notify wakes every waiter
 * of the word: the wait leaves its V8 waiter behind, which a notify of fewer could reach instead of
 * a waiter of another thread — lost until this thread's loop turned to pass it on. Waiters look
 * again once woken, so more than `count` may wake. How many it woke.
 */
export function wakeWord(i32: Int32Array, index: number, count = Infinity): number {
  const here = wakeLocal(i32, index, count);
  return here + Atomics.notify(i32, index, here > 0 ? Infinity : count);
}
