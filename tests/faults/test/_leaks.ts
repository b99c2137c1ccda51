/**
 * Imported by every test file of the suite: what the file opened — sockets,
 * pipes, timers, workers, child processes — must be gone when it ends. Node
 * lists what keeps the event loop alive (`getActiveResourcesInfo`); the list
 * at the end must be the list at the start. Closing a handle takes a turn
 * of the loop, so the check waits for the lists to match, up to a bound.
 */
import { afterAll, beforeAll, expect } from 'vitest';

const SETTLE_MS = 3_000;
let before: string[] = [];

const resources = (): string[] => process.getActiveResourcesInfo().slice().sort();

/** What `now` has beyond `base`, each kind counted. */
function extra(base: readonly string[], now: readonly string[]): string[] {
  const left = [...base];
  const out: string[] = [];
  for (const r of now) {
    const at = left.indexOf(r);
    if (at >= 0) left.splice(at, 1);
    else out.push(r);
  }
  return out;
}

beforeAll(() => {
  // stdout and stderr get their handle on first use (a worker's output is relayed through them): not a leak.
  void process.stdout.writable;
  void process.stderr.writable;
  before = resources();
});

afterAll(async () => {
  const until = performance.now() + SETTLE_MS;
  let left = extra(before, resources());
  while (left.length > 0 && performance.now() < until) {
    await new Promise((r) => setImmediate(r));
    left = extra(before, resources());
  }
  expect(left, 'handles left open by this file').toEqual([]);
});
