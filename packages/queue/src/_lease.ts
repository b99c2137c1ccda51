/**
 * What a remote consumer holds of the items its home sent it in one trip,
 * and how many it asks for next time. Why it adapts: a trip home costs
 * ~100 µs, so a consumer that hands items out fast should take many at once;
 * but items held here are items other consumers cannot have, so one that is
 * slow (real work between its gets) should take few — and while a lease is
 * out, nobody else takes (`_lease-home.ts`). The next size is what this
 * consumer handed out in about `LEASE_MS` at its last pace; the first is one.
 */
const FIRST_SIZE = 1;
const MAX_SIZE = 1024;
const LEASE_MS = 2;

export class Lease {
  private items: Uint8Array[] = [];
  private next = 0;
  private openedAt = 0;
  /** How many items the next trip asks for. */
  private size = FIRST_SIZE;

  /** Items of the batch handed out so far. */
  get handed(): number {
    return this.next;
  }

  /** Items received and not handed out yet. */
  get left(): number {
    return this.items.length - this.next;
  }

  /** The next item of the batch, or undefined once all are handed out. */
  shift(): Uint8Array | undefined {
    if (this.next >= this.items.length) return undefined;
    const item = this.items[this.next]!;
    this.items[this.next++] = EMPTY; // let it be collected
    return item;
  }

  /** How many to ask for now (every item of the last batch handed out): from how fast the last went. */
  wanted(): number {
    if (this.items.length > 0) {
      const ms = Math.max(performance.now() - this.openedAt, 0.001);
      const pace = this.items.length / ms;
      this.size = Math.max(1, Math.min(MAX_SIZE, Math.round(pace * LEASE_MS)));
      this.items = []; // measured once: a get that comes back empty-handed must not count again
      this.next = 0;
    }
    return this.size;
  }

  /** A new batch arrived: its first item is handed out now. */
  open(items: Uint8Array[]): Uint8Array {
    this.items = items;
    this.next = 0;
    this.openedAt = performance.now();
    return this.shift()!;
  }

  /** Hands out no more: what was not handed out is dropped (its home gives it back); the next size still counts what was. */
  stop(): void {
    this.items.length = this.next;
  }
}

const EMPTY = new Uint8Array(0);
