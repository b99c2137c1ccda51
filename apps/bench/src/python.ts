import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { SubjectResult } from './types.js';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../python/peers.py', import.meta.url));

/** The python3 to use, or undefined when the machine has none (the Python columns are then skipped with a message). */
export async function findPython(): Promise<string | undefined> {
  for (const exe of ['python3', 'python']) {
    try {
      const { stdout } = await run(exe, ['-c', 'import sys; print(sys.version_info[0])']);
      if (stdout.trim() === '3') return exe;
    } catch {
      // try the next name
    }
  }
  return undefined;
}

/** Runs one figure of the Python peer script; it prints `{"value": …, "maxRss": …}` (its own median over repetitions). */
export async function pythonFigure(exe: string, name: string, size: number, repetitions: number): Promise<SubjectResult> {
  const { stdout } = await run(exe, [script, name, String(size), String(repetitions)], { timeout: 300_000, maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as SubjectResult;
}
