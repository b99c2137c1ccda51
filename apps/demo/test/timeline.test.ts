import { describe, expect, it } from 'vitest';
import type { TaskRecord } from '../src/scenario.js';
import { naturalCompare, renderTimeline } from '../src/timeline.js';

const rec = (worker: string, label: string, start: number, end: number): TaskRecord => ({ worker, label, start, end });

describe('renderTimeline', () => {
  it('draws one lane per worker, each task as its label then ━ up to its end', () => {
    const text = renderTimeline(
      [rec('PoolWorker-1', '0', 1000, 1500), rec('PoolWorker-2', '1', 1000, 2000), rec('PoolWorker-1', '2', 1500, 2000)],
      12 + 3 + 20, // name width 12, 20 columns of lane
    );
    const lines = text.split('\n');
    expect(lines[0]).toBe('timeline: 3 tasks on 2 workers, one column ≈ 50 ms');
    expect(lines[1]).toBe('PoolWorker-1 │0━━━━━━━━━2━━━━━━━━━│');
    expect(lines[2]).toBe('PoolWorker-2 │1━━━━━━━━━━━━━━━━━━━│');
    expect(lines[3]).toBe(`${' '.repeat(12)} 0s${'1.00s'.padStart(20)}`);
  });

  it('leaves idle time blank and sorts lanes by worker number, not by text', () => {
    const text = renderTimeline([rec('PoolWorker-10', 'a', 0, 100), rec('PoolWorker-2', 'b', 300, 400)], 13 + 3 + 10);
    const [, first, second] = text.split('\n');
    expect(first).toBe('PoolWorker-2  │       b━━│');
    expect(second).toBe('PoolWorker-10 │a━        │');
  });

  it('gives a task too short for a column one cell, and a long label only its span', () => {
    const text = renderTimeline([rec('w', 'long-label', 0, 1), rec('w', 'x', 1, 1000)], 1 + 3 + 10);
    const lane = text.split('\n')[1]!;
    expect(lane).toBe('w │lx━━━━━━━━│');
  });

  it('says so when nothing was recorded', () => {
    expect(renderTimeline([], 80)).toBe('timeline: no task was recorded');
  });

  it('compares worker names numerically', () => {
    expect(['PoolWorker-10', 'PoolWorker-9', 'PoolWorker-1'].sort(naturalCompare)).toEqual(['PoolWorker-1', 'PoolWorker-9', 'PoolWorker-10']);
  });
});
