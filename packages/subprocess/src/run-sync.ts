import { spawnSync } from 'node:child_process';
import { ArgumentError } from '@ipc/core';
import { CompletedProcess } from './completed-process.js';
import { failure } from './_failure.js';
import { TimeoutExpired, type Command } from './errors.js';
import { checkTimeout } from './_deadline.js';
import { checkOutputOptions, splitRunOptions } from './_run-options.js';
import { plan } from './_spawn.js';
import { decodeAll, encodeInput, textModeOf, type TextMode } from './_text.js';
import { spawnFailure } from './_which.js';
import { constants } from 'node:os';

const osSignals = constants.signals as Record<string, number | undefined>;
import type { OutputOf, RunOptions } from './options.js';

type SyncOptions = Omit<RunOptions, 'signal' | 'cleanup' | 'gracePeriod'>;

function output<T>(mode: TextMode | null, b: Buffer | null | undefined, fatal?: boolean): T | null {
  if (b === null || b === undefined) return null;
  return (mode === null ? b : decodeAll(mode, b, fatal)) as T;
}

/**
 * `run` that blocks this thread until the child ends (for CPU-bound code that
 * must not yield). A timeout kills with SIGKILL — nothing can run a grace
 * period while the thread is blocked — and then the whole group where there is
 * one. Streams without a descriptor cannot be pumped here: `ArgumentError`.
 */
export function runSync<O extends SyncOptions = SyncOptions>(args: Command, options?: O): CompletedProcess<OutputOf<O>> {
  const o: RunOptions = options ?? {};
  if ((o as { signal?: unknown }).signal !== undefined) throw new ArgumentError('runSync cannot be aborted: use run() for a signal');
  const { popen, input, timeout, check, shell } = splitRunOptions(o);
  checkTimeout(timeout);
  const mode = textModeOf(popen);
  const p = plan(args, popen);
  if (p.stdin.pumped !== null || p.stdout.pumped !== null || (p.stderr?.pumped ?? null) !== null) {
    throw new ArgumentError('runSync takes PIPE, DEVNULL, inherit, file descriptors and streams with a descriptor; use run() for other streams');
  }
  const r = spawnSync(p.file, p.argv, {
    stdio: p.stdio,
    cwd: p.cwd,
    env: popen.env,
    argv0: p.argv0,
    uid: p.uid,
    gid: p.gid,
    // Node honours `detached` in spawnSync (its own session) though its types leave it out.
    ...({ detached: p.group } as object),
    input: input === undefined ? undefined : encodeInput(mode, input),
    // Node takes whole ms ≥ 0 and reads 0 as "none": a timeout that has passed (≤ 0, as Python allows) is the shortest there is.
    timeout: timeout === undefined || timeout === Infinity ? undefined : Math.max(1, Math.ceil(timeout)),
    killSignal: 'SIGKILL',
    maxBuffer: Infinity,
  });
  const err: NodeJS.ErrnoException | undefined = r.error;
  if (err !== undefined) {
    if (err.code === 'ETIMEDOUT') {
      // The grandchildren of a group may still run: the group goes too.
      if (p.group && r.pid > 0) {
        try {
          process.kill(-r.pid, 'SIGKILL');
        } catch {
          // the group is already gone
        }
      }
      // As Python's: None where nothing had arrived.
      const partial = (b: Buffer | null | undefined): OutputOf<O> | null => (b === null || b === undefined || b.length === 0 ? null : output<OutputOf<O>>(mode, b, false));
      throw new TimeoutExpired(args, timeout ?? 0, partial(r.stdout), partial(r.stderr));
    }
    if (r.pid === 0 || r.pid === undefined) throw spawnFailure(p.file, p.cwd, p.pathEnv, p.uid !== undefined || p.gid !== undefined);
    throw err;
  }
  const returnCode = r.status ?? -(r.signal === null ? 0 : (osSignals[r.signal] ?? 0));
  const stdout = output<OutputOf<O>>(mode, r.stdout);
  const stderr = output<OutputOf<O>>(mode, r.stderr);
  if (check && returnCode !== 0) throw failure(returnCode, args, stdout, stderr, shell);
  return new CompletedProcess(args, returnCode, stdout, stderr, shell);
}

/** `call` that blocks: the return code. */
export function callSync(args: Command, options?: SyncOptions): number {
  return runSync(args, options).returnCode;
}

/** `checkCall` that blocks. */
export function checkCallSync(args: Command, options?: SyncOptions): number {
  return runSync(args, { ...options, check: true }).returnCode;
}

/** `checkOutput` that blocks. */
export function checkOutputSync<O extends Omit<SyncOptions, 'stdout' | 'capture' | 'check'> = SyncOptions>(args: Command, options?: O): OutputOf<O> {
  return runSync(args, checkOutputOptions(options)).stdout as OutputOf<O>;
}
