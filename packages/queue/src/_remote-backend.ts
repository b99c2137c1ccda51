import { connectRemote, type RemoteObject, type ServedRef } from '@ipc/core';
import type { QueueBackend } from './_backend.js';

/** A queue whose home is another process: every operation is done there, through its broker. */
export class RemoteBackend implements QueueBackend {
  private readonly remote: RemoteObject;
  /** Puts on their way home, so `flushed()` (and process exit, through the pending I/O) waits for them. */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    readonly maxsize: number,
    private readonly ref: ServedRef,
  ) {
    this.remote = connectRemote(ref);
  }

  async put(bytes: Uint8Array, block: boolean, timeout: number | undefined, signal: AbortSignal | undefined): Promise<void> {
    const call = this.remote.call('put', [bytes, block, timeout], { signal });
    this.inFlight.add(call);
    try {
      await call;
    } finally {
      this.inFlight.delete(call);
    }
  }

  putSync(bytes: Uint8Array, block: boolean, timeout: number | undefined): void {
    this.remote.callSync('put', [bytes, block, timeout]);
  }

  async get(block: boolean, timeout: number | undefined, signal: AbortSignal | undefined): Promise<Uint8Array> {
    return (await this.remote.call('get', [block, timeout], { signal })) as Uint8Array;
  }

  getSync(block: boolean, timeout: number | undefined): Uint8Array {
    return this.remote.callSync('get', [block, timeout]) as Uint8Array;
  }

  qsize(): number {
    return this.remote.callSync('qsize') as number;
  }

  taskDone(): void {
    this.remote.callSync('taskDone');
  }

  join(timeout: number | undefined, signal: AbortSignal | undefined): Promise<boolean> {
    return this.remote.call('join', [timeout], { signal }) as Promise<boolean>;
  }

  async flushed(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  dropBuffered(): void {
    // Nothing is buffered here: a put resolves once its home has the item.
  }

  servedRef(): ServedRef {
    return this.ref;
  }

  sharedBuffers(): undefined {
    return undefined;
  }
}
