import { setTimeout as sleep } from 'node:timers/promises';
import type { DemoArgs } from './args.js';
import type { ContextKind, Scenario, ScenarioContext } from './scenario.js';

interface Row {
  id: string;
  context: ContextKind | '-';
  outcome: 'ok' | 'FAILED';
  ms: number;
}

/** Picks the scenarios the selectors name (ids or topics); all when there are none. */
export function select(all: readonly Scenario[], selectors: readonly string[]): Scenario[] {
  if (selectors.length === 0) return [...all];
  const unknown = selectors.filter((sel) => !all.some((s) => s.id === sel || s.topics.includes(sel)));
  if (unknown.length > 0) throw new Error(`no scenario or topic named ${unknown.join(', ')} (see --list)`);
  return all.filter((s) => selectors.some((sel) => s.id === sel || s.topics.includes(sel)));
}

/** Runs each scenario (in each asked context where it starts processes), prints the summary, returns the failures. */
export async function runScenarios(all: readonly Scenario[], args: DemoArgs): Promise<number> {
  const rows: Row[] = [];
  for (const scenario of select(all, args.selectors)) {
    const contexts: (ContextKind | '-')[] = scenario.usesContext ? args.contexts : ['-'];
    for (const context of contexts) {
      console.log(`\n── ${scenario.id} ${scenario.title}${context === '-' ? '' : ` (${context})`}`);
      const ctx: ScenarioContext = {
        context: context === '-' ? 'thread' : context,
        scale: args.scale,
        seconds: args.seconds,
        log: (...parts) => console.log(...parts),
        sleep: (seconds) => sleep(seconds * 1000 * args.scale),
      };
      const start = performance.now();
      let outcome: Row['outcome'] = 'ok';
      try {
        await scenario.run(ctx);
      } catch (err) {
        outcome = 'FAILED';
        console.error(err);
      }
      rows.push({ id: scenario.id, context, outcome, ms: performance.now() - start });
    }
  }
  printSummary(rows);
  return rows.filter((r) => r.outcome === 'FAILED').length;
}

function printSummary(rows: readonly Row[]): void {
  console.log('\nscenario  context  outcome  time');
  for (const r of rows) {
    console.log(`${r.id.padEnd(9)} ${r.context.padEnd(8)} ${r.outcome.padEnd(8)} ${(r.ms / 1000).toFixed(2)}s`);
  }
  const failed = rows.filter((r) => r.outcome === 'FAILED').length;
  console.log(`\n${rows.length - failed} passed, ${failed} failed`);
}
