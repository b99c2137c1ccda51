import type { TaskRecord } from './scenario.js';

/**
 * Draws which worker ran which task when, one lane per worker:
 *
 * ```
 * timeline: 5 tasks on 2 workers, one column ≈ 25 ms
 * PoolWorker-1 │0━━━━━━━━━2━━━━━4━━━━━━━━━━     │
 * PoolWorker-2 │1━━━━━3━━━━━━━━━━━━━━━━━━━━━━━━━│
 *              0s                           0.80s
 * ```
 *
 * Each task is its label followed by `━` up to its end; a gap is idle time.
 */
export function renderTimeline(records: readonly TaskRecord[], columns: number): string {
  if (records.length === 0) return 'timeline: no task was recorded';
  const t0 = Math.min(...records.map((r) => r.start));
  const t1 = Math.max(...records.map((r) => r.end));
  const span = Math.max(1, t1 - t0);
  const workers = [...new Set(records.map((r) => r.worker))].sort(naturalCompare);
  const nameWidth = Math.max(...workers.map((w) => w.length));
  const width = Math.max(10, columns - nameWidth - 3);
  const column = (t: number): number => Math.min(width, Math.max(0, Math.floor(((t - t0) / span) * width)));

  const lanes = new Map(workers.map((w) => [w, { cells: Array.from({ length: width }, () => ' '), starts: new Set<number>() }]));
  // Earliest first; a task shorter than a column takes one cell, and the next one starts after it.
  for (const r of [...records].sort((a, b) => a.start - b.start)) {
    const lane = lanes.get(r.worker)!;
    let from = Math.min(width - 1, column(r.start));
    while (from < width - 1 && lane.starts.has(from)) from++;
    lane.starts.add(from);
    const to = Math.max(from + 1, column(r.end));
    for (let c = from; c < to && c < width; c++) lane.cells[c] = r.label[c - from] ?? '━';
  }

  const perColumn = span / width;
  const lines = [`timeline: ${records.length} task${records.length === 1 ? '' : 's'} on ${workers.length} worker${workers.length === 1 ? '' : 's'}, one column ≈ ${formatMs(perColumn)}`];
  for (const w of workers) lines.push(`${w.padEnd(nameWidth)} │${lanes.get(w)!.cells.join('')}│`);
  const end = `${(span / 1000).toFixed(2)}s`;
  lines.push(`${' '.repeat(nameWidth)} 0s${end.padStart(width)}`);
  return lines.join('\n');
}

/** `PoolWorker-2` before `PoolWorker-10`. */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 10 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`;
}
