import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { inspect } from 'node:util';
import { ArgumentError, StateError } from '@ipc/core';
import { TimeoutExpired, type Command } from './errors.js';
import { track, untrack, type Killable } from './_cleanup.js';
import { withDeadline } from './_deadline.js';
import { spawnChild } from './_spawn.js';
import { textModeOf } from './_text.js';
import { PopenReader } from './popen-stream.js';
import { PopenWriter } from './popen-writer.js';
import type { OutputOf, PopenOptions, ReaderOf, StdinOf, WaitOptions } from './options.js';

const DEFAULT_GRACE = 1000;

function signalNumber(sig: NodeJS.Signals | null): number {
  return sig === null ? 0 : (constants.signals[sig] ?? 0);
}

/**
 * A child process, as Python's `subprocess.Popen`: started by the
 * constructor (a missing program throws `FileNotFoundError` right there),
 * with `stdin` / `stdout` / `stderr` where they are `PIPE`.
 */
export class Popen<O extends PopenOptions = PopenOptions> implements Killable {
  readonly args: Command;
  readonly pid: number;
  readonly stdin: StdinOf<O>;
  readonly stdout: ReaderOf<O, 'stdout'>;
  readonly stderr: ReaderOf<O, 'stderr'>;
  /** @internal streams run() must see finished before it settles. */
  readonly pumps: Promise<void>[];
  private readonly child: ChildProcess;
  private readonly group: boolean;
  private readonly grace: number;
  private readonly exited: Promise<number>;
  private code: number | null = null;
  private communication: Promise<[OutputOf<O> | null, OutputOf<O> | null]> | null = null;
  private killTimer: NodeJS.Timeout | undefined;

  constructor(args: Command, options?: O) {
    const o: PopenOptions = options ?? {};
    const mode = textModeOf(o);
    if (o.gracePeriod !== undefined && !(o.gracePeriod >= 0)) throw new ArgumentError(`gracePeriod must be a number of ms ≥ 0, got ${String(o.gracePeriod)}`);
    const s = spawnChild(args, o);
    this.args = args;
    this.child = s.child;
    this.pid = s.child.pid as number;
    this.group = s.group;
    this.grace = o.gracePeriod ?? DEFAULT_GRACE;
    this.pumps = s.pumps;
    const c = s.child;
    this.stdin = (s.stdinPiped && c.stdin ? new PopenWriter(c.stdin, mode) : null) as StdinOf<O>;
    this.stdout = (s.stdoutPiped && c.stdout ? new PopenReader(c.stdout, mode) : null) as ReaderOf<O, 'stdout'>;
    this.stderr = (s.stderrPiped && c.stderr ? new PopenReader(c.stderr, mode) : null) as ReaderOf<O, 'stderr'>;
    const cleanup = o.cleanup ?? true;
    if (cleanup) track(this);
    this.exited = new Promise<number>((resolve) => {
      c.once('exit', (code, signal) => {
        this.code = code ?? -signalNumber(signal);
        if (cleanup) untrack(this);
        // A group's grandchildren may outlive the leader: the SIGKILL already planned still goes to them.
        if (!this.group) clearTimeout(this.killTimer);
        resolve(this.code);
      });
    });
  }

  /** `null` while the child runs; its exit status, or `-N` when signal N ended it. */
  get returnCode(): number | null {
    return this.code;
  }

  /** The return code if the child has ended, else `null` (never waits). */
  poll(): number | null {
    return this.code;
  }

  /** Waits for the child to end; its return code. `TimeoutExpired` after `timeout` ms (the child keeps running). */
  wait(options?: WaitOptions): Promise<number> {
    return withDeadline(this.exited, options, () => new TimeoutExpired(this.args, options?.timeout ?? 0));
  }

  /**
   * Writes `input` to stdin and closes it, reads stdout and stderr to their end
   * and waits for the child: `[stdout, stderr]` (`null` where not `PIPE`). All
   * three at once, so no size deadlocks. On `TimeoutExpired` (with the output so
   * far) nothing is lost: call again to get everything.
   */
  communicate(input?: string | Uint8Array | null, options?: WaitOptions): Promise<[OutputOf<O> | null, OutputOf<O> | null]> {
    const given = input !== undefined && input !== null;
    if (this.communication === null) {
      if (given && this.stdin === null) throw new StateError('communicate(input) needs stdin=PIPE');
      // Encoded first: a string the encoding cannot write fails here, with nothing sent (Python's UnicodeEncodeError).
      this.communication = this.startCommunication(given && this.stdin !== null ? this.stdin.bytesOf(input) : null);
    } else if (given) throw new StateError('cannot send input after starting communication');
    return withDeadline(this.communication, options, () => {
      const out = this.stdout;
      const err = this.stderr;
      return new TimeoutExpired(this.args, options?.timeout ?? 0, out?.soFar() ?? null, err?.soFar() ?? null);
    });
  }

  /** Sends a signal (a name such as `'SIGUSR1'` or a number); to the whole group with `processGroup`. Nothing once the child has ended. */
  sendSignal(sig: NodeJS.Signals | number): void {
    if (this.code !== null && !this.group) return;
    try {
      process.kill(this.group ? -this.pid : this.pid, sig);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }

  /** SIGTERM. */
  terminate(): void {
    this.sendSignal('SIGTERM');
  }

  /** SIGKILL. */
  kill(): void {
    this.sendSignal('SIGKILL');
  }

  /** @internal SIGTERM now, SIGKILL after the grace period unless it ended (timeouts, aborts). Closes our pipe ends. */
  stop(): void {
    this.terminate();
    clearTimeout(this.killTimer);
    this.killTimer = setTimeout(() => this.kill(), this.grace);
    if (this.code !== null && !this.group) clearTimeout(this.killTimer);
    // A grandchild may hold the pipes open: close our ends so nothing waits on them.
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr]) s?.destroy();
  }

  /** @internal */
  signalForCleanup(sig: NodeJS.Signals): void {
    this.sendSignal(sig);
  }

  /**
   * `await using p = new Popen(...)`: as Python's `with Popen(...)`, closes
   * stdout and stderr (a child still writing gets SIGPIPE rather than filling
   * the pipe for ever), closes stdin, and waits for the child.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    this.stdout?.close();
    this.stderr?.close();
    if (this.stdin !== null) await this.stdin.close();
    await this.exited;
  }

  [inspect.custom](): string {
    return `<Popen: returnCode: ${String(this.code)} args: ${inspect(this.args)}>`;
  }

  toString(): string {
    return this[inspect.custom]();
  }

  private async startCommunication(input: string | Uint8Array | null): Promise<[OutputOf<O> | null, OutputOf<O> | null]> {
    const writer = this.stdin;
    // Python ignores a child that stops reading (BrokenPipeError): so do we.
    const fed = writer === null ? undefined : (input === null ? Promise.resolve() : writer.write(input)).catch(() => {}).then(() => writer.close());
    const out = (this.stdout)?.read() ?? null;
    const err = (this.stderr)?.read() ?? null;
    const [o, e] = await Promise.all([out, err, fed, this.exited]);
    return [o, e];
  }
}
