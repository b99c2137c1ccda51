import { CalledProcessError, CommandNotFoundError, type Command } from './errors.js';

// "sh: 1: python1: not found" (dash), "bash: line 1: python1: command not found" (bash).
const NOT_FOUND = /([^\s:]+): (?:command )?not found\s*$/m;

/** The error a failed return code means: with a shell, 127 is "command not found" and names the program. */
export function failure<T extends string | Buffer>(returnCode: number, args: Command, stdout: T | null, stderr: T | null, shell: boolean): CalledProcessError<T> {
  if (shell && returnCode === 127) {
    const said = stderr === null ? null : NOT_FOUND.exec(typeof stderr === 'string' ? stderr : stderr.toString('utf8'));
    const first = (typeof args === 'string' ? args : (args[0] ?? '')).trim().split(/\s+/)[0] ?? '';
    return new CommandNotFoundError(said?.[1] ?? first, args, stdout, stderr);
  }
  return new CalledProcessError(returnCode, args, stdout, stderr);
}
