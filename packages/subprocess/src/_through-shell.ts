import { existsSync } from 'node:fs';
import { ArgumentError } from '@ipc/core';
import { FileNotFoundError, PermissionError } from './errors.js';
import { which } from './_which.js';

/** What to exec: the program, its arguments, and its argv[0] where that differs from the program. */
export interface Launch {
  file: string;
  argv: string[];
  argv0: string | undefined;
}

const BASHES = ['/bin/bash', '/usr/bin/bash', '/usr/local/bin/bash'];

/** Python's `umask=`: a mode 0..0o777, or none for a negative one (Python's default, -1). */
export function umaskStep(umask: number | undefined): string | null {
  if (umask === undefined || umask === null) return null;
  if (typeof umask !== 'number' || !Number.isInteger(umask) || umask > 0o777) throw new ArgumentError(`umask must be a mode from 0 to 0o777 (or negative for none), got ${typeof umask === 'number' ? `0o${umask.toString(8)}` : String(umask)}`);
  return umask < 0 ? null : `umask ${umask.toString(8).padStart(3, '0')}`;
}

/**
 * Runs `steps` (`exec 2>&1`, `umask 077`: what Node's spawn cannot do between
 * fork and exec) in a shell that then execs the program — same pid, no
 * quoting. With `shell` they go before the command line. Otherwise the program
 * must exist (Python's FileNotFoundError, at once, not from the shell), and an
 * argv[0] other than the program needs bash's `exec -a`: POSIX sh has none.
 */
export function throughShell(l: Launch, steps: string[], shell: boolean, pathEnv: string | undefined, cwd: string | undefined): Launch {
  if (steps.length === 0) return l;
  const prelude = steps.join('; ');
  // A line of its own, run before the command is parsed: a syntax error is then merged too (its message says line 2).
  if (shell) return { ...l, argv: ['-c', `${prelude}\n${l.argv[1] ?? ''}`, ...l.argv.slice(2)] };
  const found = which(l.file, pathEnv, cwd ?? process.cwd());
  if (found !== 'ok') throw found === 'missing' ? new FileNotFoundError(l.file) : new PermissionError(l.file);
  if (l.argv0 === undefined || l.argv0 === l.file) return { file: '/bin/sh', argv: ['-c', `${prelude}; exec "$0" "$@"`, l.file, ...l.argv], argv0: undefined };
  const bash = BASHES.find((b) => existsSync(b));
  if (bash === undefined) throw new ArgumentError(`an argv[0] other than the program (argv0, executable) together with stderr: STDOUT into a pipe or umask needs bash, and none was found in ${BASHES.join(', ')}`);
  return { file: bash, argv: ['-c', `${prelude}; exec -a "$0" "$@"`, l.argv0, l.file, ...l.argv], argv0: undefined };
}
