import { Buffer } from 'node:buffer';
import type { Readable, Writable } from 'node:stream';
import { BrokenPipeError } from './errors.js';
import { decodeAll, encodeInput, StreamDecoder, type TextMode } from './_text.js';

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

  /** Everything up to the end of the stream (what `readLine` left included). Calls made together share one result. */
  read(): Promise<T> {
    this.all ??= this.paused ? this.readRest() : this.collect();
    return this.all;
  }

  /** The next line with its `\n`; the last one may lack it; `''` (or an empty Buffer) at the end. */
  async readLine(): Promise<T> {
    if (this.all !== null) return this.empty();
    for (;;) {
      if (this.mode !== null) {
        const at = this.text.indexOf('\n');
        if (at >= 0) return this.takeText(at + 1);
      } else {
        const at = this.bytes.indexOf(NL);
        if (at >= 0) return this.takeBytes(at + 1);
      }
      const chunk = await this.chunk();
      if (this.mode !== null) {
        this.decoder ??= new StreamDecoder(this.mode);
        this.text += this.decoder.push(chunk);
        if (chunk === null) return this.takeText(this.text.length);
      } else {
        if (chunk === null) return this.takeBytes(this.bytes.length);
        this.bytes = this.bytes.length === 0 ? chunk : Buffer.concat([this.bytes, chunk]);
      }
    }
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

  private takeText(n: number): T {
    const line = this.text.slice(0, n);
    this.text = this.text.slice(n);
    return line as T;
  }

  private takeBytes(n: number): T {
    const line = this.bytes.subarray(0, n);
    this.bytes = this.bytes.subarray(n);
    return line as T;
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

/**
 * The parent's end of a child's stdin (Python's `popen.stdin`). `write` waits
 * while the pipe is full; `close()` (alias `end()`) sends end-of-file.
 */
export class PopenWriter {
  readonly stream: Writable;
  private readonly mode: TextMode | null;
  private failure: Error | null = null;

  /** @internal */
  constructor(stream: Writable, mode: TextMode | null) {
    this.stream = stream;
    this.mode = mode;
    // A child that exits without reading gives EPIPE: reported by write(), never an uncaught 'error'.
    stream.on('error', (err) => (this.failure ??= err));
  }

  get closed(): boolean {
    return this.stream.writableEnded || this.stream.destroyed;
  }

  /** Writes a string (encoded in the text mode's encoding, utf-8 in bytes mode) or bytes. `BrokenPipeError` once the child has gone. */
  write(data: string | Uint8Array): Promise<void> {
    const bytes = encodeInput(this.mode, data);
    return new Promise<void>((resolve, reject) => {
      const s = this.stream;
      const broken = (cause: Error | null): BrokenPipeError => new BrokenPipeError(undefined, cause === null ? undefined : { cause });
      if (this.failure !== null || s.destroyed || s.writableEnded) return reject(broken(this.failure));
      const settle = (err?: Error | null): void => {
        s.off('drain', onDrain);
        s.off('close', onDrain);
        if (err) reject(broken(err));
        else if (s.destroyed && !s.writableFinished) reject(broken(this.failure));
        else resolve();
      };
      const onDrain = (): void => settle();
      if (s.write(bytes, (err) => err && settle(err))) return resolve();
      s.once('drain', onDrain);
      s.once('close', onDrain);
    });
  }

  /** Ends the stream; resolves once everything written has been handed to the pipe (or the child is gone). */
  close(): Promise<void> {
    const s = this.stream;
    if (s.destroyed || s.writableFinished) return Promise.resolve();
    return new Promise<void>((resolve) => {
      s.once('finish', () => resolve());
      s.once('close', () => resolve());
      s.end();
    });
  }

  end(): Promise<void> {
    return this.close();
  }
}
