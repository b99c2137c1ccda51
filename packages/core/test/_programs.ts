import { spawn } from 'node:child_process';

/** What a parent program gave: its exit code, stdout and stderr. */
export interface ProgramRun {
  code: number | null;
  out: string;
  err: string;
}

/** Programs started and maybe not ended: a test's afterEach kills them (`killPrograms`). */
const programs: { kill(sig: NodeJS.Signals): boolean }[] = [];

/** Runs `node script ...args` to its end, bounded (killed after `ms`): its exit code, stdout and stderr. */
export async function runProgram(script: string, args: string[], ms = 20_000): Promise<ProgramRun> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  programs.push(child);
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  // 'close': the pipes are drained, and every holder of them (a forked child too) has ended.
  const code = await new Promise<number | null>((resolve) => child.once('close', (c: number | null) => resolve(c)));
  clearTimeout(timer);
  return { code, out, err };
}

/** Kills every program `runProgram` started that is still running (for afterEach). */
export function killPrograms(): void {
  for (const c of programs.splice(0)) c.kill('SIGKILL');
}
