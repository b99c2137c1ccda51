#!/usr/bin/env node
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { benchmarks } from './benchmarks/index.js';
import { chartSvg } from './chart.js';
import { findPython, pythonFigure } from './python.js';
import { formatTable, makeRow, type Row } from './report.js';
import type { SubjectResult } from './types.js';

const run = promisify(execFile);
const subjectScript = fileURLToPath(new URL('./run-subject.js', import.meta.url));

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const USAGE = 'usage: pnpm bench [group…] [--json] [--chart out.svg] [--smoke]';
const FLAGS = new Set(['--json', '--smoke', '--chart']);
if (argv.includes('--help') || argv.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
// An unknown flag must not fall through to "run everything" (a long, noisy run nobody asked for).
const unknown = argv.find((a) => a.startsWith('-') && !FLAGS.has(a));
if (unknown !== undefined) {
  console.error(`unknown option ${unknown}\n${USAGE}`);
  process.exit(2);
}
const json = argv.includes('--json');
const smoke = argv.includes('--smoke');
const chart = flag('--chart');
const groups = argv.filter((a, i) => !a.startsWith('-') && argv[i - 1] !== '--chart');

const chosen = benchmarks.filter((b) => groups.length === 0 || groups.includes(b.group));
if (chosen.length === 0) {
  console.error(`no benchmark group named ${groups.join(', ')}; groups: ${[...new Set(benchmarks.map((b) => b.group))].join(', ')}`);
  process.exit(2);
}

const python = await findPython();
if (python === undefined && !json) console.log('python3 not found: the Python columns are skipped');

const rows: Row[] = [];
for (const bench of chosen) {
  const size = smoke ? bench.smokeSize : bench.size;
  const reps = smoke ? 1 : 5;
  const results: Row['results'] = {};
  for (const subject of Object.keys(bench.subjects)) {
    const { stdout } = await run(process.execPath, [subjectScript, `${bench.group}/${bench.name}`, subject, String(size), String(reps)], { timeout: 600_000 });
    results[subject] = JSON.parse(stdout) as SubjectResult;
  }
  if (bench.python !== undefined) {
    results.python = python === undefined ? { skipped: 'python3 not found' } : await pyResult(python, bench.python, size, reps);
  }
  const row = makeRow(bench, results);
  rows.push(row);
  if (!json) console.log(formatTable([row]));
}

if (json) console.log(JSON.stringify(rows, null, 2));
if (chart !== undefined) {
  await writeFile(chart, chartSvg(rows));
  if (!json) console.log(`\nchart written to ${chart}`);
}

async function pyResult(exe: string, figure: string, size: number, reps: number): Promise<SubjectResult | { skipped: string }> {
  try {
    return await pythonFigure(exe, figure, size, reps);
  } catch (err) {
    return { skipped: `python failed: ${(err as Error).message.split('\n')[0]}` };
  }
}
