/**
 * Python's `Process.sentinel`: something that becomes ready, once and for
 * good, when a process ends — so that one `wait()` (@ipc/pipe) can watch
 * connections and processes together. Python gives a file descriptor; here
 * it is an object that says whether it is ready and resolves when it is.
 */
export class Sentinel {
  private isReady = false;
  private readonly readyPromise: Promise<void>;

  /** @internal Made by `Process` from the promise of its end. */
  constructor(
    ended: Promise<void>,
    private readonly check: () => boolean,
    /** Keeps the program alive while a wait is under way (a daemon child alone does not); returns the release. */
    private readonly holdOpen: () => () => void = () => () => undefined,
  ) {
    this.readyPromise = ended.then(() => {
      this.isReady = true;
    });
  }

  /** Whether what it watches has ended. */
  get ready(): boolean {
    if (!this.isReady && this.check()) this.isReady = true;
    return this.isReady;
  }

  /** Resolves once ready; rejects with the signal's reason if it is aborted first. */
  whenReady(options: { signal?: AbortSignal } = {}): Promise<void> {
    const { signal } = options;
    if (this.ready) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    const release = this.holdOpen();
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        release();
        reject(signal!.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      void this.readyPromise.then(() => {
        signal?.removeEventListener('abort', onAbort);
        release();
        resolve();
      });
    });
  }

  toString(): string {
    return `<Sentinel ${this.ready ? 'ready' : 'waiting'}>`;
  }
}
