import { IpcError } from './errors.js';

/**
 * Length-prefixed frames over a byte stream, in the format of Python's
 * `multiprocessing.connection`: a 4-byte big-endian signed length, or, for a
 * frame of 2 GiB and more, -1 followed by an 8-byte big-endian length. One
 * format everywhere lets a Python program be a peer of any stream we speak.
 */
export const LARGE_FRAME = 0x7fffffff;

/** The largest frame a decoder accepts unless told otherwise (Python has no limit; we need one against hostile peers). */
export const DEFAULT_MAX_FRAME = 512 * 1024 * 1024;

export class FrameTooLargeError extends IpcError {
  readonly size: number;
  readonly limit: number;
  constructor(size: number, limit: number) {
    super(`a frame of ${size} bytes is larger than the limit of ${limit} bytes`, 'ERR_IPC_FRAME_TOO_LARGE');
    this.size = size;
    this.limit = limit;
  }
}

export function frameHeader(length: number): Buffer {
  if (length < LARGE_FRAME) {
    const h = Buffer.allocUnsafe(4);
    h.writeInt32BE(length, 0);
    return h;
  }
  const h = Buffer.allocUnsafe(12);
  h.writeInt32BE(-1, 0);
  h.writeBigUInt64BE(BigInt(length), 4);
  return h;
}

/** Turns a byte stream back into frames; chunks may split or join frames anywhere. */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private need = -1;
  private headerSize = 4;

  constructor(readonly maxFrame = DEFAULT_MAX_FRAME) {}

  /** Bytes held that do not yet make a whole frame (for a truncated-frame error at EOF). */
  get pending(): number {
    return this.buffered;
  }

  /** Feeds bytes; returns every frame they complete. Throws FrameTooLargeError on a length over the limit. */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    for (;;) {
      if (this.need < 0) {
        if (this.buffered < this.headerSize) return out;
        const head = this.peek(this.headerSize);
        const n = head.readInt32BE(0);
        if (n === -1 && this.headerSize === 4) {
          this.headerSize = 12;
          continue;
        }
        const size = this.headerSize === 12 ? Number(head.readBigUInt64BE(4)) : n;
        if (size < 0) throw new IpcError(`a frame header gives a negative length (${size})`, 'ERR_IPC_BAD_FRAME');
        if (size > this.maxFrame) throw new FrameTooLargeError(size, this.maxFrame);
        this.take(this.headerSize);
        this.headerSize = 4;
        this.need = size;
      }
      if (this.buffered < this.need) return out;
      out.push(this.take(this.need));
      this.need = -1;
    }
  }

  private peek(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n) return first.subarray(0, n);
    return Buffer.concat(this.chunks).subarray(0, n);
  }

  private take(n: number): Buffer {
    // An empty frame may come when nothing else is buffered.
    if (n === 0) return Buffer.alloc(0);
    this.buffered -= n;
    const first = this.chunks[0]!;
    if (first.length === n) {
      this.chunks.shift();
      return first;
    }
    if (first.length > n) {
      this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let off = 0;
    while (off < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length, n - off);
      c.copy(out, off, 0, k);
      off += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    return out;
  }
}
