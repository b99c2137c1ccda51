/**
 * Where a Listener given no address listens: Python's `arbitrary_address('AF_UNIX')`, a fresh name in
 * a temporary directory of the process that lives until the process ends (`util.get_temp_dir()`) —
 * so the address may be listened on again once the first Listener has closed (a manager restarted
 * at its own address, CPython's _TestManagerRestart). Ours: one directory per thread, made on first
 * use and removed when the thread ends; `close()` removes only the socket (Node unlinks it).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let dir: string | undefined;

export function arbitraryUnixAddress(): string {
  if (dir === undefined || !existsSync(dir)) {
    if (dir === undefined) process.once('exit', () => dir !== undefined && rmSync(dir, { recursive: true, force: true }));
    dir = mkdtempSync(join(tmpdir(), 'ipc-listener-'));
  }
  return join(dir, `listener-${randomBytes(6).toString('hex')}`);
}
