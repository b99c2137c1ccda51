/**
 * Many items as one byte string, for the trips between a process and the
 * queue's home: each item a 4-byte length, then its bytes. Why: the broker's
 * wire serializes every Uint8Array of a message on its own (~1 µs each, more
 * than a small item's own cost); a batch packed into one costs one copy.
 */
const LENGTH_BYTES = 4;

/** Gathers items into one growing buffer; `take()` hands out what it holds and starts again. */
export class Packer {
  private buf = new Uint8Array(4096);
  private view = new DataView(this.buf.buffer);
  private used = 0;
  /** Items pushed since the last `take()`. */
  count = 0;

  /** Bytes pushed since the last `take()`, lengths included. */
  get byteLength(): number {
    return this.used;
  }

  push(bytes: Uint8Array): void {
    const need = this.used + LENGTH_BYTES + bytes.byteLength;
    if (need > this.buf.byteLength) this.grow(need);
    this.view.setUint32(this.used, bytes.byteLength, true);
    this.buf.set(bytes, this.used + LENGTH_BYTES);
    this.used = need;
    this.count++;
  }

  /** The packed items (a copy of exactly their bytes), and an empty packer again. */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.used);
    this.used = 0;
    this.count = 0;
    return out;
  }

  private grow(need: number): void {
    let size = this.buf.byteLength * 2;
    while (size < need) size *= 2;
    const bigger = new Uint8Array(size);
    bigger.set(this.buf.subarray(0, this.used));
    this.buf = bigger;
    this.view = new DataView(bigger.buffer);
  }
}

export function pack(items: readonly Uint8Array[]): Uint8Array {
  const packer = new Packer();
  for (const bytes of items) packer.push(bytes);
  return packer.take();
}

/** The items of a packed string, in order: views into it, not copies. Throws on a string that is not one. */
export function unpack(packed: Uint8Array): Uint8Array[] {
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  const items: Uint8Array[] = [];
  for (let at = 0; at < packed.byteLength; ) {
    if (at + LENGTH_BYTES > packed.byteLength) throw new RangeError('a packed batch of items is cut short');
    const size = view.getUint32(at, true);
    at += LENGTH_BYTES;
    if (at + size > packed.byteLength) throw new RangeError('a packed batch of items is cut short');
    items.push(packed.subarray(at, at + size));
    at += size;
  }
  return items;
}
