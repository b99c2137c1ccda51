import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

describe('demo cli', () => {
  it('--list names every scenario id of the documents', async () => {
    const { stdout } = await run(process.execPath, [cli, '--list'], { timeout: 20_000 });
    expect(stdout).toContain('S000-1');
    expect(stdout).toContain('S004-14');
    expect(stdout.trim().split('\n')).toHaveLength(42);
  });

  it('--timeline draws one lane per pool worker from a real pool’s task events', async () => {
    const { stdout } = await run(process.execPath, [cli, 'S004-9', '--context', 'process', '--timeline', '--scale', '0.05'], { timeout: 25_000 });
    const lanes = stdout.split('\n').filter((l) => /^PoolWorker-\d+ +│/.test(l));
    expect(lanes.length).toBeGreaterThanOrEqual(2);
    expect(lanes.length).toBeLessThanOrEqual(4);
    // Five tasks, each drawn at its start by its label.
    expect(lanes.join('\n').match(/[0-4]━/g)?.length).toBe(5);
  });

  it('rejects an unknown option with a usage message and exit code 2', async () => {
    await expect(run(process.execPath, [cli, '--nope'], { timeout: 20_000 })).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('unknown option --nope') });
  });
});
