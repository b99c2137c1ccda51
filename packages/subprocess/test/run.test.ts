import { closeSync, openSync, readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  run,
  call,
  checkCall,
  checkOutput,
  CalledProcessError,
  CommandNotFoundError,
  CompletedProcess,
  FileNotFoundError,
  PermissionError,
  TimeoutExpired,
  PIPE,
  DEVNULL,
  STDOUT,
  type RunOptions,
} from '@ipc/subprocess';
import { ArgumentError } from '@ipc/core';
import { gone, node } from './_helpers.js';

describe('run', () => {
  it('gives args, return code and captured output (bytes by default)', async () => {
    const r = await run(['sh', '-c', 'echo out; echo err >&2; exit 3'], { capture: true });
    expect(r).toBeInstanceOf(CompletedProcess);
    expect(r.args).toEqual(['sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(r.returnCode).toBe(3);
    expect(Buffer.isBuffer(r.stdout)).toBe(true);
    expect(r.stdout?.toString()).toBe('out\n');
    expect(r.stderr?.toString()).toBe('err\n');
  });

  it('does not capture unless asked: stdout and stderr are null', async () => {
    const r = await run(['true']);
    expect(r.returnCode).toBe(0);
    expect(r.stdout).toBeNull();
    expect(r.stderr).toBeNull();
  });

  it('text mode decodes and translates newlines; encoding implies text', async () => {
    const r = await run(['printf', 'a\\r\\nb\\rc\\n\\303\\251'], { capture: true, text: true });
    expect(r.stdout).toBe('a\nb\nc\né');
    const l = await run(['printf', '\\351'], { stdout: PIPE, encoding: 'latin1' });
    expect(l.stdout).toBe('é');
    const b = await run(['printf', 'a\\r\\n'], { stdout: PIPE });
    expect(b.stdout).toEqual(Buffer.from('a\r\n'));
  });

  it('strict decoding throws on bad bytes; errors: replace gives U+FFFD', async () => {
    await expect(run(['printf', '\\377'], { stdout: PIPE, text: true })).rejects.toThrow(TypeError);
    const r = await run(['printf', 'x\\377'], { stdout: PIPE, errors: 'replace' });
    expect(r.stdout).toBe('x\uFFFD');
  });

  it('feeds input, string or bytes, including empty input', async () => {
    expect((await run(['cat'], { input: 'héllo', capture: true, text: true })).stdout).toBe('héllo');
    expect((await run(['cat'], { input: Buffer.from([0, 1, 2]), stdout: PIPE })).stdout).toEqual(Buffer.from([0, 1, 2]));
    expect((await run(['cat'], { input: '', stdout: PIPE, text: true })).stdout).toBe('');
  });

  it('a child that exits without reading its input is not an error (as Python ignores BrokenPipeError)', async () => {
    const r = await run(['true'], { input: Buffer.alloc(4 << 20) });
    expect(r.returnCode).toBe(0);
  });

  it('check raises CalledProcessError with the code, the command, the output and the tail of stderr', async () => {
    const err = await run(['sh', '-c', 'echo partial; for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo line$i >&2; done; exit 2'], { capture: true, text: true, check: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CalledProcessError);
    const e = err as CalledProcessError<string>;
    expect(e.code).toBe('ERR_IPC_CALLED_PROCESS');
    expect(e.returnCode).toBe(2);
    expect(e.cmd[0]).toBe('sh');
    expect(e.stdout).toBe('partial\n');
    expect(e.output).toBe('partial\n');
    expect(e.stderr).toContain('line12');
    expect(e.message).toContain('returned non-zero exit status 2');
    expect(e.message).toContain('line12');
    expect(e.message).toContain('line3');
    expect(e.message).not.toContain('line2\n');
  });

  it('checkReturnCode throws on failure and returns the result on success', async () => {
    const ok = await run(['true']);
    expect(ok.checkReturnCode()).toBe(ok);
    const bad = await run(['false']);
    expect(() => bad.checkReturnCode()).toThrow(CalledProcessError);
  });

  it('a signal gives a negative return code and a message naming it', async () => {
    const r = await run(['sh', '-c', 'kill -KILL $$']);
    expect(r.returnCode).toBe(-9);
    expect(() => r.checkReturnCode()).toThrow(/died with <Signals.SIGKILL: 9>/);
  });

  it('call, checkCall, checkOutput', async () => {
    expect(await call(['sh', '-c', 'exit 4'])).toBe(4);
    expect(await checkCall(['true'])).toBe(0);
    await expect(checkCall(['false'])).rejects.toBeInstanceOf(CalledProcessError);
    expect(await checkOutput(['echo', 'hi'], { text: true })).toBe('hi\n');
    expect(await checkOutput(['echo', 'hi'])).toEqual(Buffer.from('hi\n'));
    expect(await checkOutput(['tr', 'a-z', 'A-Z'], { input: 'abc', text: true })).toBe('ABC');
    const e = (await checkOutput(['sh', '-c', 'echo so-far; exit 1'], { text: true }).catch((x: unknown) => x)) as CalledProcessError<string>;
    expect(e.stdout).toBe('so-far\n');
  });

  it('STDOUT merges stderr into stdout in the order written, with and without shell', async () => {
    const script = 'for i in 1 2 3 4 5; do echo out$i; echo err$i >&2; done';
    const want = [1, 2, 3, 4, 5].map((i) => `out${i}\nerr${i}\n`).join('');
    const a = await run(['sh', '-c', script], { stdout: PIPE, stderr: STDOUT, text: true });
    expect(a.stdout).toBe(want);
    expect(a.stderr).toBeNull();
    const b = await run(script, { shell: true, stdout: PIPE, stderr: STDOUT, text: true });
    expect(b.stdout).toBe(want);
  });

  it('DEVNULL, a file descriptor and streams', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ipc-subprocess-'));
    try {
      expect((await run(['cat'], { stdin: DEVNULL, stdout: PIPE })).stdout).toEqual(Buffer.alloc(0));
      const file = join(dir, 'out.txt');
      const fd = openSync(file, 'w');
      await run(['sh', '-c', 'echo to-file; echo err >&2'], { stdout: fd, stderr: STDOUT });
      closeSync(fd);
      expect(readFileSync(file, 'utf8')).toBe('to-file\nerr\n');
      const sink = new PassThrough();
      const got: Buffer[] = [];
      sink.on('data', (c: Buffer) => got.push(c));
      const src = new PassThrough();
      src.end('from a stream\n');
      await run(['cat'], { stdin: src, stdout: sink });
      expect(Buffer.concat(got).toString()).toBe('from a stream\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('cwd and env (env replaces the environment, as in Python)', async () => {
    expect(await checkOutput(['pwd'], { cwd: '/tmp', text: true })).toBe('/tmp\n');
    expect(await checkOutput(['sh', '-c', 'echo "$FOO-$HOME"'], { env: { FOO: 'bar', PATH: process.env.PATH }, text: true })).toBe('bar-\n');
  });

  it('a missing program is FileNotFoundError naming it; a missing cwd names the directory', async () => {
    await expect(run(['python1'])).rejects.toMatchObject({ constructor: FileNotFoundError, filename: 'python1', errno: 'ENOENT', code: 'ERR_IPC_FILE_NOT_FOUND' });
    await expect(run(['python1'], { stdout: PIPE, stderr: STDOUT })).rejects.toBeInstanceOf(FileNotFoundError);
    await expect(run(['true'], { cwd: '/nonexistent-dir' })).rejects.toMatchObject({ filename: '/nonexistent-dir' });
    await expect(run(['/etc/passwd'])).rejects.toBeInstanceOf(PermissionError);
    // No child was left: nothing else to clean.
  });

  it('with shell, 127 stays the return code; with check it is CommandNotFoundError naming the program', async () => {
    const r = await run('python1 -V', { shell: true, capture: true, text: true });
    expect(r.returnCode).toBe(127);
    const e = await run('python1 -V', { shell: true, capture: true, text: true, check: true }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CommandNotFoundError);
    expect(e).toBeInstanceOf(CalledProcessError);
    expect(e).toMatchObject({ filename: 'python1', returnCode: 127, code: 'ERR_IPC_COMMAND_NOT_FOUND' });
    await expect(checkCall('python1', { shell: true, stderr: DEVNULL })).rejects.toMatchObject({ filename: 'python1' });
  });

  it('an argument list never goes through a shell', async () => {
    expect(await checkOutput(['echo', '$HOME; echo no'], { text: true })).toBe('$HOME; echo no\n');
    expect(await checkOutput(['echo $0 $1', 'a', 'b'], { shell: true, text: true })).toBe('a b\n');
  });

  it('bad options are ArgumentErrors at the call', async () => {
    await expect(run(['cat'], { input: 'x', stdin: PIPE })).rejects.toBeInstanceOf(ArgumentError);
    await expect(run(['cat'], { capture: true, stdout: PIPE })).rejects.toBeInstanceOf(ArgumentError);
    await expect(run([])).rejects.toBeInstanceOf(ArgumentError);
    await expect(run(['true'], { timeout: Number.NaN })).rejects.toBeInstanceOf(ArgumentError);
    await expect(run(['true'], { encoding: 'no-such-encoding' })).rejects.toBeInstanceOf(ArgumentError);
    const overridden: RunOptions = { stdout: DEVNULL };
    await expect(checkOutput(['true'], overridden)).rejects.toBeInstanceOf(ArgumentError);
    await expect(run(['true'], { stdout: -1 })).rejects.toBeInstanceOf(ArgumentError);
    await expect(run(['true'], { stdin: {} as never })).rejects.toBeInstanceOf(ArgumentError);
    await expect(run(['a\0b'])).rejects.toBeInstanceOf(ArgumentError);
  });
});

describe('run: timeouts and aborts end things', () => {
  it('kills the child at the deadline and keeps the partial output', async () => {
    const t0 = performance.now();
    const e = (await run(['sh', '-c', 'echo started; echo $$; exec sleep 30'], { capture: true, text: true, timeout: 400 }).catch((x: unknown) => x)) as TimeoutExpired<string>;
    const took = performance.now() - t0;
    expect(e).toBeInstanceOf(TimeoutExpired);
    expect(e.code).toBe('ERR_IPC_TIMEOUT_EXPIRED');
    expect(e.timeout).toBe(400);
    expect(took).toBeGreaterThanOrEqual(240);
    expect(took).toBeLessThan(4000);
    expect(e.stdout).toMatch(/^started\n\d+\n$/);
    expect(await gone(Number(e.stdout?.split('\n')[1]))).toBe(true);
  });

  it('settles at the deadline though a grandchild holds the pipe; the group is killed (shell)', async () => {
    const t0 = performance.now();
    const e = (await run('sleep 30 & echo $!; wait', { shell: true, stdout: PIPE, text: true, timeout: 400 }).catch((x: unknown) => x)) as TimeoutExpired<string>;
    expect(e).toBeInstanceOf(TimeoutExpired);
    expect(performance.now() - t0).toBeLessThan(4000);
    expect(await gone(Number(e.stdout))).toBe(true);
  });

  it('settles at the deadline without a process group too (the grandchild is then the caller’s)', async () => {
    const t0 = performance.now();
    const e = (await run(['sh', '-c', 'sleep 30 & echo $!; wait'], { stdout: PIPE, text: true, timeout: 400 }).catch((x: unknown) => x)) as TimeoutExpired<string>;
    expect(e).toBeInstanceOf(TimeoutExpired);
    expect(performance.now() - t0).toBeLessThan(4000);
    const grandchild = Number(e.stdout);
    process.kill(grandchild, 'SIGKILL');
    expect(await gone(grandchild)).toBe(true);
  });

  it('a child that ignores SIGTERM is killed after the grace period', async () => {
    const e = (await run(['sh', '-c', "trap '' TERM; echo $$; exec sleep 30"], { stdout: PIPE, text: true, timeout: 300, gracePeriod: 300 }).catch((x: unknown) => x)) as TimeoutExpired<string>;
    expect(e).toBeInstanceOf(TimeoutExpired);
    const pid = Number(e.stdout);
    expect(await gone(pid)).toBe(true);
  });

  it('an abort kills the child and rejects with the reason', async () => {
    const ac = new AbortController();
    const reason = new Error('stop it');
    const pending = run(['sh', '-c', 'echo $$; exec sleep 30'], { stdout: PIPE, text: true, signal: ac.signal });
    setTimeout(() => ac.abort(reason), 200);
    await expect(pending).rejects.toBe(reason);
    const already = new AbortController();
    already.abort(reason);
    await expect(run(['true'], { signal: already.signal })).rejects.toBe(reason);
  });

  it('call with a timeout kills too', async () => {
    await expect(call(['sleep', '30'], { timeout: 200 })).rejects.toBeInstanceOf(TimeoutExpired);
  });
});

describe('run: a large output', () => {
  it('captures 8 MiB of stdout and stderr at once', async () => {
    const r = await run([node, '-e', 'const b = Buffer.alloc(8 << 20, 97); process.stdout.write(b); process.stderr.write(b)'], { capture: true });
    expect(r.stdout?.length).toBe(8 << 20);
    expect(r.stderr?.length).toBe(8 << 20);
  });
});
