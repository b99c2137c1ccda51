import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { FileNotFoundError, PermissionError, SpawnError } from './errors.js';

type Found = 'ok' | 'missing' | 'denied';

function check(path: string): Found {
  try {
    if (statSync(path).isDirectory()) return 'denied';
    accessSync(path, constants.X_OK);
    return 'ok';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EACCES' ? 'denied' : 'missing';
  }
}

/** Looks a program up as `execvp` does: a name with a slash is a path, else each directory of PATH. */
export function which(file: string, pathEnv: string | undefined, cwd: string): Found {
  if (file.includes('/')) return check(resolve(cwd, file));
  let denied = false;
  for (const dir of (pathEnv ?? '/usr/local/bin:/usr/bin:/bin').split(delimiter)) {
    const found = check(join(resolve(cwd, dir === '' ? '.' : dir), file));
    if (found === 'ok') return 'ok';
    if (found === 'denied') denied = true;
  }
  return denied ? 'denied' : 'missing';
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Node reports a failed spawn only on the next tick; Python raises from the
 * constructor. On that (rare) path we find the reason ourselves, synchronously.
 */
export function spawnFailure(file: string, cwd: string | undefined, pathEnv: string | undefined, asOther = false): Error {
  if (cwd !== undefined && !isDirectory(cwd)) return new FileNotFoundError(cwd);
  const found = which(file, pathEnv, cwd ?? process.cwd());
  if (found === 'missing') return new FileNotFoundError(file);
  if (found === 'denied') return new PermissionError(file);
  // Switching user or group needs the privilege to: Python's PermissionError, EPERM.
  if (asOther) return new SpawnError(`[Errno 1] Operation not permitted: could not start '${file}' as the given user or group`, 'EPERM', file);
  return new SpawnError(`could not start '${file}': out of processes or file descriptors`, 'EAGAIN', file);
}
