import type { Command } from './errors.js';
import { PIPE, STDOUT, type PopenOptions } from './options.js';
import { run } from './run.js';
import { runSync } from './run-sync.js';

/** What Python's `getoutput` / `getstatusoutput` take besides the command. */
export interface GetOutputOptions {
  encoding?: PopenOptions['encoding'];
  errors?: PopenOptions['errors'];
}

// As Python's: through the shell, in text mode, stderr merged into stdout (in the order written).
function options(o: GetOutputOptions | undefined): PopenOptions {
  return { encoding: o?.encoding, errors: o?.errors, shell: true, text: true, stdout: PIPE, stderr: STDOUT };
}

// One trailing newline goes, as in Python.
function strip(s: string | Buffer | null): string {
  const text = typeof s === 'string' ? s : '';
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}

/** Python's `getstatusoutput`: runs `cmd` in a shell; `[returnCode, output]`, stderr included, one trailing newline stripped. Never throws for a failing command. */
export async function getStatusOutput(cmd: Command, o?: GetOutputOptions): Promise<[number, string]> {
  const r = await run(cmd, options(o));
  return [r.returnCode, strip(r.stdout)];
}

/** Python's `getoutput`: the output of `getStatusOutput`, whatever the return code. */
export async function getOutput(cmd: Command, o?: GetOutputOptions): Promise<string> {
  return (await getStatusOutput(cmd, o))[1];
}

/** `getStatusOutput` that blocks. */
export function getStatusOutputSync(cmd: Command, o?: GetOutputOptions): [number, string] {
  const r = runSync(cmd, options(o));
  return [r.returnCode, strip(r.stdout)];
}

/** `getOutput` that blocks. */
export function getOutputSync(cmd: Command, o?: GetOutputOptions): string {
  return getStatusOutputSync(cmd, o)[1];
}
