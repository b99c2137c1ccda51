/**
 * The scheduler shared by Pool and the executors: a queue of jobs, a set of
 * long-lived workers, each given jobs in order. Tiny jobs are pipelined (up
 * to 32 in flight per worker, so the pool is never idle waiting for a round
 * trip); long ones go one at a time, to the first free worker, as Python's
 * pool hands them out. A worker that dies fails the job it was running
 * (`BrokenPoolError`), hands back the ones it had not started, and is
 * replaced.
 */
import { EventEmitter } from 'node:events';
import type { TransferListItem } from 'node:worker_threads';
import { TimeoutError, armTimeout, decode, decodeSync, currentProcess, type ContextKind, type TaskRef } from '@ipc/core';
import { formOf, howOf, isOk, type DoneMsg, type FromWorker, type Mode, type TaskMsg } from './_protocol.js';
import { Deque } from './_deque.js';
import { NEEDS_DECODE, uncarrySync, type Form } from './_forms.js';
import { SETTLE, type Settle } from './_settle.js';
import { startWorker, type PoolWorker } from './_workers.js';
import { BrokenPoolError, CancelledError } from './errors.js';

const NO_TRANSFER: readonly TransferListItem[] = [];

/** What a pool reports about a finished task: for progress bars and timelines. */
export interface TaskEvent {
  /** The worker's name, e.g. `PoolWorker-2`. */
  readonly worker: string;
  /** The worker's pid (process context) or thread id (thread context). */
  readonly workerId: number;
  /** The task's number in submission order (a chunk counts once). */
  readonly task: number;
  /** Epoch milliseconds. */
  readonly start: number;
  readonly end: number;
  readonly ok: boolean;
}

/** A task handed to a worker (it runs when the worker reaches it: tiny tasks are pipelined). */
export interface TaskStartEvent {
  readonly worker: string;
  readonly workerId: number;
  readonly task: number;
}

/** A pool's counters, as of now. */
export interface PoolStats {
  /** Tasks accepted (a map chunk counts once). */
  readonly submitted: number;
  /** Handed to a worker and not finished. */
  readonly running: number;
  /** Waiting for a worker. */
  readonly queued: number;
  /** Finished with a value. */
  readonly completed: number;
  /** Finished with an error (a task's own, a dead worker's, a timeout or an abort). */
  readonly failed: number;
  /** Cancelled (`Future.cancel()`, `shutdown({ cancelFutures })`) or ended by `terminate()`. */
  readonly cancelled: number;
  /** Workers alive now. */
  readonly workers: number;
}

export interface EngineOptions {
  context: ContextKind;
  size: number;
  namePrefix: string;
  initializer: TaskRef | undefined;
  initargs: unknown;
  maxTasks: number;
  /** The number in the first worker's name (`PoolWorker-1`, `ThreadPoolExecutor-0_0`); default 1. */
  firstIndex?: number;
}

export interface Job {
  readonly id: number;
  readonly fn: TaskRef;
  /** The pool's number for `fn` (`TaskMsg`). */
  readonly fnId: number;
  readonly mode: Mode;
  readonly form: Form;
  readonly args: unknown;
  /** Who is told the outcome. */
  readonly to: Settle;
  state: 'queued' | 'running' | 'settled';
  /**
   * In flight on a worker that died without saying which task it was running:
   * it may be the culprit, so it runs again alone, where a death names it.
   */
  suspect: boolean;
  slot: Slot | undefined;
  /** What few jobs have; undefined for most (tiny tasks wait by the ten thousand: each byte is held that many times). */
  readonly more: JobMore | undefined;
}

/** A job's transfer list, signal, timeout…: what `submit` was given beyond the task, and the timers and listener that come of it. */
export interface JobMore {
  readonly transfer?: readonly TransferListItem[];
  readonly signal?: AbortSignal | undefined;
  readonly timeout?: number | undefined;
  readonly onStart?: () => void;
  /** A packed result is given as its typed array (a map's chunk, copied straight into the map's result). */
  readonly packedAsIs?: boolean | undefined;
  disarm?: () => void;
  unlisten?: () => void;
}

interface Slot {
  readonly index: number;
  readonly name: string;
  readonly worker: PoolWorker;
  readonly jobs: Job[];
  /** The task functions (by the pool's number) this worker has been told of. */
  readonly knownFns: Set<number>;
  ready: boolean;
  retiring: boolean;
  /** Jobs it may still take before it retires (maxtasksperchild). */
  quota: number;
  /** What a dying process worker said it was running (undefined: it said nothing). */
  diedRunning?: number | null;
}

/** How long a task that ignores its abort keeps its worker before the worker is replaced. */
const ABORT_GRACE_MS = 1000;

export class Engine extends EventEmitter<{ task: [TaskEvent]; taskStart: [TaskStartEvent]; workerExit: [{ worker: string; code: number | null; signal: string | null }] }> {
  private readonly counts = { submitted: 0, completed: 0, failed: 0, cancelled: 0 };
  private readonly queue = new Deque<Job>();
  /** The workers. An array, not a Set: it is walked a few times per task, and a Set's iterator is an allocation each time. */
  private readonly slots: Slot[] = [];
  private nextId = 0;
  /** Task functions by the pool's number for them (`TaskMsg`): workers are told a reference once. */
  private readonly fnIds = new Map<TaskRef, number>();
  private nextWorker: number;
  private avgMs = 0;
  private state: 'open' | 'closing' | 'terminated' = 'open';
  private broken: Error | undefined;
  private readonly exited: Promise<void>;
  /** Results being decoded: join() waits for them, so every callback has run when it returns (as Python's). */
  private readonly decoding = new Set<Promise<void>>();
  private markExited!: () => void;

  constructor(private readonly options: EngineOptions) {
    super();
    this.nextWorker = options.firstIndex ?? 1;
    this.exited = new Promise((resolve) => (this.markExited = resolve));
    for (let i = 0; i < options.size; i++) this.spawn();
  }

  get size(): number {
    return this.options.size;
  }

  get closed(): boolean {
    return this.state !== 'open';
  }

  /** Workers with nothing to run, started or starting: each takes the next queued job as soon as it can. */
  get freeWorkers(): number {
    let n = 0;
    for (const s of this.slots) if (!s.retiring && s.jobs.length === 0) n++;
    return n;
  }

  /** Why the pool can no longer run anything (its initializer failed), else undefined. */
  get brokenBy(): Error | undefined {
    return this.broken;
  }

  /** Queues a job; its outcome goes to `to`. */
  submit(fn: TaskRef, mode: Mode, form: Form, args: unknown, more: JobMore | undefined, to: Settle): Job {
    const job: Job = { id: this.nextId++, fn, fnId: this.fnIdOf(fn), mode, form, args, to, state: 'queued', suspect: false, slot: undefined, more };
    if (this.broken) {
      job.state = 'settled';
      to[SETTLE](false, this.broken);
      return job;
    }
    if (more !== undefined) {
      const { signal, timeout } = more;
      if (signal?.aborted) {
        job.state = 'settled';
        to[SETTLE](false, signal.reason);
        return job;
      }
      if (signal) {
        const onAbort = (): void => this.abort(job, signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        more.unlisten = () => signal.removeEventListener('abort', onAbort);
      }
      if (timeout !== undefined) more.disarm = armTimeout(timeout, () => this.abort(job, new TimeoutError(`the task did not finish within ${timeout} ms`)));
    }
    this.counts.submitted++;
    this.queue.push(job);
    this.schedule();
    return job;
  }

  /** The number tasks of `fn` go with (`TaskMsg`). */
  private fnIdOf(fn: TaskRef): number {
    let id = this.fnIds.get(fn);
    if (id === undefined) this.fnIds.set(fn, (id = this.fnIds.size + 1));
    return id;
  }

  /** Cancels a job that has not started; false if it has. */
  cancel(job: Job): boolean {
    if (job.state !== 'queued') return false;
    this.queue.remove(job);
    this.counts.cancelled++;
    this.settle(job);
    job.to[SETTLE](false, new CancelledError());
    return true;
  }

  close(): void {
    if (this.state !== 'open') return;
    this.state = 'closing';
    this.stopIdle();
  }

  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    const err = new CancelledError('the pool was terminated');
    for (const job of this.queue.drain()) this.fail(job, err);
    for (const slot of this.slots) {
      for (const job of slot.jobs) this.fail(job, err);
      // Kept referenced until it has gone: whoever awaits join() must see the exit.
      slot.retiring = true;
      slot.worker.kill();
    }
    this.refreshRefs();
    if (this.slots.length === 0) this.markExited();
  }

  /** Resolves once every worker has ended (after close() or terminate()). */
  async joined(): Promise<void> {
    await this.exited;
    while (this.decoding.size > 0) await Promise.all(this.decoding);
  }

  stats(): PoolStats {
    let running = 0;
    for (const s of this.slots) for (const j of s.jobs) if (j.state === 'running') running++;
    return { ...this.counts, running, queued: this.queue.length, workers: this.slots.length };
  }

  /**
   * Ends one worker now, from outside (a thread is terminated, a process
   * SIGKILLed), as if it had crashed: the tasks it held run again, and a
   * replacement starts. False when no live worker has that id.
   */
  killWorker(workerId: number): boolean {
    for (const s of this.slots) {
      if (s.retiring || (s.worker.threadId || s.worker.pid) !== workerId) continue;
      s.worker.kill();
      return true;
    }
    return false;
  }

  /** How many jobs are queued or running. */
  get pending(): number {
    let n = this.queue.length;
    for (const s of this.slots) n += s.jobs.filter((j) => j.state !== 'settled').length;
    return n;
  }

  private spawn(): void {
    const index = this.nextWorker++;
    const name = `${this.options.namePrefix}${index}`;
    const me = currentProcess();
    const slot: Slot = {
      index,
      name,
      jobs: [],
      knownFns: new Set(),
      ready: false,
      retiring: false,
      quota: this.options.maxTasks > 0 ? this.options.maxTasks : Infinity,
      worker: startWorker(
        this.options.context,
        { name, parent: { pid: me.pid, name: me.name }, initializer: this.options.initializer, initargs: this.options.initargs, maxTasks: this.options.maxTasks },
        { message: (msg) => this.onMessage(slot, msg), exit: (code, signal) => this.onExit(slot, code, signal) },
      ),
    };
    this.slots.push(slot);
  }

  /**
   * A worker keeps the process alive while it has jobs, while it is starting
   * and jobs wait for it, or while it is stopping — never when idle.
   */
  private refreshRefs(): void {
    // A retiring worker with jobs waiting holds the process too: its exit is what starts the replacement (maxtasksperchild).
    for (const s of this.slots) s.worker.setBusy(s.jobs.length > 0 || (!s.ready && this.queue.length > 0) || (s.retiring && (this.state !== 'open' || this.queue.length > 0)));
  }

  private schedule(): void {
    this.scheduleJobs();
    this.refreshRefs();
  }

  private scheduleJobs(): void {
    if (this.queue.length === 0) return;
    // Long tasks go one per worker, to whichever is free first, as Python's pool hands them
    // out; tiny ones are pipelined. Until a task has finished nobody knows which they are.
    // In flight per worker: about 2 ms of work (fewer round trips, fewer wake-ups), at most 256.
    const cap = this.avgMs === 0 || this.avgMs > 2 ? 1 : Math.min(256, Math.ceil(2 / this.avgMs));
    for (;;) {
      const next = this.queue.peek();
      if (next === undefined) return;
      // A suspect runs alone; nothing joins a worker running one.
      let best: Slot | undefined;
      // A map's chunks are alike: a worker may hold the next while it runs one, so it never waits for it.
      const limit = next.mode === 'call' ? cap : Math.max(cap, 2);
      for (const s of this.slots) {
        if (!s.ready || s.retiring || s.quota <= 0 || s.jobs.length >= limit || s.jobs[0]?.suspect === true) continue;
        if (next.suspect === true && s.jobs.length > 0) continue;
        if (best === undefined || s.jobs.length < best.jobs.length) best = s;
      }
      if (best === undefined) return;
      const job = this.queue.shift()!;
      job.state = 'running';
      job.slot = best;
      best.jobs.push(job);
      best.quota--;
      const task: TaskMsg = [job.id, job.fnId, howOf(job.mode, job.form), job.args];
      // A worker is told a task function's reference once; then its number is enough.
      if (!best.knownFns.has(job.fnId)) {
        best.knownFns.add(job.fnId);
        task.push(job.fn);
      }
      best.worker.send(task, job.more?.transfer ?? NO_TRANSFER);
      job.more?.onStart?.();
      if (this.listenerCount('taskStart') > 0) this.emit('taskStart', { worker: best.name, workerId: best.worker.threadId || best.worker.pid || 0, task: job.id });
    }
  }

  private onMessage(slot: Slot, msg: FromWorker): void {
    if (Array.isArray(msg)) {
      this.onDone(slot, msg);
      return;
    }
    switch (msg.t) {
      case 'ready':
        slot.ready = true;
        this.schedule();
        return;
      case 'retire':
        slot.retiring = true;
        this.refreshRefs();
        return;
      case 'exiting':
        slot.diedRunning = msg.running;
        return;
      case 'initFailed': {
        const cause = safeDecode(msg.error, this.options.context);
        this.breakPool(new BrokenPoolError(`the initializer failed in ${slot.name}: ${(cause as Error)?.message ?? String(cause)}`, { cause }));
        return;
      }
    }
  }

  /** A task's outcome. */
  private onDone(slot: Slot, msg: DoneMsg): void {
    const id = msg[0];
    // Outcomes come in the order the tasks went: it is the first, but for an abort's.
    const at = slot.jobs[0]?.id === id ? 0 : slot.jobs.findIndex((j) => j.id === id);
    if (at < 0) return;
    const job = at === 0 ? slot.jobs.shift()! : slot.jobs.splice(at, 1)[0]!;
    const ok = isOk(msg[1]);
    const form = formOf(msg[1]);
    const value = msg[2];
    const start = msg[3];
    const end = msg[4];
    const ms = end - start;
    this.avgMs = this.avgMs === 0 ? Math.max(ms, 1e-3) : this.avgMs * 0.8 + ms * 0.2;
    slot.worker.expectWithinMs = this.avgMs;
    if (this.listenerCount('task') > 0) this.emit('task', { worker: slot.name, workerId: slot.worker.threadId || slot.worker.pid || 0, task: job.id, start, end, ok });
    if (job.state !== 'settled') {
      this.settle(job);
      if (ok) this.counts.completed++;
      else this.counts.failed++;
      const now = !ok ? NEEDS_DECODE : job.more?.packedAsIs === true && form === 'packed' ? value : uncarrySync(form, value);
      if (now !== NEEDS_DECODE) job.to[SETTLE](true, now); // nothing to revive
      else {
        const settling = decode(value, this.options.context).then(
          (revived) => job.to[SETTLE](ok, revived),
          (err: unknown) => job.to[SETTLE](false, err),
        );
        this.decoding.add(settling);
        void settling.finally(() => this.decoding.delete(settling));
      }
    }
    this.schedule();
    if (this.state === 'closing') this.stopIdle();
  }

  private onExit(slot: Slot, code: number | null, signal: string | null): void {
    const at = this.slots.indexOf(slot);
    if (at >= 0) this.slots.splice(at, 1);
    this.emit('workerExit', { worker: slot.name, code, signal });
    if (slot.retiring || (code === 0 && signal === null && this.state !== 'open')) {
      // A worker that ended on purpose: anything it still had goes back to the front of the queue, in order.
      for (const job of slot.jobs.slice().reverse()) if (job.state !== 'settled') this.requeue(job);
    } else {
      const culprit = this.culprit(slot);
      const how = signal !== null ? `killed by ${signal}` : `exit code ${String(code)}`;
      const where = this.options.context === 'process' ? `pid ${slot.worker.pid}` : `thread ${slot.worker.threadId}`;
      if (culprit !== undefined && culprit.state !== 'settled') this.fail(culprit, new BrokenPoolError(`${slot.name} (${where}) died (${how}) while running the task`));
      // Requeued in their order, at the front: they were handed out before anything still queued.
      for (const job of slot.jobs.slice().reverse()) {
        if (job === culprit || job.state === 'settled') continue;
        if (culprit === undefined) job.suspect = true;
        this.requeue(job);
      }
    }
    if (this.state === 'terminated') {
      if (this.slots.length === 0) this.markExited();
      return;
    }
    if (this.broken === undefined && (this.state === 'open' || this.queue.length > 0)) this.spawn();
    this.schedule();
    if (this.state === 'closing') this.stopIdle();
  }

  /**
   * The job a worker was running when it died. Results come back in batches,
   * so it is the one the worker named as it ended (process.exit), or the job
   * it ran alone — otherwise (SIGKILL, terminate) nobody can tell, and nobody
   * is blamed: its jobs run again, each alone.
   */
  private culprit(slot: Slot): Job | undefined {
    if (slot.diedRunning !== undefined) return slot.jobs.find((j) => j.id === slot.diedRunning);
    const only = slot.jobs.length === 1 ? slot.jobs[0] : undefined;
    return only?.suspect === true ? only : undefined;
  }

  private requeue(job: Job): void {
    job.state = 'queued';
    job.slot = undefined;
    this.queue.unshift(job);
  }

  /** After close(): a worker with nothing left to do is told to stop. */
  private stopIdle(): void {
    if (this.queue.length > 0) return;
    for (const s of this.slots) {
      if (s.jobs.length === 0 && !s.retiring) {
        s.retiring = true;
        s.worker.send({ t: 'stop' });
      }
    }
    if (this.slots.length === 0) this.markExited();
    this.refreshRefs();
  }

  private abort(job: Job, reason: unknown): void {
    if (job.state === 'settled') return;
    if (job.state === 'queued') {
      this.queue.remove(job);
      this.fail(job, reason);
      return;
    }
    const slot = job.slot!;
    this.fail(job, reason);
    slot.worker.send({ t: 'abort', id: job.id, reason });
    // A task that ignores the abort loses its worker after the grace period.
    const grace = setTimeout(() => {
      if (slot.jobs.includes(job)) slot.worker.kill();
    }, ABORT_GRACE_MS);
    grace.unref();
  }

  private breakPool(err: Error): void {
    if (this.broken) return;
    this.broken = err;
    for (const job of this.queue.drain()) this.fail(job, err);
    for (const slot of this.slots) {
      for (const job of slot.jobs) this.fail(job, err);
      slot.worker.kill();
    }
  }

  private fail(job: Job, err: unknown): void {
    if (job.state === 'settled') return;
    if (err instanceof CancelledError) this.counts.cancelled++;
    else this.counts.failed++;
    this.settle(job);
    job.to[SETTLE](false, err);
  }

  private settle(job: Job): void {
    job.state = 'settled';
    if (job.more !== undefined) {
      job.more.disarm?.();
      job.more.unlisten?.();
    }
  }
}

function safeDecode(tree: unknown, kind: ContextKind): unknown {
  try {
    return decodeSync(tree, kind);
  } catch (err) {
    return err;
  }
}
