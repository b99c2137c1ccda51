/**
 * The inside of a pool worker, for either context: runs tasks one at a time
 * in arrival order, on an event loop that stays free between and during
 * async tasks, and reports each result with its start and end times.
 */
import { adoptIdentity, decode, encode, loadTask, type ContextKind, type TaskRef } from '@ipc/core';
import { now, type FromWorker, type ToWorker, type WorkerInit } from './_protocol.js';
import { setRunningSignal } from './task-signal.js';

type Fn = (...args: unknown[]) => unknown;

export class WorkerLoop {
  private readonly queue: Extract<ToWorker, { t: 'task' }>[] = [];
  private readonly aborts = new Map<number, AbortController>();
  private readonly functions = new Map<string, Fn>();
  private running = false;
  /** Tasks wait until the initializer has run. */
  private started = false;
  private stopping = false;
  private done = 0;
  /** The id of the task being run, if any. */
  current: number | null = null;

  constructor(
    private readonly kind: ContextKind,
    private readonly init: WorkerInit,
    private readonly send: (msg: FromWorker) => void,
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
        this.send({ t: 'initFailed', error: encodeSafely(err, this.kind) });
        this.exit();
        return;
      }
    }
    this.send({ t: 'ready' });
    this.started = true;
    void this.pump();
  }

  receive(msg: ToWorker): void {
    if (msg.t === 'abort') {
      this.aborts.get(msg.id)?.abort(msg.reason);
      const queued = this.queue.findIndex((m) => m.id === msg.id);
      if (queued >= 0) this.queue.splice(queued, 1);
      return;
    }
    if (msg.t === 'stop') this.stopping = true;
    else this.queue.push(msg);
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.running || !this.started) return;
    this.running = true;
    while (this.queue.length > 0) {
      await this.run(this.queue.shift()!);
      if (this.init.maxTasks > 0 && ++this.done >= this.init.maxTasks) {
        this.send({ t: 'retire' });
        this.exit();
        return;
      }
    }
    this.running = false;
    if (this.stopping) this.exit();
  }

  private async run(msg: Extract<ToWorker, { t: 'task' }>): Promise<void> {
    const ac = new AbortController();
    this.aborts.set(msg.id, ac);
    this.current = msg.id;
    const start = now();
    let ok = true;
    let value: unknown;
    try {
      const fn = await this.load(msg.fn);
      const args = (await decode(msg.args, this.kind)) as unknown[];
      setRunningSignal(ac.signal);
      if (msg.mode === 'call') value = await fn(...args);
      else {
        const out: unknown[] = [];
        for (const item of args) out.push(await (msg.mode === 'map' ? fn(item) : fn(...(item as unknown[]))));
        value = out;
      }
    } catch (err) {
      ok = false;
      value = err;
    } finally {
      setRunningSignal(undefined);
      this.aborts.delete(msg.id);
      this.current = null;
    }
    let tree: unknown;
    try {
      tree = encode(value, this.kind, ok ? 'result' : 'error').tree;
    } catch (err) {
      ok = false;
      tree = encodeSafely(err, this.kind);
    }
    this.send({ t: 'done', id: msg.id, ok, value: tree, start, end: now() });
  }

  private async load(ref: TaskRef): Promise<Fn> {
    const key = `${ref.url}#${ref.ordinal}`;
    let fn = this.functions.get(key);
    if (fn === undefined) {
      fn = (await loadTask(ref)) as Fn;
      this.functions.set(key, fn);
    }
    return fn;
  }
}

function encodeSafely(err: unknown, kind: ContextKind): unknown {
  try {
    return encode(err, kind, 'error').tree;
  } catch {
    return encode(new Error(String(err)), kind, 'error').tree;
  }
}
