import { setTimeout as sleep } from 'node:timers/promises';
import { format, inspect } from 'node:util';
import type { DemoArgs } from './args.js';
import { ProgressBar, type Terminal } from './progress-bar.js';
import type { ContextKind, Scenario, ScenarioContext, TaskEndLike, TaskRecord } from './scenario.js';
import { renderTimeline } from './timeline.js';

/** Where the demo writes: process.stdout and process.stderr, or a test's collectors. */
export interface DemoIo {
  readonly out: Terminal;
  readonly err: { write(text: string): unknown };
}

export interface Row {
  readonly id: string;
  readonly context: ContextKind | '-';
  readonly outcome: 'ok' | 'FAILED';
  readonly ms: number;
}

/** Picks the scenarios the selectors name (ids or topics); all when there are none. */
export function select(all: readonly Scenario[], selectors: readonly string[]): Scenario[] {
  if (selectors.length === 0) return [...all];
  const unknown = selectors.filter((sel) => !all.some((s) => s.id === sel || s.topics.includes(sel)));
  if (unknown.length > 0) throw new Error(`no scenario or topic named ${unknown.join(', ')} (see --list)`);
  return all.filter((s) => selectors.some((sel) => s.id === sel || s.topics.includes(sel)));
}

/** Runs each scenario (in each asked context where it starts processes), prints the summary, returns the failures. */
export async function runScenarios(all: readonly Scenario[], args: DemoArgs, io: DemoIo): Promise<number> {
  const rows: Row[] = [];
  const println = (text: string): void => void io.out.write(`${text}\n`);
  for (const scenario of select(all, args.selectors)) {
    const contexts: (ContextKind | '-')[] = scenario.usesContext ? args.contexts : ['-'];
    for (const context of contexts) {
      println(`\n── ${scenario.id} ${scenario.title}${context === '-' ? '' : ` (${context})`}`);
      const bar = new ProgressBar(io.out);
      const records: TaskRecord[] = [];
      const untrack: (() => void)[] = [];
      const recordTask = (record: TaskRecord): void => {
        records.push(record);
        bar.tick();
      };
      const ctx: ScenarioContext = {
        context: context === '-' ? 'thread' : context,
        scale: args.scale,
        seconds: args.seconds,
        log: (...parts) => println(format(...parts)),
        sleep: (seconds) => sleep(seconds * 1000 * args.scale),
        progress: (total) => bar.start(total),
        recordTask,
        track: (pool, total) => {
          if (total !== undefined) bar.start(total);
          const listener = (e: TaskEndLike): void => recordTask({ worker: e.worker, label: String(e.task), start: e.start, end: e.end });
          pool.on('task', listener);
          untrack.push(() => pool.off?.('task', listener));
        },
      };
      const start = performance.now();
      let outcome: Row['outcome'] = 'ok';
      try {
        await scenario.run(ctx);
      } catch (err) {
        outcome = 'FAILED';
        io.err.write(`${scenario.id} failed: ${inspect(err)}\n`);
      } finally {
        for (const stop of untrack) stop();
        bar.stop();
      }
      rows.push({ id: scenario.id, context, outcome, ms: performance.now() - start });
      if (args.timeline && records.length > 0) println(`\n${renderTimeline(records, io.out.columns ?? 100)}`);
    }
  }
  println(`\n${renderSummary(rows)}`);
  return rows.filter((r) => r.outcome === 'FAILED').length;
}

/** The table printed at the end: scenario, context, outcome, time. */
export function renderSummary(rows: readonly Row[]): string {
  const lines = ['scenario  context  outcome  time'];
  for (const r of rows) {
    lines.push(`${r.id.padEnd(9)} ${r.context.padEnd(8)} ${r.outcome.padEnd(8)} ${(r.ms / 1000).toFixed(2)}s`);
  }
  const failed = rows.filter((r) => r.outcome === 'FAILED').length;
  lines.push('', `${rows.length - failed} passed, ${failed} failed`);
  return lines.join('\n');
}
