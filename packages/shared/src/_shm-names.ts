/**
 * Names of shared memory blocks, machine-wide for this user as POSIX shm
 * names are: a file per name in a private directory (mode 0700), made with
 * O_EXCL so that two creators cannot both win. It records the creator's pid;
 * a name whose creator died without unlinking is stale and reclaimed (what
 * Python's resource tracker does), and names this process made are removed
 * when it exits (its main thread's exit: the OS process's).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';

export interface NameRecord {
  readonly pid: number;
  readonly size: number;
}

let dir: string | undefined;
const mine = new Set<string>();
let exitHook = false;

function directory(): string {
  if (dir === undefined) {
    let user: string;
    try {
      user = String(userInfo().uid);
    } catch {
      user = 'user';
    }
    dir = join(tmpdir(), `ipc-shm-${user}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
  return dir;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Claims `name`; false if a live block has it. */
export function claimName(name: string, size: number): boolean {
  const file = join(directory(), name);
  const text = JSON.stringify({ pid: process.pid, size } satisfies NameRecord);
  try {
    writeFileSync(file, text, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    if (lookupName(name) !== undefined) return false;
    // Stale: its creator died without unlinking. Take it over.
    rmSync(file, { force: true });
    try {
      writeFileSync(file, text, { flag: 'wx', mode: 0o600 });
    } catch {
      return false;
    }
  }
  mine.add(file);
  if (!exitHook && isMainThread) {
    exitHook = true;
    process.once('exit', () => {
      for (const f of mine) rmSync(f, { force: true });
    });
  }
  return true;
}

/** The record of a live block's name, or undefined (a stale one is removed). */
export function lookupName(name: string): NameRecord | undefined {
  const file = join(directory(), name);
  let rec: NameRecord;
  try {
    rec = JSON.parse(readFileSync(file, 'utf8')) as NameRecord;
  } catch {
    return undefined;
  }
  if (rec.pid !== process.pid && !alive(rec.pid)) {
    rmSync(file, { force: true });
    return undefined;
  }
  return rec;
}

/** Removes the name; false if it was not there. */
export function releaseName(name: string): boolean {
  const file = join(directory(), name);
  mine.delete(file);
  try {
    rmSync(file);
    return true;
  } catch {
    return false;
  }
}
