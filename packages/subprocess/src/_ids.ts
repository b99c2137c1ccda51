import { readFileSync } from 'node:fs';
import { ArgumentError } from '@ipc/core';

// A name's id from /etc/passwd or /etc/group (Python looks it up with pwd / grp).
function lookup(file: string, name: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === name && fields[2] !== undefined && /^\d+$/.test(fields[2])) return Number(fields[2]);
  }
  return undefined;
}

/** Python's `user=` / `group=`: an id, or a name looked up in /etc/passwd or /etc/group; `ArgumentError` for a negative id or an unknown name. */
export function resolveId(value: string | number | undefined, kind: 'user' | 'group'): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) throw new ArgumentError(`${kind === 'user' ? 'User' : 'Group'} ID cannot be negative, got ${String(value)}`);
    return value;
  }
  if (typeof value !== 'string') throw new ArgumentError(`${kind} must be a name or a numeric id`);
  const id = lookup(kind === 'user' ? '/etc/passwd' : '/etc/group', value);
  if (id === undefined) throw new ArgumentError(`${kind === 'user' ? 'getpwnam' : 'getgrnam'}(): name not found: '${value}'`);
  return id;
}
