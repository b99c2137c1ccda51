import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

describe('bench cli', () => {
  it('runs and exits 0', async () => {
    const { stdout } = await run(process.execPath, [cli], { timeout: 60_000 });
    expect(stdout.length).toBeGreaterThan(0);
  });
});
