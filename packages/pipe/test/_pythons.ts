import { execFileSync } from 'node:child_process';

/**
 * Every distinct Python 3 on this machine (3.11 on CI; 3.12 and 3.13 where installed), newest
 * first: one executable per version, found under its usual names.
 */
export function pythons(): string[] {
  const found = new Map<string, string>();
  for (const exe of ['python3', 'python3.11', 'python3.12', 'python3.13', '/root/.pyenv/versions/3.12.1/bin/python3', '/root/.pyenv/versions/3.13.0/bin/python3']) {
    try {
      const v = execFileSync(exe, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
      if (!found.has(v)) found.set(v, exe);
    } catch {
      // not installed under that name
    }
  }
  return [...found.entries()].sort(([x], [y]) => Number(y.split('.')[1]) - Number(x.split('.')[1])).map(([, exe]) => exe);
}
