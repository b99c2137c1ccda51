// After the test suite: no worker or child process of ours may be left running.
import { execFileSync } from 'node:child_process';

const out = execFileSync('ps', ['-eo', 'pid,ppid,args'], { encoding: 'utf8' });
const leaks = out
  .split('\n')
  .filter((line) => /@ipc|packages\/[a-z]+\/(dist|test)|apps\/(demo|bench)/.test(line))
  .filter((line) => !line.includes('check-leaks') && !line.includes(' ps '));
if (leaks.length > 0) {
  console.error('processes left behind by the tests:\n' + leaks.join('\n'));
  process.exit(1);
}
console.log('no leftover processes');
