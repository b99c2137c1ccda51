import { MessagePort, isMainThread, threadId, type TransferListItem } from 'node:worker_threads';
import { untilOr } from './_timers.js';
import { encode } from './codec.js';
import type { ContextKind } from './handles.js';
import { ArgumentError, StateError } from './errors.js';
import { requireTaskRef } from './task.js';
import { children, counters, self } from './runtime/current.js';
import { exitCodeOf, type ChildMessage, type ChildRunner, type ExitInfo, type StartSpec } from './runtime/runner.js';
import { ThreadRunner } from './runtime/thread-runner.js';
import { ForkRunner } from './runtime/fork-runner.js';
import { decode } from './codec.js';
import { nodeOs } from './_builtins.js';
import { Sentinel } from './sentinel.js';

/** Python's `Process(target, args, kwargs, name, daemon)`, with the context that decides where it runs. */
export interface ProcessOptions<A extends unknown[] = unknown[], R = unknown> {
  /** A function made with `task()`; called as `target(...args)`, or `target(...args, kwargs)` when kwargs are given. */
  target?: (...args: A) => R;
  args?: A;
  /** Python's keyword arguments: passed as one trailing object argument. */
  kwargs?: Record<string, unknown>;
  name?: string;
  daemon?: boolean;
  /** `'thread'` (a worker thread, the default) or `'process'` (a forked Node process). */
  context?: ContextKind;
  /**
   * `ArrayBuffer`s (and `MessagePort`s) in `args` to move to a thread child instead of copying
   * them: no byte is copied, and they are detached here at `start()`, as `postMessage`'s transfer
   * list does. A process child gets copies, and these stay as they are.
   */
  transfer?: readonly (ArrayBuffer | MessagePort)[];
}

function checkTransfer(list: ProcessOptions['transfer']): (ArrayBuffer | MessagePort)[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new ArgumentError('transfer must be an array of ArrayBuffers and MessagePorts');
  const items: readonly unknown[] = list;
  for (const item of items) {
    if (!(item instanceof ArrayBuffer) && !(item instanceof MessagePort)) {
      throw new ArgumentError(`transfer takes ArrayBuffers and MessagePorts, not ${item instanceof SharedArrayBuffer ? 'a SharedArrayBuffer (it is shared, not moved: pass it in args)' : typeof item}`);
    }
  }
  return [...(items as readonly (ArrayBuffer | MessagePort)[])];
}

/** A thread child, with what the codec found to transfer (ports) and what the caller asked to move. */
function startThread(spec: StartSpec, found: TransferListItem[], asked: (ArrayBuffer | MessagePort)[]): ThreadRunner {
  if (asked.length === 0) return new ThreadRunner(spec, found);
  try {
    return new ThreadRunner(spec, [...new Set([...found, ...asked])]);
  } catch (err) {
    // Nothing started (the Worker refused the list): the process stays as it was, and start() may be called again.
    throw new ArgumentError(`transfer: ${(err as Error).message}`, { cause: err });
  }
}

/** Python terminates daemonic children when the parent exits; a forked one also ends by itself when its channel closes. */
const daemonChildren = new Set<ChildRunner>();
process.once('exit', () => {
  for (const runner of daemonChildren) runner.signal('SIGTERM');
});

/**
 * Keeps this program alive while something waits for a daemon child's end:
 * a daemon alone does not (its worker or child is unref'd), so an `await
 * p.join()` with nothing else to do would end the program half-way (exit 13,
 * an unsettled top-level await) where Python's join() blocks. Returns the release.
 */
function holdOpen(st: State): () => void {
  const runner = st.runner;
  if (runner === undefined || !st.daemon || st.exitCode !== null) return () => undefined;
  if (st.waiters++ === 0) runner.setRef(true);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--st.waiters === 0 && st.exitCode === null) runner.setRef(false);
  };
}

/**
 * Python's defaults: a Process takes its creator's daemon flag; a Thread takes its creating thread's —
 * so in a daemon worker thread it is a daemon, and in a daemon process's main thread it is not.
 */
function defaultDaemon(isThread: boolean): boolean {
  if (self.isMain || (isThread && isMainThread)) return false;
  return self.daemon;
}

/** Marks the library's own Process classes, as opposed to a user's subclass that overrides run(). */
export const BASE = Symbol.for('@ipc/core.Process.base');

// Internal state lives under a symbol so that a subclass instance crosses with only the user's own fields.
const STATE = Symbol('@ipc/core.Process.state');

interface State {
  target: ((...args: unknown[]) => unknown) | undefined;
  args: unknown[];
  kwargs: Record<string, unknown> | undefined;
  transfer: (ArrayBuffer | MessagePort)[];
  name: string;
  daemon: boolean;
  context: ContextKind;
  role: 'parent' | 'self';
  runner: ChildRunner | undefined;
  exitCode: number | null;
  result: unknown;
  error: unknown;
  closed: boolean;
  done: Promise<void> | undefined;
  sentinel: Sentinel | undefined;
  /** Calls waiting for a daemon child's end, which keep this program alive meanwhile. */
  waiters: number;
  identity: readonly number[];
}

/** The awaited return type of a process's target. */
export type ProcessResult<R> = Awaited<R>;

/**
 * A unit of work in another thread or process, as Python's
 * `multiprocessing.Process`. Subclasses override `run()` and are made findable
 * with `task(import.meta.url, MyProcess)`.
 */
export class Process<A extends unknown[] = unknown[], R = unknown> {
  declare private [STATE]: State;
  /** The prefix of default names: `Process-1`, and `Thread-1` for threads. */
  static readonly kindName: string = 'Process';
  static readonly [BASE] = true;

  constructor(options: ProcessOptions<A, R> = {}) {
    const context = options.context ?? 'thread';
    if (context !== 'thread' && context !== 'process') throw new ArgumentError(`context must be 'thread' or 'process', not ${String(context)}`);
    if (options.target !== undefined && typeof options.target !== 'function') throw new ArgumentError('target must be a function made with task()');
    if (options.args !== undefined && !Array.isArray(options.args)) throw new ArgumentError('args must be an array');
    const transfer = checkTransfer(options.transfer);
    const isThread = (new.target as { kindName?: string }).kindName === 'Thread';
    // Python's names: a process's children are Process-1, Process-2…, their children Process-1:1…
    // (a Thread runs in this process's place in the tree, as Python's threads do).
    const identity = isThread ? self.identity : [...self.identity, ++counters.process];
    // A subclass of the user's own is named after its class, as Python's type(self).__name__.
    const ownClass = !Object.prototype.hasOwnProperty.call(new.target, BASE) && new.target.name !== '' ? new.target.name : 'Process';
    if (options.name !== undefined && typeof options.name !== 'string') throw new ArgumentError('name must be a string');
    // An empty name takes the default too, in Python. A thread's counter moves only when it is named by it,
    // and the name tells its target's, as Python's threading does: `Thread-3 (work)`.
    let name = options.name;
    if (name === undefined || name === '') {
      const targetName = isThread ? options.target?.name : undefined;
      name = isThread ? `Thread-${++counters.thread}${targetName ? ` (${targetName})` : ''}` : `${ownClass}-${identity.join(':')}`;
    }
    Object.defineProperty(this, STATE, {
      value: {
        target: options.target as State['target'],
        // Copied, as Python's tuple(args) and dict(kwargs): a change to the caller's array before start() is not sent.
        args: options.args === undefined ? [] : [...options.args],
        kwargs: options.kwargs === undefined ? undefined : { ...options.kwargs },
        transfer,
        name,
        daemon: options.daemon ?? defaultDaemon(isThread),
        context,
        role: 'parent',
        runner: undefined,
        exitCode: null,
        result: undefined,
        error: undefined,
        closed: false,
        done: undefined,
        sentinel: undefined,
        waiters: 0,
        identity,
      } satisfies State,
    });
  }

  /** What the child runs. The default calls the target; subclasses override it. */
  run(): unknown {
    const st = this[STATE];
    if (st.target === undefined) return undefined;
    return st.kwargs === undefined ? st.target(...st.args) : st.target(...st.args, st.kwargs);
  }

  get name(): string {
    return this[STATE].name;
  }
  set name(value: string) {
    if (typeof value !== 'string') throw new ArgumentError('name must be a string');
    const st = this[STATE];
    st.name = value;
    // The running child's own object is Python's current_process(): renaming it renames the heap
    // (currentProcess().name, the name its children see as their parent's).
    if (st.role === 'self') self.name = value;
  }

  get daemon(): boolean {
    return this[STATE].daemon;
  }
  set daemon(value: boolean) {
    const st = this[STATE];
    if (st.runner !== undefined) throw new StateError('cannot set daemon on a process that has started');
    st.daemon = Boolean(value);
  }

  /** Where it runs: 'thread' or 'process'. */
  get context(): ContextKind {
    return this[STATE].context;
  }

  /** The OS process id: the child's for the process context, this process's for a thread (as Python's threads share the pid). */
  get pid(): number | undefined {
    this.checkOpen();
    const st = this[STATE];
    return st.role === 'self' ? process.pid : st.runner?.pid;
  }

  /** The worker's thread id in the thread context; 0 for the main thread of a process. */
  get threadId(): number | undefined {
    const st = this[STATE];
    return st.role === 'self' ? threadId : st.runner?.threadId;
  }

  /** 0 on success, 1 after an uncaught error, -N when ended by signal N (-15 terminate, -9 kill), null while running. */
  get exitCode(): number | null {
    this.checkOpen();
    return this[STATE].exitCode;
  }

  /** The error the child's run() ended with, rebuilt here with its class and remote stack; undefined if none. */
  get error(): unknown {
    return this[STATE].error;
  }

  /** Starts the child. Values that cannot cross fail here, with their path (`args[0].lock`). */
  start(): void {
    const st = this[STATE];
    this.checkOpen();
    if (st.role === 'self') throw new StateError('a process cannot start itself');
    if (st.runner !== undefined) throw new StateError('cannot start a process twice');
    // Python's rule is for processes: a daemonic process may start threads, which end with it anyway.
    if (!self.isMain && self.daemon && st.context === 'process') {
      throw new StateError("daemonic processes are not allowed to have children in the 'process' context (threads are allowed)");
    }
    // Process, Thread and the classes of getContext() run a target; any other class is the user's subclass.
    const isSubclass = !Object.prototype.hasOwnProperty.call(this.constructor, BASE);
    if (isSubclass) requireTaskRef(this.constructor, `${this.constructor.name} class`);
    else if (st.target !== undefined) requireTaskRef(st.target, 'target');

    // The child rebuilds this very object: a subclass by its class reference, the base by its target.
    const payload = isSubclass
      ? { kind: 'instance', self: this, target: undefined, args: st.args, kwargs: st.kwargs }
      : { kind: 'target', self: undefined, target: st.target, args: st.args, kwargs: st.kwargs };
    // A thread child gets what `transfer` lists in its Worker's transferList: handles may move ports to it.
    const { tree, transfer, abandon } = encode(payload, st.context, 'process', { transfers: st.context === 'thread' });
    const spec = { self: tree, name: st.name, daemon: st.daemon, parent: { pid: process.pid, name: self.name }, identity: st.identity };
    let runner: ChildRunner;
    try {
      runner = st.context === 'thread' ? startThread(spec, transfer, st.transfer) : new ForkRunner(spec);
    } catch (err) {
      abandon(); // nothing started: the handles in the args take back what they reserved (a pipe end's ticket)
      throw err;
    }
    st.runner = runner;
    children.add(this);
    // Sent: the parent lets go of them, as Python's start() does (`del self._target, self._args,
    // self._kwargs`), so a big argument is not kept alive by a Process object that lives on.
    st.target = undefined;
    st.args = [];
    st.kwargs = undefined;
    st.transfer = [];
    st.done = new Promise<void>((resolve) => {
      runner.onMessage((msg: ChildMessage) => {
        const kind = st.context;
        if (msg.type === 'result') void decode(msg.value, kind).then((v) => (st.result = v), (err: unknown) => (st.error = err));
        else if (msg.type === 'error') void decode(msg.error, kind).then((e) => (st.error = e), (err: unknown) => (st.error = err));
      });
      runner.onExit((info: ExitInfo) => {
        st.exitCode = exitCodeOf(info);
        children.delete(this);
        daemonChildren.delete(runner);
        // Let a decode of the last message settle before join() resolves.
        setImmediate(resolve);
      });
    });
    // After the listeners: adding a 'message' listener refs a worker's port again.
    runner.setRef(!st.daemon);
    if (st.daemon && st.context === 'process') daemonChildren.add(runner);
  }

  /**
   * Waits for the child to end and resolves with its run()'s return value
   * (undefined if it failed: see `exitCode` and `error`). With a timeout,
   * resolves undefined when it runs out and the child is still alive.
   */
  async join(timeoutMs?: number | null): Promise<ProcessResult<R> | undefined> {
    const st = this[STATE];
    this.checkOpen();
    if (st.role === 'self') throw new StateError('a process cannot join itself');
    if (st.done === undefined) throw new StateError('can only join a started process');
    if (timeoutMs != null && (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs))) throw new ArgumentError('timeout must be a number of milliseconds');
    if (timeoutMs == null || timeoutMs === Infinity) {
      const release = holdOpen(st);
      try {
        await st.done;
      } finally {
        release();
      }
    } else if (st.exitCode === null) {
      await untilOr(st.done, timeoutMs);
      if (st.exitCode === null) return undefined;
    }
    return st.result as ProcessResult<R>;
  }

  /**
   * Python's `sentinel`: ready once the child has ended, for `wait()` of
   * @ipc/pipe to watch beside connections. Only once started.
   */
  get sentinel(): Sentinel {
    const st = this[STATE];
    this.checkOpen();
    if (st.role === 'self') throw new StateError('a process has no sentinel of its own');
    if (st.done === undefined) throw new StateError('process not started');
    st.sentinel ??= new Sentinel(st.done, () => st.exitCode !== null, () => holdOpen(st));
    return st.sentinel;
  }

  isAlive(): boolean {
    const st = this[STATE];
    this.checkOpen();
    if (st.role === 'self') return true;
    return st.runner !== undefined && st.exitCode === null;
  }

  /** Ends the child with SIGTERM (a worker thread is terminated and reports -15). */
  terminate(): void {
    this.checkOpen();
    this[STATE].runner?.signal('SIGTERM');
  }

  /** Ends the child with SIGKILL (a worker thread is terminated and reports -9). */
  kill(): void {
    this.checkOpen();
    this[STATE].runner?.signal('SIGKILL');
  }

  /** Releases the process object; an error while the child runs, as in Python. */
  close(): void {
    const st = this[STATE];
    if (st.closed) return;
    if (st.runner !== undefined && st.exitCode === null) {
      throw new StateError(`cannot close a process while it is still running; join() or terminate() it first`);
    }
    st.closed = true;
  }

  private checkOpen(): void {
    if (this[STATE].closed) throw new StateError('process object is closed');
  }

  toString(): string {
    const st = this[STATE];
    // The running child's own object is 'started', as Python's repr of current_process().
    const status = st.closed ? 'closed' : st.role === 'self' ? 'started' : st.runner === undefined ? 'initial' : st.exitCode === null ? 'started' : `stopped exitcode=${exitCodeName(st.exitCode)}`;
    const info = [this.constructor.name, `name='${st.name}'`];
    // Python's multiprocessing repr also tells the child's pid (once started, until closed) and its
    // parent's: `<Process name='Process-1' pid=42 parent=41 started daemon>`. A Thread keeps the
    // threading form, which has neither.
    if ((this.constructor as { kindName?: string }).kindName !== 'Thread') {
      const pid = st.role === 'self' || st.closed ? undefined : st.runner?.pid;
      if (pid !== undefined) info.push(`pid=${pid}`);
      info.push(`parent=${st.role === 'self' ? (self.parent?.pid ?? process.pid) : process.pid}`);
    }
    info.push(status);
    if (st.daemon) info.push('daemon');
    return `<${info.join(' ')}>`;
  }

  /** @internal Turns a rebuilt object into the child's own process object. */
  static _adopt(obj: Process, info: { name: string; daemon: boolean; target: unknown; args: unknown[]; kwargs: Record<string, unknown> | undefined; context: ContextKind }): void {
    Object.defineProperty(obj, STATE, {
      value: {
        target: info.target as State['target'],
        args: info.args,
        kwargs: info.kwargs,
        transfer: [],
        name: info.name,
        daemon: info.daemon,
        context: info.context,
        role: 'self',
        runner: undefined,
        exitCode: null,
        result: undefined,
        error: undefined,
        closed: false,
        done: undefined,
        sentinel: undefined,
        waiters: 0,
        identity: self.identity,
      } satisfies State,
    });
  }
}

/** Python's `threading.Thread`: a Process fixed to the thread context. */
export class Thread<A extends unknown[] = unknown[], R = unknown> extends Process<A, R> {
  static override readonly kindName: string = 'Thread';
  static override readonly [BASE] = true;
  constructor(options: Omit<ProcessOptions<A, R>, 'context'> = {}) {
    if ((options as ProcessOptions).context !== undefined && (options as ProcessOptions).context !== 'thread') {
      throw new ArgumentError("a Thread always runs in the 'thread' context");
    }
    super({ ...options, context: 'thread' });
  }
}

/** Python's `_exitcode_to_name`: a signal's exit code by its name in a repr (`exitcode=-SIGTERM`). */
function exitCodeName(code: number): string {
  if (code >= 0) return String(code);
  const name = Object.entries(nodeOs().constants.signals).find(([, n]) => n === -code)?.[0];
  return name === undefined ? String(code) : `-${name}`;
}

/** The number of CPUs this process may use (Python's `os.cpu_count()` / `multiprocessing.cpu_count()`). */
export function cpuCount(): number {
  return nodeOs().availableParallelism();
}
