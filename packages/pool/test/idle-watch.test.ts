import { describe, expect, it } from 'vitest';
import { IdleWatch } from '../src/_idle-watch.js';

describe('IdleWatch: how long an idle worker watches before it sleeps', () => {
  it('starts at its shortest, follows short gaps up to its longest, and goes back once a gap is longer than that', () => {
    const w = new IdleWatch(100, 1000);
    expect(w.windowUs).toBe(100);
    for (let i = 0; i < 5; i++) w.observe(3); // tasks at once: the shortest watch
    expect(w.windowUs).toBe(100);
    for (let i = 0; i < 5; i++) w.observe(200); // both sides waking each other: watch past the gap
    expect(w.windowUs).toBeGreaterThan(200);
    expect(w.windowUs).toBeLessThanOrEqual(1000);
    for (let i = 0; i < 5; i++) w.observe(900);
    expect(w.windowUs).toBe(1000);
    w.observe(5000); // sparse tasks: no watch is worth it
    expect(w.windowUs).toBe(100);
  });
});
