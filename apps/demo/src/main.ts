import { parseArgs } from './args.js';
import { type DemoIo, runScenarios } from './runner.js';
import type { Scenario } from './scenario.js';
import { allIds, loadScenarios } from './scenarios/index.js';

/**
 * The whole CLI as a function: parses `argv`, lists or runs, and returns the
 * exit code (0 all passed, 1 a scenario failed, 2 bad usage). The scenarios
 * and the output can be given, so the exit code can be tested on a scenario
 * the demo does not ship.
 */
export async function main(argv: readonly string[], io: DemoIo, scenarios?: readonly Scenario[]): Promise<number> {
  let args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    io.err.write(`${(err as Error).message}\n`);
    return 2;
  }
  const all = scenarios ?? (await loadScenarios());
  if (args.list) {
    const written = new Map(all.map((s) => [s.id, s]));
    const ids = [...allIds, ...all.map((s) => s.id).filter((id) => !allIds.includes(id))];
    for (const id of ids) {
      const s = written.get(id);
      io.out.write(`${s ? `${id}  ${s.title}  [${s.topics.join(', ')}]` : `${id}  (not written yet)`}\n`);
    }
    return 0;
  }
  try {
    return (await runScenarios(all, args, io)) > 0 ? 1 : 0;
  } catch (err) {
    // Only a selector that names nothing gets here: the scenarios' own failures are counted.
    io.err.write(`${(err as Error).message}\n`);
    return 2;
  }
}
