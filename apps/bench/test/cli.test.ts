import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

describe('bench cli', () => {
  it('--smoke runs every benchmark once on a tiny input and reports JSON with ratios', async () => {
    const { stdout } = await run(process.execPath, [cli, '--smoke', '--json'], { timeout: 240_000, maxBuffer: 1 << 24 });
    const rows = JSON.parse(stdout) as { group: string; name: string; results: Record<string, { value?: number; skipped?: string }>; ratios: Record<string, number> }[];
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const ours = row.results['@ipc'];
      expect(ours?.value, `${row.group}/${row.name}`).toBeGreaterThan(0);
      for (const [peer, r] of Object.entries(row.results)) {
        if (r.skipped === undefined) expect(row.ratios[peer === '@ipc' ? Object.keys(row.ratios)[0]! : peer]).toBeGreaterThan(0);
      }
    }
  }, 250_000);

  it('rejects an unknown group', async () => {
    await expect(run(process.execPath, [cli, 'nope'], { timeout: 20_000 })).rejects.toMatchObject({ code: 2 });
  });

  it('--help prints the usage and runs nothing; an unknown option is an error, not a full run', async () => {
    const { stdout } = await run(process.execPath, [cli, '--help'], { timeout: 20_000 });
    expect(stdout).toMatch(/^usage: pnpm bench/);
    await expect(run(process.execPath, [cli, '--nope'], { timeout: 20_000 })).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('unknown option --nope') });
  });
});
