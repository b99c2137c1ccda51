/**
 * Who holds each end of a pipe: a table in shared memory of [holder, end,
 * count, stamp] rows. A holder is a heap id — a thread of this process, or a
 * remote process as the broker sees it — or, for an end on its way to a
 * process not started yet, a negative ticket that the new holder claims.
 * EOF comes once no live holder of the other end is left, as with a socket
 * whose every duplicate was closed.
 */
import { RobustMutex, StateError, heapDeaths, isHeapAlive } from '@ipc/core';

const ROWS = 64;
const ROW = 4;
const NEXT_TICKET = ROWS * ROW;
/** Bumped on every change of the table, so a reader of it can keep its last answer while nothing changed. */
const VERSION = NEXT_TICKET + 1;
/** A mutex: a move through a lane (see _lanes.ts) and a new holder of an end never happen at once. */
const LANE_LOCK = NEXT_TICKET + 2;
/** The last claims, [ticket, holder] pairs in a circle, with the count of claims ever written first. */
const CLAIMS = LANE_LOCK + RobustMutex.WORDS;
const CLAIM_SLOTS = 32;
export const HOLDER_WORDS = CLAIMS + 1 + CLAIM_SLOTS * 2;
/** How long an answer of `gone()` stands while the table is unchanged: a holder's death changes no word here. */
const LIVENESS_RECHECK_MS = 20;
/** An end on its way to a new holder counts for this long, at most, unless claimed. */
const TICKET_SECONDS = 120;

export class Holders {
  readonly laneLock: RobustMutex;

  constructor(readonly table: Int32Array) {
    this.laneLock = new RobustMutex(table, LANE_LOCK);
  }

  static create(): Holders {
    return new Holders(new Int32Array(new SharedArrayBuffer(HOLDER_WORDS * 4)));
  }

  add(holder: number, end: number, delta: number): void {
    try {
      this.change(holder, end, delta);
    } finally {
      // After the change: a reader that saw the new version also sees the new rows.
      this.touch();
    }
  }

  private change(holder: number, end: number, delta: number): void {
    const t = this.table;
    for (let r = 0; r < ROWS; r++) {
      const at = r * ROW;
      if (Atomics.load(t, at) === holder && Atomics.load(t, at + 1) === end) {
        const left = Atomics.add(t, at + 2, delta) + delta;
        if (left <= 0) Atomics.compareExchange(t, at, holder, 0);
        return;
      }
    }
    if (delta <= 0) return;
    for (let r = 0; r < ROWS; r++) {
      const at = r * ROW;
      if (Atomics.compareExchange(t, at, 0, holder) !== 0) continue;
      Atomics.store(t, at + 1, end);
      Atomics.store(t, at + 2, delta);
      Atomics.store(t, at + 3, Math.floor(Date.now() / 1000) | 0);
      return;
    }
    throw new StateError(`more than ${ROWS} holders of one pipe`);
  }

  /** Tells every reader of the table to look again (a holder has died). */
  touch(): void {
    Atomics.add(this.table, VERSION, 1);
  }

  /**
   * A cheap `!held(end)` for every send and wait: it looks at the rows again only when the
   * table changed, a thread of this process died, or its last look is older than
   * LIVENESS_RECHECK_MS. Called with `often` (on every send), it reads the clock only one
   * call in 32: a clock read costs ~40 ns, a fifth of a small send — and a holder that
   * closes its end, or a thread that dies, is seen at once without it.
   */
  goneCheck(end: number): (often?: boolean) => boolean {
    let version = -1;
    let deaths = -1;
    let at = 0;
    let gone = false;
    let calls = 0;
    return (often = false) => {
      const v = Atomics.load(this.table, VERSION);
      const d = heapDeaths();
      if (v === version && d === deaths && often && (++calls & 31) !== 0) return gone;
      const now = performance.now();
      if (v !== version || d !== deaths || now - at > LIVENESS_RECHECK_MS) {
        version = v;
        deaths = d;
        at = now;
        gone = !this.held(end);
      }
      return gone;
    };
  }

  /** A ticket for an end about to cross to a heap that does not exist yet. */
  reserve(end: number): number {
    const ticket = -(Atomics.add(this.table, NEXT_TICKET, 1) + 1);
    this.add(ticket, end, 1);
    return ticket;
  }

  /** The new holder takes over the ticket's count. */
  claim(ticket: number, holder: number, end: number): void {
    const slot = CLAIMS + 1 + (Atomics.add(this.table, CLAIMS, 1) % CLAIM_SLOTS) * 2;
    Atomics.store(this.table, slot + 1, holder);
    Atomics.store(this.table, slot, ticket);
    this.add(holder, end, 1);
    this.add(ticket, end, -1);
  }

  /**
   * The one heap that holds `end`, when exactly one live holder does (however many times) and no
   * ticket of it is on its way anywhere; otherwise undefined.
   */
  soleHolder(end: number): number | undefined {
    const live = this.holdersOf(end);
    return live.length === 1 && live[0]! > 0 ? live[0] : undefined;
  }

  /** Who claimed `ticket`, while it is among the last claims; undefined otherwise (or not yet claimed). */
  claimedBy(ticket: number): number | undefined {
    for (let i = 0; i < CLAIM_SLOTS; i++) {
      const slot = CLAIMS + 1 + i * 2;
      if (Atomics.load(this.table, slot) === ticket) return Atomics.load(this.table, slot + 1);
    }
    return undefined;
  }

  /** The live holders of `end`: heap ids, and tickets (negative) of it on their way. */
  holdersOf(end: number): number[] {
    const out: number[] = [];
    const now = Math.floor(Date.now() / 1000);
    for (let at = 0; at < ROWS * ROW; at += ROW) if (this.liveRow(at, end, now)) out.push(Atomics.load(this.table, at));
    return out;
  }

  /** Whether any holder of `end` is left: alive, or a ticket not yet expired. */
  held(end: number): boolean {
    const now = Math.floor(Date.now() / 1000);
    for (let at = 0; at < ROWS * ROW; at += ROW) if (this.liveRow(at, end, now)) return true;
    return false;
  }

  /**
   * Whether the row at `at` is a live holder of `end`: a heap that is alive, or a ticket that still
   * counts (an end on its way counts TICKET_SECONDS at most, unless claimed).
   */
  private liveRow(at: number, end: number, now: number): boolean {
    const t = this.table;
    const holder = Atomics.load(t, at);
    if (holder === 0 || Atomics.load(t, at + 1) !== end || Atomics.load(t, at + 2) <= 0) return false;
    return holder < 0 ? now - Atomics.load(t, at + 3) < TICKET_SECONDS : isHeapAlive(holder);
  }
}
