import { acknowledged, type Acknowledged } from '@ipc/core';
import type { SharedBackend } from './_shared-backend.js';
import { pack } from './_packed.js';
import { deadline, waitInLine } from './_waits.js';
import { Empty } from './errors.js';

/** A lease out: the items one remote consumer took in one trip, kept here until it says how many it handed out. */
interface Out {
  readonly heap: number;
  readonly lease: number;
  readonly grant: number;
  /** The gate's value while it is out (`SharedBackend.openLease`). */
  readonly gate: number;
  readonly items: Uint8Array[];
  /** Asked back: the holder's watch is answered `true` (now, or when it comes). */
  revoked: boolean;
}

/** Who asks: a remote consumer (by heap) and its lease, and the number of this trip. */
export interface Borrower {
  readonly heap: number;
  readonly lease: number;
  readonly grant: number;
}

/**
 * The home's side of remote consumers' leases. Why: a consumer in another
 * process takes many items in one trip and hands them out one by one; what
 * it has not handed out when it stops goes back to the front of the queue.
 * That keeps each producer's order only if nobody took an item behind the
 * lease meanwhile. So one lease is out at a time and, while it is, nobody
 * takes (the gate of `SharedBackend`); a consumer that wants an item then
 * makes the lease's home revoke it: the holder stops handing out and says how
 * many it handed out (its `watchLease` call is answered), the rest goes back
 * to the front, and the gate opens.
 */
export class LeaseHome {
  private out: Out | undefined;
  /** Each holder's open `watchLease` call (by heap and lease), kept open across its leases until answered. */
  private readonly watchers = new Map<string, (revoke: boolean) => void>();
  /** Remote gets waiting here are served in the order they came. */
  private line: Promise<void> = Promise.resolve();

  constructor(private readonly queue: SharedBackend) {}

  /**
   * A trip of a remote consumer: the first item as a get (waiting for one),
   * then whatever else is there now, up to `max`. The reply is acknowledged:
   * undelivered, the whole lease goes back; a lease of one item ends when it
   * is delivered, a bigger one when its holder reports.
   */
  async lend(who: Borrower, max: number, block: boolean, timeout: number | undefined, signal: AbortSignal, packed: boolean): Promise<Acknowledged<Uint8Array>> {
    const until = deadline(block, timeout);
    const before = this.line;
    let done!: () => void;
    this.line = new Promise<void>((resolve) => (done = resolve));
    try {
      await waitInLine(before, until, signal, () => new Empty());
      for (;;) {
        if (signal.aborted) throw signal.reason;
        const gate = this.queue.gate();
        if (gate < 0) {
          // Another lease is out: revoke it (ours) or ask its home to, and wait for it to end.
          const mine = this.out;
          if (mine !== undefined && mine.gate === gate) this.revoke(mine);
          else if (this.queue.wantLease() >= 0) continue;
          await this.queue.gateMoved(gate, until, signal);
          continue;
        }
        if (!this.queue.hasItem()) {
          await this.queue.itemCame(until, signal);
          continue;
        }
        const opened = this.queue.openLease();
        if (opened === undefined) {
          // Threads in the middle of a take (a moment), or another home's lease just opened.
          await new Promise<void>((resolve) => setImmediate(resolve));
          continue;
        }
        const items = this.queue.takeLeased(max);
        if (items.length === 0) {
          this.queue.closeLease(opened.gate);
          continue;
        }
        return this.give(who, opened, items, packed);
      }
    } finally {
      done();
    }
  }

  private give(who: Borrower, opened: { gate: number; want: number }, items: Uint8Array[], packed: boolean): Acknowledged<Uint8Array> {
    const out: Out = { heap: who.heap, lease: who.lease, grant: who.grant, gate: opened.gate, items, revoked: false };
    this.out = out;
    // A taker of this process that wants an item from now on makes this lease come back.
    this.queue.wanted(
      opened.want,
      () => this.out === out,
      () => this.revoke(out),
    );
    return acknowledged(
      packed ? pack(items) : items[0]!,
      () => this.end(out, 0),
      () => {
        if (items.length === 1) this.end(out, 1);
      },
    );
  }

  /**
   * The holder's long poll: answered `true` when its lease out is wanted back
   * (at once if it already is), `false` when the call is given up.
   */
  watch(heap: number, lease: number, signal: AbortSignal): boolean | Promise<boolean> {
    const out = this.out;
    if (out !== undefined && out.heap === heap && out.lease === lease && out.revoked) return true;
    const key = `${heap}:${lease}`;
    this.watchers.get(key)?.(false);
    return new Promise<boolean>((resolve) => {
      const answer = (revoke: boolean): void => {
        if (this.watchers.get(key) === answer) this.watchers.delete(key);
        signal.removeEventListener('abort', onAbort);
        resolve(revoke);
      };
      const onAbort = (): void => answer(false);
      this.watchers.set(key, answer);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The holder handed out `handed` items of the lease (and no more will): the rest goes back to the front. */
  release(who: Borrower, handed: number): void {
    const out = this.find(who);
    if (out !== undefined) this.end(out, handed);
  }

  /** The holder went away: its whole lease goes back (it may have handed some out: at-least-once). */
  gone(heap: number): void {
    const out = this.out;
    if (out !== undefined && out.heap === heap) this.end(out, 0);
  }

  private find(who: Borrower): Out | undefined {
    const out = this.out;
    return out !== undefined && out.heap === who.heap && out.lease === who.lease && out.grant === who.grant ? out : undefined;
  }

  private revoke(out: Out): void {
    if (out.revoked || this.out !== out) return;
    out.revoked = true;
    // A lease of one item ends when it is delivered; a bigger one when its holder hears this (now, or when its watch comes).
    if (out.items.length > 1) this.watchers.get(`${out.heap}:${out.lease}`)?.(true);
  }

  private end(out: Out, handed: number): void {
    if (this.out !== out) return;
    this.out = undefined;
    const from = Math.max(0, Math.min(out.items.length, Math.trunc(handed) || 0));
    // Nobody took an item behind the lease: what it did not hand out keeps its place, at the front.
    this.queue.giveBack(out.items.slice(from));
    this.queue.closeLease(out.gate);
  }
}
