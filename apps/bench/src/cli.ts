#!/usr/bin/env node
import { benchmarks } from './benchmarks/index.js';

// Groups are named on the command line (`pnpm bench pool`); none means all.
const groups = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const chosen = benchmarks.filter((b) => groups.length === 0 || groups.includes(b.group));
if (chosen.length === 0) console.log('no benchmarks are written yet');
for (const b of chosen) {
  const result = await b.run({ repetitions: 5 });
  console.log(`${b.group}/${b.name}: ${JSON.stringify(result)}`);
}
