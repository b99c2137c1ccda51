import { readdir } from 'node:fs/promises';
import type { Scenario } from '../scenario.js';

// A scenario is a file `S<doc>-<n>-<topic>.js` beside this one (`.ts` when run from the sources).
const FILE = /^(S\d{3}-\d+)-[a-z0-9-]+\.(?:js|ts)$/;

/**
 * Every scenario file of this folder, in document order. Found at run time
 * rather than listed, so that adding a scenario is adding its file: the demo
 * is built file for file (tsup `bundle: false`), so `dist/scenarios/` holds
 * exactly the files of `src/scenarios/`.
 */
export async function loadScenarios(): Promise<Scenario[]> {
  const dir = new URL('./', import.meta.url);
  const files = (await readdir(dir)).filter((f) => FILE.test(f) && !f.endsWith('.d.ts'));
  const loaded = await Promise.all(
    files.map(async (file) => {
      const mod = (await import(new URL(file, dir).href)) as { scenario?: Scenario };
      const scenario = mod.scenario;
      const id = FILE.exec(file)![1]!;
      if (scenario === undefined || typeof scenario.run !== 'function') throw new Error(`${file} must export \`const scenario: Scenario\``);
      if (scenario.id !== id) throw new Error(`${file} exports scenario ${scenario.id}; its file name says ${id}`);
      return scenario;
    }),
  );
  const ids = new Set<string>();
  for (const s of loaded) {
    if (ids.has(s.id)) throw new Error(`two files export scenario ${s.id}`);
    ids.add(s.id);
  }
  return loaded.sort((a, b) => compareIds(a.id, b.id));
}

/** `S004-2` before `S004-10`: by document, then by number. */
export function compareIds(a: string, b: string): number {
  const [da = '', na = ''] = a.slice(1).split('-');
  const [db = '', nb = ''] = b.slice(1).split('-');
  return Number(da) - Number(db) || Number(na) - Number(nb);
}

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
