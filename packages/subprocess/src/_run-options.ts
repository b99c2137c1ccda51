import { ArgumentError } from '@ipc/core';
import type { PopenOptions, RunOptions } from './options.js';

export interface SplitRun {
  popen: PopenOptions;
  input: string | Uint8Array | undefined;
  timeout: number | undefined;
  check: boolean;
  signal: AbortSignal | undefined;
  shell: boolean;
}

/** Python's checks of `run`'s own arguments, and the Popen options they imply. */
export function splitRunOptions(o: RunOptions): SplitRun {
  const { input, capture, timeout, check, signal, ...popen } = o;
  if (input !== undefined && input !== null) {
    if (popen.stdin !== undefined && popen.stdin !== null) throw new ArgumentError('stdin and input may not both be used');
    popen.stdin = 'pipe';
  }
  if (capture === true) {
    if ((popen.stdout ?? null) !== null || (popen.stderr ?? null) !== null) throw new ArgumentError('stdout and stderr may not be used with capture');
    popen.stdout = 'pipe';
    popen.stderr = 'pipe';
  }
  return { popen, input: input ?? undefined, timeout: timeout ?? undefined, check: check === true, signal, shell: o.shell !== undefined && o.shell !== false };
}

/**
 * As Python's check_output: an argument that would be silently overridden is
 * refused, and an explicit `input: null` is empty input (not the parent's stdin).
 */
export function checkOutputOptions(o: RunOptions | undefined): RunOptions {
  if ((o?.stdout ?? null) !== null || o?.capture === true) throw new ArgumentError('stdout argument not allowed, it will be overridden (checkOutput captures stdout itself)');
  if (o?.check !== undefined) throw new ArgumentError('check argument not allowed, it will be overridden (checkOutput always checks)');
  const out: RunOptions = { ...o, stdout: 'pipe', check: true };
  if (o !== undefined && 'input' in o && o.input === null) out.input = '';
  return out;
}
