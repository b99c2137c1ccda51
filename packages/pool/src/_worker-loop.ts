/**
 * The inside of a pool worker, for either context: runs tasks one at a time
 * in arrival order, on an event loop that stays free between and during
 * async tasks, and reports each result with its start and end times.
 * Results of tiny tasks go back in batches; a slow task's result goes at once.
 */
import { adoptIdentity, decode, encode, flushPendingWrites, hasPendingWrites, loadTask, type ContextKind, type TaskRef } from '@ipc/core';
import { doneHow, formOf, modeOf, now, type FromWorker, type TaskMsg, type ToWorker, type WorkerInit } from './_protocol.js';
import { NEEDS_DECODE, NumberPacker, carryResult, packedResults, uncarry, uncarrySync, type Carried, type Form } from './_forms.js';
import { setRunningSignal } from './task-signal.js';

type Fn = (...args: unknown[]) => unknown;

/** The task being run: its id, and its abort controller once the task has asked for its signal (or the reason an abort came with before it did). */
interface Running {
  id: number;
  ac?: AbortController;
  reason?: { value: unknown };
}

/** Results held back at most this long, or this many, while more tasks wait. */
const BATCH_MS = 1;
const BATCH_MAX = 32;

export class WorkerLoop {
  private readonly queue: TaskMsg[] = [];
  /** Task functions by the pool's number for them, and their references as the pool sent them. */
  private readonly functions = new Map<number, Fn>();
  private readonly refs = new Map<number, TaskRef>();
  private outbox: FromWorker[] = [];
  private outboxSince = 0;
  private flushScheduled = false;
  private running = false;
  /** Tasks wait until the initializer has run. */
  private started = false;
  private stopping = false;
  private done = 0;
  private current: Running | undefined;

  constructor(
    private readonly kind: ContextKind,
    private readonly init: WorkerInit,
    private readonly post: (batch: FromWorker[]) => void,
    private readonly exit: () => void,
  ) {
    adoptIdentity({ name: init.name, daemon: true, parent: init.parent });
  }

  async start(): Promise<void> {
    if (this.init.initializer !== undefined) {
      try {
        const fn = (await loadTask(this.init.initializer)) as Fn;
        await fn(...((await decode(this.init.initargs, this.kind)) as unknown[]));
      } catch (err) {
        this.post([{ t: 'initFailed', error: encodeSafely(err, this.kind) }]);
        this.exit();
        return;
      }
    }
    this.post([{ t: 'ready' }]);
    this.started = true;
    this.pump();
  }

  /** A batch from the pool: all of it is queued before any task runs, so the results of a burst go back together. */
  receive(batch: readonly ToWorker[]): void {
    for (const msg of batch) this.take(msg);
    this.pump();
  }

  private take(msg: ToWorker): void {
    if (Array.isArray(msg)) {
      // A task function's reference comes with the first task of its number.
      if (msg[4] !== undefined) this.refs.set(msg[1], msg[4]);
      this.queue.push(msg);
      return;
    }
    if (msg.t === 'abort') {
      const cur = this.current;
      if (cur?.id === msg.id) {
        cur.reason = { value: msg.reason };
        cur.ac?.abort(msg.reason);
      }
      const queued = this.queue.findIndex((m) => m[0] === msg.id);
      if (queued >= 0) this.queue.splice(queued, 1);
      return;
    }
    this.stopping = true;
  }

  /** Nothing running or queued. */
  get idle(): boolean {
    return !this.running && this.queue.length === 0;
  }

  /** What must reach the pool if this worker ends now: unsent results, and the task it is running. */
  lastWords(): FromWorker[] {
    const words = this.outbox;
    this.outbox = [];
    words.push({ t: 'exiting', running: this.current?.id ?? null });
    return words;
  }

  private pump(): void {
    if (this.running || !this.started) return;
    this.running = true;
    this.drive();
  }

  /**
   * Runs the queued tasks: those that end without awaiting, one after another in this call
   * (a promise and a turn per tiny task were much of its cost); at the first that awaits,
   * it returns and carries on when that task ends.
   */
  private drive(): void {
    while (this.queue.length > 0) {
      const pending = this.run(this.queue.shift()!);
      if (pending !== undefined) {
        void pending.then(() => {
          if (this.taskEnded()) this.drive();
        });
        return;
      }
      if (!this.taskEnded()) return;
    }
    this.running = false;
    this.flush();
    if (this.stopping) this.exit();
  }

  /** After each task: sends or holds its result; false once the worker retires (maxtasksperchild). */
  private taskEnded(): boolean {
    if (this.init.maxTasks > 0 && ++this.done >= this.init.maxTasks) {
      this.outbox.push({ t: 'retire' });
      this.flush();
      this.exit();
      return false;
    }
    if (this.queue.length === 0 || this.outbox.length >= BATCH_MAX || now() - this.outboxSince >= BATCH_MS) this.flush();
    else this.flushSoon();
    return true;
  }

  /** Held results go as soon as the loop is free, should the next task wait on I/O or timers. */
  private flushSoon(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.outbox.length === 0) return;
    const batch = this.outbox;
    this.outbox = [];
    this.post(batch);
  }

  /** The running task's signal, made when the task first asks for it (one function for every task: a closure each was garbage each). */
  private readonly currentSignal = (): AbortSignal => {
    const cur = this.current!;
    if (cur.ac === undefined) {
      cur.ac = new AbortController();
      if (cur.reason !== undefined) cur.ac.abort(cur.reason.value);
    }
    return cur.ac.signal;
  };

  /** Runs one task; a promise only when it did not end within this call (it awaited, or its function had to be loaded). */
  private run(msg: TaskMsg): Promise<void> | undefined {
    const fn = this.functions.get(msg[1]);
    if (fn === undefined || modeOf(msg[2]) !== 'call' || formOf(msg[2]) === 'tree') return this.runAsync(msg);
    const id = msg[0];
    this.current = { id };
    const start = now();
    let ok = true;
    let value: unknown;
    setRunningSignal(this.currentSignal);
    try {
      value = fn(...(uncarrySync(formOf(msg[2]), msg[3]) as unknown[]));
    } catch (err) {
      ok = false;
      value = err;
    }
    if (ok && isThenable(value)) return this.settleAsync(id, start, value);
    setRunningSignal(undefined);
    // What the task wrote to other processes without waiting (a pipe end's sends) lands before its result.
    if (hasPendingWrites()) return flushPendingWrites().then(() => this.report(id, start, ok, value, undefined));
    this.report(id, start, ok, value, undefined);
    return undefined;
  }

  /** The end of a task that did not end within its call: awaits it, then reports it. */
  private async settleAsync(id: number, start: number, pending: PromiseLike<unknown>): Promise<void> {
    let ok = true;
    let value: unknown;
    try {
      value = await pending;
    } catch (err) {
      ok = false;
      value = err;
    } finally {
      setRunningSignal(undefined);
      if (hasPendingWrites()) await flushPendingWrites();
    }
    if (value instanceof PackedNumbers) this.report(id, start, ok, undefined, value.carried);
    else this.report(id, start, ok, value, undefined);
  }

  /** A task that needs awaits before it can start (its function to load, its arguments to revive) or a map chunk. */
  private runAsync(msg: TaskMsg): Promise<void> {
    const id = msg[0];
    this.current = { id };
    return this.settleAsync(id, now(), this.startAsync(msg));
  }

  /** Loads the task's function and revives its arguments, then calls it: its value (a map chunk's numbers as `PackedNumbers`). */
  private async startAsync(msg: TaskMsg): Promise<unknown> {
    const mode = modeOf(msg[2]);
    const form = formOf(msg[2]);
    const fn = this.functions.get(msg[1]) ?? (await this.load(msg[1]));
    const numbers = mode === 'map' && form === 'packed';
    // Revived without an await where no codec tree needs it: a tick per task is much of a tiny task's cost.
    const now = numbers ? msg[3] : uncarrySync(form, msg[3]);
    const args = (now !== NEEDS_DECODE ? now : await uncarry(form, msg[3], this.kind)) as unknown[];
    setRunningSignal(this.currentSignal);
    if (mode === 'call') return fn(...args);
    if (numbers) return mapNumbers(fn, msg[3] as Int32Array | Float64Array);
    return mapItems(fn, args, mode === 'star', 0, new Array(args.length));
  }

  /** Puts a task's outcome in the outbox; the task is over. */
  private report(id: number, start: number, ok: boolean, value: unknown, packed: Carried | undefined): void {
    this.current = undefined;
    let outForm: Form = 'tree';
    let tree: unknown;
    try {
      if (ok) ({ form: outForm, value: tree } = packed ?? carryResult(value, this.kind));
      else tree = encode(value, this.kind, 'error').tree;
    } catch (err) {
      ok = false;
      outForm = 'tree';
      tree = encodeSafely(err, this.kind);
    }
    if (this.outbox.length === 0) this.outboxSince = start;
    this.outbox.push([id, doneHow(ok, outForm), tree, start, now()]);
  }

  private async load(fnId: number): Promise<Fn> {
    const ref = this.refs.get(fnId);
    // The pool sends a reference with the first task of its number: a bug if it did not.
    if (ref === undefined) throw new Error(`@ipc/pool: no task function numbered ${fnId} was sent to this worker`);
    const fn = (await loadTask(ref)) as Fn;
    this.functions.set(fnId, fn);
    return fn;
  }
}

/** A map chunk's items from `from` on, into `out`; a result is awaited only when it is a promise (a tick per item is most of a tiny item's cost). */
async function mapItems(fn: Fn, items: ArrayLike<unknown>, star: boolean, from: number, out: unknown[]): Promise<unknown[]> {
  for (let i = from; i < items.length; i++) {
    const r = star ? fn(...(items[i] as unknown[])) : fn(items[i]);
    out[i] = isThenable(r) ? await r : r;
  }
  return out;
}

/** A map chunk's results that were all numbers, packed: they go back as they are. */
class PackedNumbers {
  constructor(readonly carried: Carried) {}
}

/**
 * A map chunk of numbers, read from its typed array; while the results are numbers they are
 * written into one, which goes back as it is — no array of the chunk's length on either side,
 * and one loop where unpacking, mapping, checking and packing took five.
 */
async function mapNumbers(fn: Fn, items: Int32Array | Float64Array): Promise<unknown> {
  const results = new NumberPacker(items.length);
  for (let i = 0; i < items.length; i++) {
    const r = fn(items[i]);
    if (typeof r === 'number') {
      results.put(i, r);
      continue;
    }
    // Something else: the numbers so far, and the rest as any map's.
    const out = new Array<unknown>(items.length);
    results.copyTo(out, i);
    out[i] = isThenable(r) ? await r : r;
    return mapItems(fn, items, false, i + 1, out);
  }
  return new PackedNumbers(packedResults(results));
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';
}

function encodeSafely(err: unknown, kind: ContextKind): unknown {
  try {
    return encode(err, kind, 'error').tree;
  } catch {
    return encode(new Error(String(err)), kind, 'error').tree;
  }
}
