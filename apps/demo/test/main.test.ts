import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import type { Scenario } from '../src/scenario.js';
import { compareIds, loadScenarios } from '../src/scenarios/index.js';

/** Collects what the demo writes. */
function io(): { out: { text: string; write(t: string): boolean }; err: { text: string; write(t: string): boolean } } {
  const sink = () => ({
    text: '',
    write(t: string) {
      this.text += t;
      return true;
    },
  });
  return { out: sink(), err: sink() };
}

// Scenarios made up here, in the test: the demo itself ships none that fail.
const passing: Scenario = {
  id: 'S900-1',
  title: 'passes',
  topics: ['made-up'],
  usesContext: true,
  run(ctx) {
    ctx.log(`ran in ${ctx.context}`);
    return Promise.resolve();
  },
};
const failing: Scenario = {
  id: 'S900-2',
  title: 'fails',
  topics: ['made-up'],
  usesContext: false,
  run() {
    return Promise.reject(new RangeError('the made-up scenario broke'));
  },
};

describe('main', () => {
  it('exits 0 when every scenario passes, running a context-using one in both contexts', async () => {
    const streams = io();
    expect(await main(['--scale', '0.01'], streams, [passing])).toBe(0);
    expect(streams.out.text).toContain('── S900-1 passes (thread)\nran in thread');
    expect(streams.out.text).toContain('── S900-1 passes (process)\nran in process');
    expect(streams.out.text).toMatch(/S900-1 {4}thread {3}ok {7}\d+\.\d\ds\nS900-1 {4}process {2}ok/);
    expect(streams.out.text).toContain('2 passed, 0 failed');
  });

  it('exits 1 when a scenario fails, names its error, and still runs the others', async () => {
    const streams = io();
    expect(await main([], streams, [failing, passing])).toBe(1);
    expect(streams.err.text).toContain('S900-2 failed: RangeError: the made-up scenario broke');
    expect(streams.out.text).toMatch(/S900-2 {4}- {8}FAILED/);
    expect(streams.out.text).toContain('2 passed, 1 failed');
  });

  it('exits 2 on a selector that names nothing, or a bad option', async () => {
    const streams = io();
    expect(await main(['S999-9'], streams, [passing])).toBe(2);
    expect(streams.err.text).toContain('no scenario or topic named S999-9');
    expect(await main(['--scale', '-1'], streams, [passing])).toBe(2);
    expect(streams.err.text).toContain('--scale must be a positive number');
  });

  it('selects by topic, and by context', async () => {
    const streams = io();
    expect(await main(['made-up', '--context', 'process'], streams, [passing, failing].slice(0, 1))).toBe(0);
    expect(streams.out.text).not.toContain('(thread)');
    expect(streams.out.text).toContain('1 passed, 0 failed');
  });
});

describe('pictures of pool scenarios', () => {
  const pooled: Scenario = {
    id: 'S900-3',
    title: 'records two tasks',
    topics: ['made-up'],
    usesContext: false,
    run(ctx) {
      ctx.progress(2);
      ctx.recordTask({ worker: 'PoolWorker-1', label: '0', start: 1000, end: 1400 });
      ctx.recordTask({ worker: 'PoolWorker-2', label: '1', start: 1000, end: 1800 });
      return Promise.resolve();
    },
  };

  it('--timeline draws a lane per worker after the scenario, and no bar off a terminal', async () => {
    const streams = io();
    expect(await main(['--timeline'], streams, [pooled])).toBe(0);
    const text = streams.out.text;
    expect(text).not.toContain('\x1b[');
    expect(text).toContain('timeline: 2 tasks on 2 workers');
    expect(text).toMatch(/PoolWorker-1 │0━+ +│\nPoolWorker-2 │1━+│/);
    expect(text.indexOf('timeline:')).toBeLessThan(text.indexOf('scenario  context  outcome  time'));
  });

  it('track() records the task events of a pool until the scenario ends', async () => {
    const pool = new EventEmitter();
    const tracking: Scenario = {
      id: 'S900-4',
      title: 'tracks a pool',
      topics: ['made-up'],
      usesContext: false,
      run(ctx) {
        ctx.track(pool, 2);
        pool.emit('task', { worker: 'PoolWorker-2', task: 0, start: 0, end: 500, ok: true, items: 1 });
        pool.emit('task', { worker: 'PoolWorker-1', task: 1, start: 0, end: 1000, ok: true, items: 1 });
        return Promise.resolve();
      },
    };
    const streams = io();
    expect(await main(['--timeline'], streams, [tracking])).toBe(0);
    expect(streams.out.text).toMatch(/PoolWorker-1 │1━+│\nPoolWorker-2 │0━+ +│/);
    expect(pool.listenerCount('task')).toBe(0);
  });

  it('draws no timeline without --timeline', async () => {
    const streams = io();
    expect(await main([], streams, [pooled])).toBe(0);
    expect(streams.out.text).not.toContain('timeline');
  });
});

describe('loadScenarios', () => {
  it('finds every scenario file of the folder, once each, in document order', async () => {
    const all = await loadScenarios();
    const ids = all.map((s) => s.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort(compareIds)).toEqual(ids);
    for (const id of ['S000-1', 'S003-1', 'S003-2', 'S004-1', 'S004-2', 'S004-3', 'S004-4', 'S004-11', 'S004-12']) expect(ids).toContain(id);
  });

  it('orders ids by document, then by number', () => {
    expect(['S004-10', 'S001-2', 'S004-2', 'S000-6'].sort(compareIds)).toEqual(['S000-6', 'S001-2', 'S004-2', 'S004-10']);
  });
});
