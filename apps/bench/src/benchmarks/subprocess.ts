import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { execa } from 'execa';
import { x } from 'tinyexec';
import { run } from '@ipc/subprocess';
import { msPerOp } from '../harness.js';
import type { Benchmark } from '../types.js';

// A trivial command: what matters is what each library adds around the spawn.
const CMD = 'echo';
const ARGS = ['hello'];

const execFileAsync = promisify(execFile);

async function rawExecFile(): Promise<string> {
  return (await execFileAsync(CMD, ARGS)).stdout;
}

export const subprocessBenchmarks: Benchmark[] = [
  {
    group: 'subprocess',
    name: 'run a trivial command, output captured as text',
    unit: 'ms',
    size: 200,
    smokeSize: 2,
    subjects: {
      '@ipc': (n) =>
        msPerOp(n, async () => {
          await run([CMD, ...ARGS], { capture: true, text: true });
        }),
      'raw execFile': (n) =>
        msPerOp(n, async () => {
          await rawExecFile();
        }),
      execa: (n) =>
        msPerOp(n, async () => {
          await execa(CMD, ARGS);
        }),
      tinyexec: (n) =>
        msPerOp(n, async () => {
          await x(CMD, ARGS);
        }),
    },
    targets: [{ peer: 'raw execFile', atLeast: 1 / 1.2 }],
    python: 'subprocess_run_ms',
  },
];
