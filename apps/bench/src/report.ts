import type { Benchmark, SubjectResult, Unit } from './types.js';

export interface Row {
  group: string;
  name: string;
  unit: Unit;
  results: Record<string, SubjectResult | { skipped: string }>;
  /** @ipc's advantage over each peer: > 1 means @ipc is better (faster, or more throughput). */
  ratios: Record<string, number>;
  targets: { peer: string; atLeast: number; met: boolean | null }[];
}

export function isResult(r: SubjectResult | { skipped: string } | undefined): r is SubjectResult {
  return r !== undefined && 'value' in r;
}

/** Lower is better for times, higher for throughputs: a ratio always reads "how many times better @ipc is". */
export function advantage(unit: Unit, ours: number, peer: number): number {
  return unit === 'ms' ? peer / ours : ours / peer;
}

export function makeRow(bench: Benchmark, results: Row['results']): Row {
  const ours = results['@ipc'];
  const ratios: Record<string, number> = {};
  if (isResult(ours)) {
    for (const [peer, r] of Object.entries(results)) if (peer !== '@ipc' && isResult(r)) ratios[peer] = advantage(bench.unit, ours.value, r.value);
  }
  const targets = (bench.targets ?? []).map((t) => ({ ...t, met: ratios[t.peer] === undefined ? null : ratios[t.peer]! >= t.atLeast }));
  return { group: bench.group, name: bench.name, unit: bench.unit, results, ratios, targets };
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return '-';
  if (n >= 1000) return Math.round(n).toLocaleString('en-US');
  if (n >= 10) return n.toFixed(1);
  return n.toPrecision(3);
}

function mb(bytes: number): string {
  return `${(bytes / 1048576).toFixed(0)} MB`;
}

/** The table: figure, @ipc, each peer with the ratio, and the targets of the issues marked met or not. */
export function formatTable(rows: readonly Row[]): string {
  const lines: string[] = [];
  for (const row of rows) {
    lines.push(`\n${row.group} / ${row.name}  (${row.unit})`);
    for (const [subject, r] of Object.entries(row.results)) {
      if (!isResult(r)) {
        lines.push(`  ${subject.padEnd(14)} skipped: ${r.skipped}`);
        continue;
      }
      const ratio = row.ratios[subject];
      const rel = ratio === undefined ? '' : `  @ipc is ${fmt(ratio)}× ${ratio >= 1 ? 'better' : 'worse'}`;
      lines.push(`  ${subject.padEnd(14)} ${fmt(r.value).padStart(12)}  peak RSS ${mb(r.maxRss).padStart(7)}${rel}`);
    }
    for (const t of row.targets) {
      const mark = t.met === null ? '? (peer missing)' : t.met ? 'met' : 'NOT met';
      lines.push(`  target: ≥ ${fmt(t.atLeast)}× ${t.peer} — ${mark}`);
    }
  }
  return lines.join('\n');
}
