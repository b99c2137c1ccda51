/**
 * Where a Listener given no address listens: Python's `arbitrary_address('AF_UNIX')`, a fresh name in
 * a temporary directory of the process that lives until the process ends (`util.get_temp_dir()`) —
 * so the address may be listened on again once the first Listener has closed (a manager restarted
 * at its own address, CPython's _TestManagerRestart). Ours is @ipc/core's socket directory of the
 * process (its brokers' too): private, removed when the process ends, and by its parent or a later
 * process's sweep when it ended by a signal. `close()` removes only the socket (Node unlinks it).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { _processSocketDir } from '@ipc/core';

export function arbitraryUnixAddress(): string {
  return join(_processSocketDir(), `listener-${randomBytes(6).toString('hex')}`);
}
