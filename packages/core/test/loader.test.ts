import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

describe("children load modules with the parent's loader flags", () => {
  it('a task module that only a loader can load runs in both contexts', async () => {
    const { stdout } = await run(process.execPath, ['--import', './loader-register.mjs', 'loader-parent.mjs'], { cwd: fixtures, timeout: 20_000 });
    expect(JSON.parse(stdout)).toEqual({
      thread: { result: 'loaded through the loader: thread', exitCode: 0 },
      process: { result: 'loaded through the loader: process', exitCode: 0 },
    });
  });

  it('without the loader the parent cannot load it either (the test would prove nothing otherwise)', async () => {
    await expect(run(process.execPath, ['loader-parent.mjs'], { cwd: fixtures, timeout: 20_000 })).rejects.toMatchObject({ stderr: expect.stringContaining('ERR_UNKNOWN_FILE_EXTENSION') });
  });
});

describe('CommonJS', () => {
  it('a CommonJS program with task(__filename, fn) runs its tasks in both contexts', async () => {
    const { stdout } = await run(process.execPath, ['cjs-parent.cjs'], { cwd: fixtures, timeout: 20_000 });
    expect(JSON.parse(stdout)).toEqual({ thread: 15, process: 15 });
  });
});
