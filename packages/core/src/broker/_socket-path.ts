import { nodeCrypto } from '../_builtins.js';
import { lstatSync, mkdirSync, mkdtempSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, threadId } from 'node:worker_threads';

/**
 * Where a heap's broker listens. The sockets of every heap of a process sit
 * in one private directory (mode 0700) named for the process, so that the
 * main thread's exit removes the sockets a terminated worker could not.
 */
export interface SocketPlace {
  readonly address: string;
  /** Removes this heap's socket (and the directory, when the process is ending or it is empty). */
  readonly remove: (processEnding: boolean) => void;
}

const processDir = join(tmpdir(), `ipc-broker-${process.pid}`);

export function socketPlace(): SocketPlace {
  const name = `${threadId}-${nodeCrypto().randomBytes(8).toString('hex')}`;
  if (process.platform === 'win32') return { address: `\\\\.\\pipe\\ipc-broker-${process.pid}-${name}`, remove: () => undefined };
  const dir = privateDir();
  const address = join(dir, `${name}.sock`);
  return {
    address,
    remove: (processEnding) => {
      try {
        rmSync(address, { force: true });
        if (processEnding && isMainThread) rmSync(dir, { recursive: true, force: true });
        else rmdirSync(dir); // only if no other heap's socket is left in it
      } catch {
        // Not empty, or already gone.
      }
    },
  };
}

/** The process's directory, made or adopted if it is ours and private; a random one otherwise (another user's, or a stale one we cannot trust). */
function privateDir(): string {
  try {
    mkdirSync(processDir, { mode: 0o700 });
    return processDir;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const st = lstatSync(processDir);
  if (st.isDirectory() && st.uid === process.getuid?.() && (st.mode & 0o077) === 0) return processDir;
  return mkdtempSync(join(tmpdir(), 'ipc-broker-'));
}

// The main thread's exit ends every heap of the process: their sockets go with the directory.
if (isMainThread && process.platform !== 'win32') {
  process.once('exit', () => {
    try {
      const st = lstatSync(processDir);
      if (st.uid === process.getuid?.()) rmSync(processDir, { recursive: true, force: true });
    } catch {
      // Never made.
    }
  });
}
