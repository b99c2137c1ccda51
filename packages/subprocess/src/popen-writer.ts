import { Buffer } from 'node:buffer';
import type { Writable } from 'node:stream';
import { BrokenPipeError } from './errors.js';
import { inputEncoder, toBytes, type TextMode } from './_text.js';
import type { Encode } from './_codec-base.js';

const EMPTY = Buffer.alloc(0);

/**
 * The parent's end of a child's stdin (Python's `popen.stdin`). `write` waits
 * while the pipe is full; `flush()` waits for what Node still queues;
 * `close()` (alias `end()`) sends end-of-file.
 */
export class PopenWriter {
  readonly stream: Writable;
  // One encoder for the whole stream, so that a BOM (utf-16, utf-32) is written once.
  private readonly encode: Encode;
  private failure: Error | null = null;

  /** @internal */
  constructor(stream: Writable, mode: TextMode | null) {
    this.stream = stream;
    this.encode = inputEncoder(mode);
    // A child that exits without reading gives EPIPE: reported by write(), never an uncaught 'error'.
    stream.on('error', (err) => (this.failure ??= err));
  }

  get closed(): boolean {
    return this.stream.writableEnded || this.stream.destroyed;
  }

  /** Writes a string (encoded in the text mode's encoding, utf-8 in bytes mode) or bytes. `BrokenPipeError` once the child has gone. */
  write(data: string | Uint8Array): Promise<void> {
    let bytes: Buffer;
    try {
      bytes = toBytes(data, this.encode);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
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

  /** @internal Data as this stdin would write it (for `communicate`, which encodes its input before anything starts, as Python's). */
  bytesOf(data: string | Uint8Array): Buffer {
    return toBytes(data, this.encode);
  }

  /**
   * Resolves once everything written so far has been handed to the pipe
   * (Python's `flush()`; nothing is held back in a buffer here, so a line
   * written reaches the child without it). `BrokenPipeError` once the child has gone.
   */
  flush(): Promise<void> {
    const s = this.stream;
    if (this.failure !== null || s.destroyed || s.writableEnded) return Promise.reject(new BrokenPipeError(undefined, this.failure === null ? undefined : { cause: this.failure }));
    if (s.writableLength === 0) return Promise.resolve();
    // Writes complete in order: the callback of an empty one comes after all those before it.
    return new Promise<void>((resolve, reject) => s.write(EMPTY, (err) => (err ? reject(new BrokenPipeError(undefined, { cause: err })) : resolve())));
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
