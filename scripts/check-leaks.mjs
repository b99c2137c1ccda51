// After the test suite: no child process of ours may be left running (workers die with their process, so processes tell all).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const ours = new RegExp(`${root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(packages/[a-z]+/(dist|test)|apps/(demo|bench)/(dist|fixtures|test)|tests/[a-z]+/test)/`);
const out = execFileSync('ps', ['-eo', 'pid,ppid,args'], { encoding: 'utf8' });
const leaks = out
  .split('\n')
  .filter((line) => ours.test(line))
  .filter((line) => !/check-leaks|turbo|pnpm|vitest|tsup|eslint|tsc/.test(line));
if (leaks.length > 0) {
  console.error('processes left behind by the tests:\n' + leaks.join('\n'));
  process.exit(1);
}
console.log('no leftover processes');
