// Runs one subject of one benchmark in a fresh process, so peak RSS is its own, and prints {value, maxRss}.
import { findBenchmark } from './benchmarks/index.js';
import { median } from './harness.js';

const [id, subject, sizeText, repsText] = process.argv.slice(2);
const bench = findBenchmark(id ?? '');
const fn = bench?.subjects[subject ?? ''];
if (bench === undefined || fn === undefined) {
  console.error(`no subject ${subject} in benchmark ${id}`);
  process.exit(2);
}
const size = Number(sizeText);
const reps = Number(repsText);
const value = await median(() => fn(size), reps, reps > 1 ? 1 : 0);
const maxRss = process.resourceUsage().maxRSS * 1024;
process.stdout.write(JSON.stringify({ value, maxRss }) + '\n');
process.exit(0);
