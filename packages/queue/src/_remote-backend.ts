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

  /**
   * A plain put (blocking, no timeout, no signal) joins the batch of this
   * tick: the puts of one tick travel home as one call, and each resolves
   * when its home has them all. One batch is on its way at a time, so the
   * items arrive in the order they were put.
   */
  put(bytes: Uint8Array, block: boolean, timeout: number | undefined, signal: AbortSignal | undefined): Promise<void> {
    if (block && timeout === undefined && signal === undefined) return this.batched(own(bytes));
    // Any other put waits for the batches before it, then goes alone.
    return this.track(this.settledBefore().then(() => this.remote.call('put', [own(bytes), block, timeout], { signal })));
  }

  private batch: Uint8Array[] | undefined;
  private batchDone: Promise<unknown> | undefined;
  /** The last call of this holder's puts: the next batch leaves once it settles. */
  private last: Promise<unknown> = Promise.resolve();

  private batched(bytes: Uint8Array): Promise<void> {
    if (this.batch === undefined) {
      const items: Uint8Array[] = [];
      this.batch = items;
      this.batchDone = this.track(
        this.settledBefore().then(() => {
          this.batch = undefined; // puts from now on make the next batch
          return items.length === 1 ? this.remote.call('put', [items[0], true, undefined]) : this.remote.call('putMany', [items]);
        }),
      );
    }
    this.batch.push(bytes);
    return this.batchDone as Promise<void>;
  }

  private settledBefore(): Promise<void> {
    const before = this.last;
    return before.then(
      () => undefined,
      () => undefined,
    );
  }

  private track(call: Promise<unknown>): Promise<void> {
    this.last = call;
    this.inFlight.add(call);
    const done = call.then(() => undefined);
    void call.finally(() => this.inFlight.delete(call)).catch(() => undefined);
    return done;
  }

  putSync(bytes: Uint8Array, block: boolean, timeout: number | undefined): void {
    this.remote.callSync('put', [own(bytes), block, timeout]);
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

/** The bytes alone: a view into a larger (pooled) buffer would carry the whole buffer across. */
function own(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}
