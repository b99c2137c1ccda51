#!/usr/bin/env node
import { parseArgs } from './args.js';
import { runScenarios } from './runner.js';
import { allIds, scenarios } from './scenarios/index.js';

let args;
try {
  args = parseArgs(process.argv.slice(2));
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}

if (args.list) {
  const written = new Map(scenarios.map((s) => [s.id, s]));
  for (const id of allIds) {
    const s = written.get(id);
    console.log(s ? `${id}  ${s.title}  [${s.topics.join(', ')}]` : `${id}  (not written yet)`);
  }
} else {
  const failed = await runScenarios(scenarios, args);
  process.exitCode = failed > 0 ? 1 : 0;
}
