import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ScenarioContext } from './scenario.js';

/** Which of document 004's clock programs to run. */
export type ClockVariant = 'process' | 'process-daemon-false' | 'process-daemon-true' | 'process-subclass' | 'thread-daemon' | 'thread-subclass';

export interface ClockRun {
  /** Clock lines printed after the main program's last line. */
  readonly ticksAfterMain: number;
  /** How long the program lived after its main code ended, in ms. */
  readonly livedAfterMainMs: number;
}

const PROGRAM = fileURLToPath(new URL('./programs/S004-clock-program.js', import.meta.url));

/**
 * Runs a clock program as its own OS process (what these examples show is
 * whether a program exits when its main code ends), relays its lines, and
 * reports what happened after its main code ended. The document's 2-second
 * interval is scaled, and kept small enough that the --seconds bound leaves
 * room for several ticks after the main code ends.
 */
export async function runClockProgram(ctx: ScenarioContext, variant: ClockVariant): Promise<ClockRun> {
  const boundMs = ctx.seconds * 1000;
  const interval = Math.min(2000 * ctx.scale, boundMs / 8);
  const work = 2.5 * interval;
  const child = spawn(process.execPath, [...process.execArgv, PROGRAM, variant, ctx.context, String(interval), String(boundMs), String(work)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // Never outlive a broken program by much.
  const guard = setTimeout(() => child.kill('SIGKILL'), boundMs + 15_000);
  let mainEnded: number | undefined;
  let ticksAfterMain = 0;
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    ctx.log(line);
    if (line === 'hello!') {
      mainEnded = Date.now();
      ctx.log('(主程序到此结束 · the main program ends here)');
    } else if (mainEnded !== undefined && line.startsWith('The time is')) ticksAfterMain++;
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('close', (c, s) => resolve([c, s])));
  clearTimeout(guard);
  if (code !== 0) throw new Error(`the clock program ended with ${signal ?? `exit code ${String(code)}`}`);
  if (mainEnded === undefined) throw new Error('the clock program ended before its main code did');
  return { ticksAfterMain, livedAfterMainMs: Date.now() - mainEnded };
}

/** The check of S004-1, -2, -4 and -12: a non-daemon clock keeps the program alive after its main code ends. */
export function expectKeptAlive(ctx: ScenarioContext, run: ClockRun, what: string): void {
  const seconds = (run.livedAfterMainMs / 1000).toFixed(2);
  ctx.log(`the program exited ${seconds}s after its main code ended: the non-daemon ${what} kept it alive (${run.ticksAfterMain} ticks after main)`);
  if (run.ticksAfterMain < 2) throw new Error(`a non-daemon ${what} should keep the program alive, but it ticked ${run.ticksAfterMain} time(s) after main ended`);
}

/** The check of S004-3 and -11: a daemon clock ends with the program's main code. */
export function expectEndedWithMain(ctx: ScenarioContext, run: ClockRun, what: string): void {
  const seconds = (run.livedAfterMainMs / 1000).toFixed(2);
  ctx.log(`the program exited ${seconds}s after its main code ended, and the daemon ${what} with it`);
  // One tick may race with the end of main; a daemon that kept going would tick on and on.
  if (run.ticksAfterMain > 1) throw new Error(`a daemon ${what} should end with the program, but it ticked ${run.ticksAfterMain} times after main ended`);
}
