import { nodeCrypto } from '../_builtins.js';
import { nodeFs, nodeOs } from '../_builtins.js';
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

let processDirPath: string | undefined;
/** Made on first use: most heaps never start a broker. */
const processDir = (): string => (processDirPath ??= join(nodeOs().tmpdir(), `ipc-broker-${process.pid}`));

export function socketPlace(): SocketPlace {
  const name = `${threadId}-${nodeCrypto().randomBytes(8).toString('hex')}`;
  if (process.platform === 'win32') return { address: `\\\\.\\pipe\\ipc-broker-${process.pid}-${name}`, remove: () => undefined };
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

/** The process's directory, made or adopted if it is ours and private; a random one otherwise (another user's, or a stale one we cannot trust). */
function privateDir(): string {
  try {
    nodeFs().mkdirSync(processDir(), { mode: 0o700 });
    return processDir();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const st = nodeFs().lstatSync(processDir());
  if (st.isDirectory() && st.uid === process.getuid?.() && (st.mode & 0o077) === 0) return processDir();
  return nodeFs().mkdtempSync(join(nodeOs().tmpdir(), 'ipc-broker-'));
}

// The main thread's exit ends every heap of the process: their sockets go with the directory.
if (isMainThread && process.platform !== 'win32') {
  process.once('exit', () => {
    try {
      const st = nodeFs().lstatSync(processDir());
      if (st.uid === process.getuid?.()) nodeFs().rmSync(processDir(), { recursive: true, force: true });
    } catch {
      // Never made.
    }
  });
}
