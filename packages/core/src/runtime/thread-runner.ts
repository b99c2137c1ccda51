import { Worker } from 'node:worker_threads';
import type { TransferListItem } from 'node:worker_threads';
import { heapDataForWorker, markHeapDead, HEAP_ID_KEY } from '../heap-registry.js';
import type { ChildMessage, ChildRunner, ExitInfo, StartSpec } from './runner.js';

const WORKER_URL = new URL('./worker.js', import.meta.url);

/** A child in a worker thread of this OS process. */
export class ThreadRunner implements ChildRunner {
  readonly kind = 'thread' as const;
  readonly pid = process.pid;
  private readonly worker: Worker;
  private pendingSignal: NodeJS.Signals | null = null;
  private exited = false;
  private readonly startedThreadId: number;

  constructor(spec: StartSpec, transfer: TransferListItem[]) {
    const heap = heapDataForWorker();
    // execArgv is inherited from this thread by default, so loaders (tsx, ts-node) work in the child too.
    this.worker = new Worker(WORKER_URL, { workerData: { spec, ...heap }, transferList: transfer, name: spec.name });
    this.startedThreadId = this.worker.threadId;
    const childHeap = heap[HEAP_ID_KEY];
    this.worker.once('exit', () => {
      this.exited = true;
      markHeapDead(childHeap);
    });
  }

  /** Read once at start: a Worker reports -1 after it exits. */
  get threadId(): number {
    return this.startedThreadId;
  }

  onMessage(listener: (msg: ChildMessage) => void): void {
    this.worker.on('message', listener);
  }

  onExit(listener: (info: ExitInfo) => void): void {
    this.worker.once('exit', (code) => {
      // A terminated worker reports 1; report it as the signal asked, as a process would. An exit
      // code is kept to its low 8 bits, as the OS keeps a process's: process.exit(256) → 0, exit(-1) → 255
      // in both contexts (a negative exitCode means a signal).
      listener(this.pendingSignal !== null ? { code: null, signal: this.pendingSignal } : { code: code & 0xff, signal: null });
    });
    // A worker that fails to start (bad execArgv, unloadable bootstrap) emits 'error' and then 'exit'.
    this.worker.on('error', () => undefined);
  }

  signal(sig: 'SIGTERM' | 'SIGKILL'): void {
    if (this.exited) return;
    this.pendingSignal ??= sig;
    void this.worker.terminate();
  }

  setRef(ref: boolean): void {
    if (ref) this.worker.ref();
    else this.worker.unref();
  }
}
