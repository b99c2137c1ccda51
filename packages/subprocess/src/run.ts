import { CompletedProcess } from './completed-process.js';
import { failure } from './_failure.js';
import type { Command } from './errors.js';
import { Popen } from './popen.js';
import { checkOutputOptions, splitRunOptions } from './_run-options.js';
import type { OutputOf, PopenOptions, RunOptions } from './options.js';

/**
 * Runs a command to its end: Python's `subprocess.run`. On a timeout or an
 * abort the child is stopped (SIGTERM, SIGKILL after `gracePeriod`; its whole
 * group with `processGroup`, the default with `shell`) and the call rejects
 * at once, even if a grandchild still holds the output pipe.
 */
export async function run<O extends RunOptions = RunOptions>(args: Command, options?: O): Promise<CompletedProcess<OutputOf<O>>> {
  const { popen, input, timeout, check, signal, shell } = splitRunOptions(options ?? {});
  signal?.throwIfAborted();
  const p = new Popen<PopenOptions>(args, popen);
  let stdout: OutputOf<O> | null;
  let stderr: OutputOf<O> | null;
  try {
    [stdout, stderr] = (await p.communicate(input, { timeout, signal })) as [OutputOf<O> | null, OutputOf<O> | null];
    if (p.pumps.length > 0) await Promise.all(p.pumps);
  } catch (err) {
    p.stop();
    throw err;
  }
  const returnCode = p.returnCode as number;
  if (check && returnCode !== 0) throw failure(returnCode, args, stdout, stderr, shell);
  return new CompletedProcess(args, returnCode, stdout, stderr, shell);
}

/** Runs a command and gives its return code (Python's `call`). Output goes where the options say (inherited by default). */
export async function call(args: Command, options?: RunOptions): Promise<number> {
  return (await run(args, options)).returnCode;
}

/** Runs a command; `CalledProcessError` unless it returns 0 (Python's `check_call`). Resolves with 0. */
export async function checkCall(args: Command, options?: RunOptions): Promise<number> {
  return (await run(args, { ...options, check: true })).returnCode;
}

/** Runs a command and gives its stdout; `CalledProcessError` unless it returns 0 (Python's `check_output`). */
export async function checkOutput<O extends Omit<RunOptions, 'stdout' | 'capture' | 'check'> = RunOptions>(args: Command, options?: O): Promise<OutputOf<O>> {
  const r = await run(args, checkOutputOptions(options));
  return r.stdout as OutputOf<O>;
}
