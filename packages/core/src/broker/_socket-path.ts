import { nodeCrypto, nodeFs, nodeNet, nodeOs } from '../_builtins.js';
import { join } from 'node:path';
import { isMainThread, threadId } from 'node:worker_threads';

/**
 * Where a heap's broker listens — and any other socket of @ipc this process makes up a name for
 * (a `Listener()` without an address, @ipc/pipe). The sockets of every heap of a process sit in
 * one private directory (mode 0700) named for the process; it stays until the process ends (a
 * thread never removes it: another may be about to listen in it), and the main thread's exit
 * removes it with whatever a terminated worker left. A process that never reaches its exit
 * handler (SIGTERM, SIGKILL) leaves it behind: its parent removes it once the child has ended,
 * and the first broker of any later process sweeps those of processes that are gone.
 */
export interface SocketPlace {
  readonly address: string;
  /** Removes this heap's socket (and the directory, when the process is ending). */
  readonly remove: (processEnding: boolean) => void;
}

const PREFIX = 'ipc-broker-';
/** `ipc-broker-<pid>`, or `ipc-broker-<pid>-XXXXXX` (mkdtemp's) where the first was taken. */
const DIR_NAME = /^ipc-broker-(\d+)(?:-[A-Za-z0-9]{6})?$/;
/** A directory younger than this is never swept: its process may be about to listen in it. */
const SWEEP_MIN_AGE_MS = 60_000;

/** This thread's directory, once made or adopted. */
let dirPath: string | undefined;

export function socketPlace(): SocketPlace {
  const name = `${threadId}-${nodeCrypto().randomBytes(8).toString('hex')}`;
  if (process.platform === 'win32') return { address: `\\\\.\\pipe\\${PREFIX}${process.pid}-${name}`, remove: () => undefined };
  const dir = processSocketDir();
  const address = join(dir, `${name}.sock`);
  return {
    address,
    remove: (processEnding) => {
      try {
        nodeFs().rmSync(address, { force: true });
        if (processEnding && isMainThread) nodeFs().rmSync(dir, { recursive: true, force: true });
      } catch {
        // Already gone.
      }
    },
  };
}

/**
 * The process's socket directory, made on first use (most heaps never need one), or adopted if it
 * is ours and private (another thread of this process made it); a fresh one beside it otherwise
 * (another user's, or one we cannot trust), named for this process too, so that a sweep knows whose.
 */
export function processSocketDir(): string {
  if (dirPath !== undefined && nodeFs().existsSync(dirPath)) return dirPath;
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
  if (first && isMainThread) setImmediate(() => void sweepStaleSocketDirs()).unref();
  return dirPath;
}

/** Removes the socket directory of `pid`, a child of ours that has ended (this user's, by its name alone). */
export function removeSocketDirOf(pid: number): void {
  if (process.platform === 'win32' || isAlive(pid)) return;
  const dir = join(nodeOs().tmpdir(), `${PREFIX}${pid}`);
  try {
    if (nodeFs().lstatSync(dir).uid === process.getuid?.()) nodeFs().rmSync(dir, { recursive: true, force: true });
  } catch {
    // Never made, or gone already.
  }
}

/**
 * Removes the socket directories (this user's) of processes that are gone: the process is not
 * alive here, the directory is older than a minute, and no socket in it takes a connection — a
 * process of another pid namespace sharing this temporary directory looks dead to `kill(pid, 0)`,
 * but its broker still answers.
 */
export async function sweepStaleSocketDirs(): Promise<void> {
  if (process.platform === 'win32') return;
  const tmp = nodeOs().tmpdir();
  let names: string[];
  try {
    names = nodeFs().readdirSync(tmp).filter((n) => n.startsWith(PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const owner = Number(DIR_NAME.exec(name)?.[1] ?? Number.NaN);
    if (Number.isNaN(owner) || owner === process.pid || isAlive(owner)) continue;
    const path = join(tmp, name);
    try {
      const st = nodeFs().lstatSync(path);
      if (!st.isDirectory() || st.uid !== process.getuid?.() || Date.now() - st.mtimeMs < SWEEP_MIN_AGE_MS) continue;
      const sockets = nodeFs().readdirSync(path).filter((n) => n.endsWith('.sock') || n.startsWith('listener-'));
      if ((await Promise.all(sockets.map((s) => answers(join(path, s))))).some(Boolean)) continue;
      nodeFs().rmSync(path, { recursive: true, force: true });
    } catch {
      // Gone meanwhile, or not ours to remove.
    }
  }
}

/** Whether something listens at the Unix socket `path` (a refused or missing socket: no). */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = nodeNet().createConnection(path);
    const done = (yes: boolean): void => {
      sock.destroy();
      resolve(yes);
    };
    sock.once('connect', () => done(true));
    sock.once('error', (err: NodeJS.ErrnoException) => done(err.code !== 'ECONNREFUSED' && err.code !== 'ENOENT'));
    sock.setTimeout(1000, () => done(true));
    sock.unref();
  });
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
