import { ArgumentError } from '@ipc/core';

const SAFE = /^[\w@%+=:,./-]+$/;

/** Quotes a string for a POSIX shell, as Python's `shlex.quote`: safe strings are left as they are. */
export function quote(s: string): string {
  if (typeof s !== 'string') throw new ArgumentError(`quote() takes a string, got ${typeof s}`);
  if (s.length === 0) return "''";
  if (SAFE.test(s)) return s;
  return `'${s.replace(/'/g, `'"'"'`)}'`;
}

/** Quotes each argument and joins them with spaces (Python's `shlex.join`). */
export function join(args: readonly string[]): string {
  return args.map(quote).join(' ');
}
