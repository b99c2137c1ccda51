import { Buffer } from 'node:buffer';
import type { Readable } from 'node:stream';
import { ArgumentError } from '@ipc/core';
import { decodeAll, StreamDecoder, type TextMode } from './_text.js';

const NL = 0x0a;
const EMPTY = Buffer.alloc(0);

/**
 * The parent's end of a child's stdout or stderr (Python's `popen.stdout`):
 * `read()` everything, `readLine()`, `readLines()`, or `for await` the lines.
 * Lines keep their `\n`, as Python's do. In text mode they are strings with
 * newlines translated; in bytes mode Buffers. The underlying Node stream is
 * `stream`; reading it directly bypasses this reader.
 */
export class PopenReader<T extends string | Buffer = string | Buffer> implements AsyncIterable<T> {
  readonly stream: Readable;
  private readonly mode: TextMode | null;
  private decoder: StreamDecoder | null = null;
  private text = '';
  private bytes: Buffer = EMPTY;
  private paused = false;
  private ended = false;
  /** The buffer holds the last of the stream. */
  private eof = false;
  /** A whole read() has returned: the next one is empty, as Python's. */
  private drained = false;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  private collected: Buffer[] | null = null;
  private all: Promise<T> | null = null;

  /** @internal */
  constructor(stream: Readable, mode: TextMode | null) {
    this.stream = stream;
    this.mode = mode;
    // Kept for the next read, never an uncaught 'error' of a stream nobody reads.
    stream.on('error', (err) => (this.failure ??= err));
  }

  /**
   * Everything up to the end of the stream (what `readLine` left included);
   * at the end, empty. Calls made together share one result. With `size`
   * (Python's `read(n)`): the next `size` bytes (characters in text mode),
   * fewer only at the end.
   */
  read(size?: number | null): Promise<T> {
    if (size !== undefined && size !== null && size >= 0) {
      if (!Number.isInteger(size)) return Promise.reject(new ArgumentError(`read() takes a whole number of ${this.mode === null ? 'bytes' : 'characters'}, got ${size}`));
      return this.readSome(size);
    }
    if (this.drained) return Promise.resolve(this.empty());
    this.all ??= (this.paused ? this.readRest() : this.collect()).then((out) => {
      this.drained = true;
      return out;
    });
    return this.all;
  }

  /** The next line with its `\n`; the last one may lack it; `''` (or an empty Buffer) at the end. */
  async readLine(): Promise<T> {
    if (this.all !== null) return this.empty();
    await this.fill(() => (this.mode !== null ? this.text.includes('\n') : this.bytes.includes(NL)));
    const at = this.mode !== null ? this.text.indexOf('\n') : this.bytes.indexOf(NL);
    return this.take(at >= 0 ? at + 1 : this.buffered());
  }

  /** The remaining lines, as Python's `readlines()`. */
  async readLines(): Promise<T[]> {
    const lines: T[] = [];
    for await (const line of this) lines.push(line);
    return lines;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const line = await this.readLine();
      if (line.length === 0) return;
      yield line;
    }
  }

  /** Stops reading and closes the parent's end (the child gets SIGPIPE if it writes on). */
  close(): void {
    this.stream.destroy();
  }

  /** Python's `closed`: after `close()`, and once the stream has been read to its end (as `communicate` does). */
  get closed(): boolean {
    return this.stream.destroyed;
  }

  /** @internal What has arrived so far through `read()`, decoded leniently: the partial output of a timeout; `null` when nothing has (Python's `None`). */
  soFar(): T | null {
    const raw = this.collected === null ? EMPTY : Buffer.concat(this.collected);
    if (raw.length === 0 && this.bytes.length === 0 && this.text.length === 0) return null;
    if (this.mode === null) return Buffer.concat([this.bytes, raw]) as T;
    return (this.text + decodeAll(this.mode, raw, false)) as T;
  }

  private empty(): T {
    return (this.mode === null ? EMPTY : '') as T;
  }

  private buffered(): number {
    return this.mode === null ? this.bytes.length : this.text.length;
  }

  private take(n: number): T {
    if (this.mode !== null) {
      const part = this.text.slice(0, n);
      this.text = this.text.slice(n);
      return part as T;
    }
    const part = this.bytes.subarray(0, n);
    this.bytes = this.bytes.subarray(n);
    return part as T;
  }

  private async readSome(n: number): Promise<T> {
    if (this.all !== null) return this.empty();
    await this.fill(() => this.buffered() >= n);
    return this.take(Math.min(n, this.buffered()));
  }

  // Chunk by chunk into the buffer until `enough()` or the end of the stream.
  private async fill(enough: () => boolean): Promise<void> {
    while (!this.eof && !enough()) {
      const chunk = await this.chunk();
      if (chunk === null) this.eof = true;
      if (this.mode !== null) {
        this.decoder ??= new StreamDecoder(this.mode);
        this.text += this.decoder.push(chunk);
      } else if (chunk !== null) this.bytes = this.bytes.length === 0 ? chunk : Buffer.concat([this.bytes, chunk]);
    }
  }

  // Fast path: nobody read line by line, so the stream flows straight into a list of chunks.
  private collect(): Promise<T> {
    const chunks: Buffer[] = (this.collected = []);
    const s = this.stream;
    return new Promise<T>((resolve, reject) => {
      let finished = false;
      const done = (): void => {
        if (finished) return;
        finished = true;
        s.off('data', onData);
        s.off('end', done);
        s.off('close', done);
        s.off('error', onError);
        const raw = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
        let out: T;
        try {
          out = (this.mode === null ? raw : decodeAll(this.mode, raw)) as T;
        } catch (err) {
          return onError(err as Error);
        }
        resolve(out);
      };
      const onData = (c: Buffer): void => void chunks.push(c);
      function onError(err: Error): void {
        s.off('data', onData);
        reject(err);
      }
      s.on('data', onData);
      s.once('end', done);
      s.once('close', done);
      s.once('error', onError);
      if (s.readableEnded || s.destroyed) done();
    });
  }

  private async readRest(): Promise<T> {
    const chunks: Buffer[] = (this.collected = []);
    for (let c = await this.chunk(); c !== null; c = await this.chunk()) chunks.push(c);
    const raw = Buffer.concat(chunks);
    if (this.mode === null) {
      const out = Buffer.concat([this.bytes, raw]);
      this.bytes = EMPTY;
      return out as T;
    }
    this.decoder ??= new StreamDecoder(this.mode);
    const out = this.text + this.decoder.push(raw) + this.decoder.push(null);
    this.text = '';
    return out as T;
  }

  // Paused mode: one chunk at a time, so an unread pipe fills and the child waits (back-pressure, as in Python).
  private async chunk(): Promise<Buffer | null> {
    if (!this.paused) this.pause();
    for (;;) {
      if (this.failure !== null) throw this.failure;
      const c = this.stream.read() as Buffer | null;
      if (c !== null) return c;
      if (this.ended) return null;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private pause(): void {
    this.paused = true;
    const wake = (): void => {
      const w = this.wake;
      this.wake = null;
      w?.();
    };
    const end = (): void => {
      this.ended = true;
      wake();
    };
    this.stream.on('readable', wake);
    this.stream.once('end', end);
    this.stream.once('close', end);
    this.stream.once('error', wake);
    if (this.stream.readableEnded || this.stream.destroyed) this.ended = true;
  }
}
