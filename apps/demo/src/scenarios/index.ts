import type { Scenario } from '../scenario.js';

/** Every scenario of ../shared/SCENARIOS.md that has been written, in document order. */
export const scenarios: readonly Scenario[] = [];

/** Every id of SCENARIOS.md, so `--list` shows what is still to come. */
export const allIds: readonly string[] = [
  ...range('S000', 6),
  ...range('S001', 6),
  ...range('S002', 4),
  ...range('S003', 12),
  ...range('S004', 14),
];

function range(doc: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${doc}-${i + 1}`);
}
