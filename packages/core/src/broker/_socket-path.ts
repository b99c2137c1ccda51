import { nodeCrypto } from '../_builtins.js';
import { nodeFs, nodeOs } from '../_builtins.js';
import { join } from 'node:path';
import { isMainThread, threadId } from 'node:worker_threads';

/**
 * Where a heap's broker listens. The sockets of every heap of a process sit
 * in one private directory (mode 0700) named for the process, so that the
 * main thread's exit removes the sockets a terminated worker could not.
 * A process that never reaches its exit handler (SIGTERM, SIGKILL) leaves its
 * directory behind: its parent removes it when the child has ended, and the
 * first broker of any later process sweeps those of processes that are gone.
 */
export interface SocketPlace {
  readonly address: string;
  /** Removes this heap's socket (and the directory, when the process is ending or it is empty). */
  readonly remove: (processEnding: boolean) => void;
}

const PREFIX = 'ipc-broker-';
/** `ipc-broker-<pid>`, or `ipc-broker-<pid>-XXXXXX` (mkdtemp's) where the first was taken. */
const DIR_NAME = /^ipc-broker-(\d+)(?:-[A-Za-z0-9]{6})?$/;

/** This thread's directory, once made or adopted. */
let dirPath: string | undefined;

export function socketPlace(): SocketPlace {
  const name = `${threadId}-${nodeCrypto().randomBytes(8).toString('hex')}`;
  if (process.platform === 'win32') return { address: `\\\\.\\pipe\\${PREFIX}${process.pid}-${name}`, remove: () => undefined };
  const dir = privateDir();
  const address = join(dir, `${name}.sock`);
  return {
    address,
    remove: (processEnding) => {
      try {
        nodeFs().rmSync(address, { force: true });
        if (processEnding && isMainThread) nodeFs().rmSync(dir, { recursive: true, force: true });
        else nodeFs().rmdirSync(dir); // only if no other heap's socket is left in it
      } catch {
        // Not empty, or already gone.
      }
    },
  };
}

/**
 * The process's directory, made on first use (most heaps never start a broker), or adopted if it is
 * ours and private (another thread of this process made it); a fresh one beside it otherwise
 * (another user's, or one we cannot trust), named for this process too, so that a sweep knows whose.
 */
function privateDir(): string {
  const tmp = nodeOs().tmpdir();
  const pidDir = join(tmp, `${PREFIX}${process.pid}`);
  const first = dirPath === undefined;
  try {
    nodeFs().mkdirSync(pidDir, { mode: 0o700 });
    dirPath = pidDir;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const st = nodeFs().lstatSync(pidDir);
    dirPath = st.isDirectory() && st.uid === process.getuid?.() && (st.mode & 0o077) === 0 ? pidDir : nodeFs().mkdtempSync(`${pidDir}-`);
  }
  // Once per process, off the caller's path: the sweep reads the whole temporary directory.
  if (first && isMainThread) setImmediate(() => removeStaleSocketDirs()).unref();
  return dirPath;
}

/**
 * Removes the broker directories (this user's) of processes that are gone: of `pid` alone, or
 * of every one found in the temporary directory. A process still alive keeps its own, whoever
 * it is.
 */
export function removeStaleSocketDirs(pid?: number): void {
  if (process.platform === 'win32') return;
  const tmp = nodeOs().tmpdir();
  let names: string[];
  try {
    names = nodeFs().readdirSync(tmp).filter((n) => n.startsWith(PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const owner = DIR_NAME.exec(name)?.[1];
    if (owner === undefined || Number(owner) === process.pid || (pid !== undefined && Number(owner) !== pid) || isAlive(Number(owner))) continue;
    try {
      const path = join(tmp, name);
      if (nodeFs().lstatSync(path).uid === process.getuid?.()) nodeFs().rmSync(path, { recursive: true, force: true });
    } catch {
      // Gone meanwhile, or not ours to remove.
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: alive, another user's.
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

// The main thread's exit ends every heap of the process: their sockets go with the directory.
if (isMainThread && process.platform !== 'win32') {
  process.once('exit', () => {
    // This thread's, and the process's own (where another thread made it).
    for (const dir of new Set([dirPath, join(nodeOs().tmpdir(), `${PREFIX}${process.pid}`)])) {
      if (dir === undefined) continue;
      try {
        if (nodeFs().lstatSync(dir).uid === process.getuid?.()) nodeFs().rmSync(dir, { recursive: true, force: true });
      } catch {
        // Never made, or already gone.
      }
    }
  });
}
