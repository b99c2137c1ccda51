/**
 * The pool's side of one worker, in either context: sends tasks, hears
 * results, reports the exit. A worker is referenced (keeps the process alive)
 * only while it has work, so an idle pool never holds a program open.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { serialize } from 'node:v8';
import { Worker, type TransferListItem } from 'node:worker_threads';
import { HEAP_ID_KEY, SharedRing, _removeSocketDirOf, heapDataForWorker, markHeapDead, type ContextKind } from '@ipc/core';
import type { FromWorker, ToWorker, WorkerInit } from './_protocol.js';
import { inMicrotask } from './_microtask.js';
import { decodeOutcomes, encodeTasks } from './_number-frames.js';
import { spinForMessage } from './_spin.js';

export interface WorkerEvents {
  message(msg: FromWorker): void;
  exit(code: number | null, signal: NodeJS.Signals | null): void;
}

export interface PoolWorker {
  readonly pid: number | undefined;
  readonly threadId: number;
  send(msg: ToWorker, transfer?: readonly TransferListItem[]): void;
  /** Has work (keep the process alive, listen for results) or not. */
  setBusy(busy: boolean): void;
  /** The pool's estimate of a task's duration: a result due within µs is watched for rather than slept on. */
  expectWithinMs: number;
  kill(): void;
}

const THREAD_ENTRY = new URL('./pool-thread.js', import.meta.url);
const PROCESS_ENTRY = fileURLToPath(new URL('./pool-process.js', import.meta.url));
const RING_BYTES = 1 << 18;
/** A frame of tasks is cut at about this many bytes of arguments (a ring holds four). */
const FRAME_BYTES = RING_BYTES / 4;

/** The bytes of a task's arguments, where they are many (packed numbers, plain form); a few for anything else. */
function argBytes(msg: ToWorker): number {
  if (!Array.isArray(msg)) return 16;
  const args = msg[3];
  return ArrayBuffer.isView(args) ? args.byteLength : 64;
}

/** How long the pool's thread watches for a tiny task's result before it sleeps on it. */
const RESULT_SPIN_US = 50;
/** The read options, made once (they are the same for every read). */
const READ_WAIT = Object.freeze({ timeout: 1000 });
const NO_WAIT = Object.freeze({ timeout: 0 });

export function startWorker(kind: ContextKind, init: WorkerInit, events: WorkerEvents): PoolWorker {
  return kind === 'thread' ? new ThreadWorker(init, events) : new ProcessWorker(init, events);
}

class ThreadWorker implements PoolWorker {
  readonly pid = process.pid;
  readonly threadId: number;
  private readonly worker: Worker;
  private readonly toWorker = SharedRing.create(RING_BYTES);
  private readonly fromWorker = SharedRing.create(RING_BYTES);
  private reading = false;
  private busy = false;
  private outbox: ToWorker[] = [];
  private exited = false;
  expectWithinMs = Infinity;

  constructor(
    init: WorkerInit,
    private readonly events: WorkerEvents,
  ) {
    const heap = heapDataForWorker();
    this.worker = new Worker(THREAD_ENTRY, { workerData: { ...heap, init, inRing: this.toWorker.buffer, outRing: this.fromWorker.buffer } });
    this.threadId = this.worker.threadId;
    this.worker.on('message', (batch: FromWorker[]) => {
      for (const msg of batch) events.message(msg);
    });
    this.worker.on('error', () => undefined); // the exit that follows tells the pool
    this.worker.once('exit', (code) => {
      this.exited = true;
      markHeapDead(heap[HEAP_ID_KEY]);
      // Results written just before the end are still in the ring.
      this.drain();
      this.fromWorker.close();
      events.exit(code, null);
    });
    this.worker.unref();
  }

  send(msg: ToWorker, transfer?: readonly TransferListItem[]): void {
    if (this.exited) return;
    if (transfer !== undefined && transfer.length > 0) {
      this.flush();
      this.worker.postMessage([msg], [...transfer]);
      return;
    }
    // Batched until this turn of the caller's code ends: a burst of tasks costs one write and one wake-up.
    if (this.outbox.push(msg) === 1) inMicrotask(this.sendTurn);
  }

  /** The microtask after the caller's code has queued tasks: they go, and a tiny task's answer is watched for. */
  private readonly sendTurn = (): void => {
    this.flush();
    this.listen();
  };

  private flush(): void {
    const batch = this.outbox;
    if (batch.length === 0 || this.exited) return;
    this.outbox = [];
    // Tasks with large arguments (a map's chunks) go in frames of their own size, so the worker
    // starts the first while the rest are still on their way; tiny tasks go as one frame.
    let from = 0;
    let bytes = 0;
    for (let i = 0; i < batch.length; i++) {
      bytes += argBytes(batch[i]!);
      if (bytes >= FRAME_BYTES || i === batch.length - 1) {
        this.write(from === 0 && i === batch.length - 1 ? batch : batch.slice(from, i + 1));
        from = i + 1;
        bytes = 0;
      }
    }
  }

  private write(batch: ToWorker[]): void {
    const numbers = encodeTasks(batch);
    if (numbers !== undefined) {
      this.toWorker.writeSync(numbers);
      return;
    }
    let bytes: Buffer | undefined;
    try {
      bytes = serialize(batch);
    } catch {
      // Shared memory in some arguments: those go through the port, the rest through the ring.
      const plain: ToWorker[] = [];
      for (const m of batch) {
        try {
          serialize(m);
          plain.push(m);
        } catch {
          this.worker.postMessage([m]);
        }
      }
      if (plain.length > 0) bytes = serialize(plain);
    }
    if (bytes !== undefined) this.toWorker.writeSync(bytes);
  }

  setBusy(busy: boolean): void {
    if (busy === this.busy || this.exited) return;
    this.busy = busy;
    if (busy) {
      this.worker.ref();
      // Tasks still queued to go: their send turn listens once they have gone. (Otherwise the read
      // loop, whose answers come in a later turn: never inside the caller's own call.)
      if (this.outbox.length === 0) void this.read();
    } else this.worker.unref();
  }

  /**
   * Takes the answers due now: a tiny task's is watched for and delivered within this turn
   * (the pool's own microtask — never inside the caller's call, so a callback cannot run
   * before submit has returned); whatever is still due after that, the read loop waits for.
   */
  private listen(): void {
    if (!this.busy || this.reading || this.exited) return;
    if (this.expectWithinMs < 0.05) {
      spinForMessage(this.fromWorker, RESULT_SPIN_US);
      while (this.busy) {
        const frame = this.fromWorker.readNow();
        if (frame === undefined) break;
        this.deliver(frame); // may end the busy spell (the last answer), or start another task
      }
      if (!this.busy || this.reading || this.exited) return;
    }
    void this.read(true);
  }

  /** The read loop: while there is work, waits for answers and delivers them. `watched`: the first watch is done already. */
  private async read(watched = false): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      while (this.busy && !this.exited) {
        // Waits only while there is work: an idle pool leaves no timer or wait behind.
        // Tiny tasks answer within µs: watch for the answer before sleeping on it.
        if (!watched && this.expectWithinMs < 0.05) {
          this.flush(); // the tasks go first (their flush is still queued when this loop starts)
          spinForMessage(this.fromWorker, RESULT_SPIN_US);
        }
        watched = false;
        const frame = await this.fromWorker.read(READ_WAIT);
        if (frame === 'eof') return;
        if (frame !== 'timeout') this.deliver(frame);
      }
    } finally {
      this.reading = false;
    }
    this.drain();
  }

  /** What the ring holds now, delivered (a look first: most often nothing is left, and a read that finds nothing costs more). */
  private drain(): void {
    while (this.fromWorker.hasMessage()) {
      let frame;
      try {
        frame = this.fromWorker.readNow() ?? this.fromWorker.readSync(NO_WAIT);
      } catch {
        return; // a worker that died in the middle of a frame broke the ring: its tasks fail with its exit
      }
      if (!(frame instanceof Uint8Array)) return;
      this.deliver(frame);
    }
  }

  private deliver(frame: Uint8Array): void {
    for (const msg of decodeOutcomes(frame)) this.events.message(msg);
  }

  kill(): void {
    void this.worker.terminate();
  }
}

class ProcessWorker implements PoolWorker {
  readonly threadId = 0;
  expectWithinMs = Infinity; // results come as messages: nothing to watch
  private readonly child: ChildProcess;
  private outbox: ToWorker[] = [];
  private exited = false;

  constructor(init: WorkerInit, events: WorkerEvents) {
    this.child = fork(PROCESS_ENTRY, [], { serialization: 'advanced', stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (batch: FromWorker[]) => {
      for (const msg of batch) events.message(msg);
    });
    this.child.on('error', () => undefined);
    this.child.once('exit', () => (this.exited = true));
    this.child.once('close', (code, signal) => {
      // One ended by a signal never ran its exit handler: its broker's directory is left to us.
      if (this.child.pid !== undefined) _removeSocketDirOf(this.child.pid);
      events.exit(code, signal);
    });
    this.child.send({ init });
    this.setBusy(false);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(msg: ToWorker): void {
    if (this.exited) return;
    // Batched until this turn of the caller's code ends: a thousand tiny tasks cost a few messages.
    if (this.outbox.push(msg) === 1) inMicrotask(this.flushNow);
  }

  private readonly flushNow = (): void => {
    const batch = this.outbox;
    this.outbox = [];
    if (!this.exited && batch.length > 0) this.child.send(batch);
  };

  setBusy(busy: boolean): void {
    const channel = this.child.channel as { ref?: () => void; unref?: () => void } | null | undefined;
    if (busy) {
      this.child.ref();
      channel?.ref?.();
    } else {
      this.child.unref();
      channel?.unref?.();
    }
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}
