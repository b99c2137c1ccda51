// Rules of CPython's test_subprocess.py that a porter relies on, one `it` per rule.
import { closeSync, openSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ArgumentError } from '@ipc/core';
import { CalledProcessError, FileNotFoundError, Popen, PIPE, SpawnError, SubprocessError, TimeoutExpired, checkOutput, checkOutputSync, run, runSync } from '@ipc/subprocess';

describe('timeouts as Python reads them', () => {
  it('a negative timeout has already passed: wait, communicate and run raise TimeoutExpired (test_wait_timeout), with the timeout as given', async () => {
    const p = new Popen(['sleep', '30']);
    try {
      const t0 = performance.now();
      const e = (await p.wait({ timeout: -1 }).catch((x: unknown) => x)) as TimeoutExpired;
      expect(e).toBeInstanceOf(TimeoutExpired);
      expect(e.timeout).toBe(-1);
      await expect(p.communicate(null, { timeout: -5 })).rejects.toBeInstanceOf(TimeoutExpired);
      await expect(p.wait({ timeout: 0 })).rejects.toBeInstanceOf(TimeoutExpired);
      expect(performance.now() - t0).toBeLessThan(1000);
      expect(p.poll()).toBeNull();
    } finally {
      p.kill();
    }
    expect(await p.wait({ timeout: -1 }).catch(() => p.wait())).toBe(-9);
    // Once the child has ended, even a passed timeout gives the return code.
    expect(await p.wait({ timeout: -1 })).toBe(-9);
    await expect(run(['sleep', '30'], { timeout: -1 })).rejects.toBeInstanceOf(TimeoutExpired);
    expect(() => runSync(['sleep', '30'], { timeout: -1 })).toThrow(TimeoutExpired);
  });

  it.each([null, Infinity, 2 ** 31 + 10])('timeout %s waits for the child: wait, communicate, run and runSync (Python\'s timeout=None)', async (timeout) => {
    const p = new Popen(['sh', '-c', 'sleep 0.05; echo done'], { stdout: PIPE, text: true });
    const [out] = await p.communicate(null, { timeout });
    expect(out).toBe('done\n');
    expect(await p.wait({ timeout })).toBe(0);
    const r = await run(['sh', '-c', 'sleep 0.05; echo ran'], { capture: true, text: true, timeout });
    expect(r.stdout).toBe('ran\n');
    expect(runSync(['sh', '-c', 'sleep 0.05; exit 3'], { timeout }).returnCode).toBe(3);
  });

  it('runSync takes a fractional timeout (Node takes whole ms only)', () => {
    const t0 = performance.now();
    expect(() => runSync(['sleep', '30'], { timeout: 150.5 })).toThrow(TimeoutExpired);
    const took = performance.now() - t0;
    expect(took).toBeGreaterThanOrEqual(90);
    expect(took).toBeLessThan(1500);
  });

  it("TimeoutExpired's stdout / stderr are null when nothing arrived (Python's None), the bytes so far otherwise", async () => {
    const e = (await run(['sleep', '30'], { capture: true, timeout: 100 }).catch((x: unknown) => x)) as TimeoutExpired;
    expect(e).toBeInstanceOf(TimeoutExpired);
    expect(e.stdout).toBeNull();
    expect(e.stderr).toBeNull();
    const partial = (await checkOutput(['sh', '-c', 'printf BDFL; exec sleep 30'], { timeout: 500 }).catch((x: unknown) => x)) as TimeoutExpired<Buffer>;
    expect(partial.output).toEqual(Buffer.from('BDFL'));
    let blocking: unknown;
    try {
      runSync(['sleep', '30'], { capture: true, timeout: 100 });
    } catch (x) {
      blocking = x;
    }
    expect(blocking).toBeInstanceOf(TimeoutExpired);
    expect((blocking as TimeoutExpired).stdout).toBeNull();
    expect((blocking as TimeoutExpired).stderr).toBeNull();
  });
});

describe('messages as Python words them', () => {
  it("CalledProcessError: the command as Python shows it; a signal as <Signals.NAME: N>, or 'unknown signal N'", () => {
    expect(new CalledProcessError(2, 'fake cmd').message).toBe("Command 'fake cmd' returned non-zero exit status 2.");
    expect(new CalledProcessError(1, ['false']).message).toBe("Command '['false']' returned non-zero exit status 1.");
    expect(new CalledProcessError(1, ['sh', '-c', "echo 'x'\n"]).message).toBe(`Command '['sh', '-c', "echo 'x'\\n"]' returned non-zero exit status 1.`);
    const signalled = new CalledProcessError(-6, 'fake cmd').message;
    expect(signalled).toBe("Command 'fake cmd' died with <Signals.SIGABRT: 6>.");
    expect(signalled.toLowerCase()).toContain('signal');
    expect(new CalledProcessError(-9876543, 'fake cmd').message).toContain('unknown signal 9876543.');
    expect(new TimeoutExpired(['sleep', '5'], 100).message).toBe("Command '['sleep', '5']' timed out after 100 ms");
  });

  it('a child ended by a signal: returnCode -N, and check names the signal (test_run_abort)', async () => {
    const e = (await run(['sh', '-c', 'kill -ABRT $$'], { check: true }).catch((x: unknown) => x)) as CalledProcessError;
    expect(e).toBeInstanceOf(CalledProcessError);
    expect(e.returnCode).toBe(-6);
    expect(e.message).toContain('<Signals.SIGABRT: 6>');
  });
});

describe('arguments Python refuses', () => {
  it('text and universalNewlines that disagree: SubprocessError, as Python', async () => {
    await expect(run(['true'], { text: true, universalNewlines: false })).rejects.toBeInstanceOf(SubprocessError);
    expect(() => new Popen(['true'], { text: false, universalNewlines: true })).toThrow(/Cannot disambiguate/);
    expect((await run(['echo', 'x'], { text: true, universalNewlines: true, capture: true })).stdout).toBe('x\n');
  });

  it('a NUL byte in a shell command or in env, an "=" in an env name: ArgumentError at the call (Python ValueError)', async () => {
    await expect(run('echo a\0b', { shell: true })).rejects.toBeInstanceOf(ArgumentError);
    await expect(run(['env'], { env: { 'A\0': '1' } })).rejects.toBeInstanceOf(ArgumentError);
    await expect(run(['env'], { env: { A: '1\0' } })).rejects.toThrow(/NUL/);
    await expect(run(['env'], { env: { 'A=B': '1' } })).rejects.toThrow(/illegal environment variable name/);
    expect(() => runSync(['env'], { env: { 'A=B': '1' } })).toThrow(ArgumentError);
  });

  it('checkOutput: check is not allowed (it would be overridden); an explicit input: null is empty input, not the parent stdin', async () => {
    await expect(checkOutput(['true'], { check: false } as never)).rejects.toThrow(/check argument not allowed/);
    await expect(checkOutput(['true'], { stdout: PIPE } as never)).rejects.toThrow(/stdout argument not allowed/);
    // The child reports whether its stdin had anything, without waiting on a terminal or the test runner's stdin.
    const echoStdin = ['sh', '-c', 'echo "[$(cat)]"'];
    expect(await checkOutput(echoStdin, { input: null })).toEqual(Buffer.from('[]\n'));
    expect(await checkOutput(echoStdin, { input: null, text: true })).toBe('[]\n');
    expect(checkOutputSync(echoStdin, { input: null, text: true })).toBe('[]\n');
    expect(await checkOutput(echoStdin, { input: 'x', text: true })).toBe('[x]\n');
  });
});

describe('Popen as a context manager', () => {
  it('await using closes stdout and stderr first, so a child still writing to an unread pipe cannot hang the scope (test_broken_pipe_cleanup)', async () => {
    let p: Popen<{ stdout: 'pipe'; stderr: 'pipe' }> | undefined;
    {
      await using q = new Popen(['sh', '-c', 'head -c 4000000 /dev/zero; head -c 4000000 /dev/zero >&2; exit 3'], { stdout: PIPE, stderr: PIPE });
      p = q;
    }
    // It was not left running: it ended (by SIGPIPE, or at its exit had it written all).
    expect(p.returnCode).not.toBeNull();
  });

  it('await using waits for the child and keeps its return code (test_returncode)', async () => {
    let code: number | null = null;
    {
      await using p = new Popen(['sh', '-c', 'exit 100']);
      void p;
      code = await p.wait();
    }
    expect(code).toBe(100);
  });
});

describe('passFds (Python pass_fds)', () => {
  it('the descriptors given stay open in the child under their numbers; descriptors opened by this process and not given do not', async () => {
    const passed = openSync('/dev/null', 'r');
    const kept = openSync('/dev/null', 'r');
    try {
      const list = async (passFds?: number[]): Promise<number[]> => {
        const r = await run(['ls', '/proc/self/fd'], { passFds, capture: true, text: true });
        return (r.stdout ?? '').trim().split('\n').map(Number);
      };
      const withFd = await list([passed]);
      expect(withFd).toContain(passed);
      expect(withFd).not.toContain(kept);
      expect(await list()).not.toContain(passed);
      expect((runSync(['ls', '/proc/self/fd'], { passFds: [passed], capture: true, text: true }).stdout ?? '').split('\n')).toContain(String(passed));
      await expect(run(['true'], { passFds: [2] })).rejects.toBeInstanceOf(ArgumentError);
      await expect(run(['true'], { passFds: [1.5] })).rejects.toBeInstanceOf(ArgumentError);
      // Python: OSError [Errno 9] Bad file descriptor.
      const closed = openSync('/dev/null', 'r');
      closeSync(closed);
      await expect(run(['true'], { passFds: [closed] })).rejects.toMatchObject({ errno: 'EBADF' });
      expect(() => new Popen(['true'], { passFds: [closed] })).toThrow(SpawnError);
      await expect(run(['true'], { stdout: closed })).rejects.toMatchObject({ errno: 'EBADF' });
      expect(() => runSync(['true'], { stdin: closed })).toThrow(SpawnError);
    } finally {
      closeSync(passed);
      closeSync(kept);
    }
  });
});

describe('executable (Python executable=)', () => {
  it('runs that program with args[0] as its argv[0]; with shell, it is the shell (test_executable, test_executable_replaces_shell)', async () => {
    const r = await run(['doesnotexist', '-c', 'echo "$0"; exit 47'], { executable: '/bin/sh', capture: true, text: true });
    expect(r.returnCode).toBe(47);
    expect(r.stdout).toBe('doesnotexist\n');
    expect((await run('echo "$BASH_VERSION" | cut -c1', { shell: true, executable: '/bin/bash', capture: true, text: true })).stdout).toMatch(/^\d\n$/);
    expect(runSync(['doesnotexist', '-c', 'exit 47'], { executable: '/bin/sh' }).returnCode).toBe(47);
    expect(() => new Popen(['sh'], { executable: '/opt/nonexistent_binary' })).toThrow(FileNotFoundError);
  });
});

describe('errors (Python error handlers)', () => {
  it("'ignore', 'replace', 'surrogateescape' and 'backslashreplace' decode undecodable bytes as Python does (test_communicate_errors)", async () => {
    for (const [errors, expected] of [
      ['ignore', ''],
      ['replace', '\ufffd\ufffd'],
      ['surrogateescape', '\udc80\udc80'],
      ['backslashreplace', '\\x80\\x80'],
    ] as const) {
      const p = new Popen(['printf', '[\\200\\200]'], { stdin: PIPE, stdout: PIPE, encoding: 'utf-8', errors });
      const [out] = await p.communicate('');
      expect(out).toBe(`[${expected}]`);
      expect(runSync(['printf', '[\\200\\200]'], { capture: true, errors }).stdout).toBe(`[${expected}]`);
    }
  });

  it('line by line, a sequence cut between two writes is one character, and a bad one is handled as a whole maximal part', async () => {
    // é (c3 a9) split across writes; then e2 82 (a cut € followed by a newline), and ff.
    const script = "printf '\\303'; sleep 0.1; printf '\\251\\n\\342\\202\\n\\377z\\n'";
    const p = new Popen(['sh', '-c', script], { stdout: PIPE, errors: 'backslashreplace' });
    expect(await p.stdout.readLines()).toEqual(['é\n', '\\xe2\\x82\n', '\\xffz\n']);
    await p.wait();
    const q = new Popen(['sh', '-c', script], { stdout: PIPE, errors: 'surrogateescape' });
    expect(await q.stdout.read()).toBe('é\n\udce2\udc82\n\udcffz\n');
    await q.wait();
    await expect(run(['true'], { encoding: 'utf-16', errors: 'ignore' })).rejects.toBeInstanceOf(ArgumentError);
  });
});

describe('user and group (Python user=, group=)', () => {
  const root = process.getuid?.() === 0;
  it.runIf(root)('run the child as that user and group, by id or by name (test_user, test_group)', async () => {
    const ids = async (o: { user?: string | number; group?: string | number }): Promise<string> => (await run(['sh', '-c', 'echo $(id -u) $(id -g)'], { ...o, capture: true, text: true })).stdout ?? '';
    expect(await ids({ user: 65534, group: 65534 })).toBe('65534 65534\n');
    expect(await ids({ user: 'nobody' })).toMatch(/^65534 /);
    expect(runSync(['id', '-u'], { user: 65534, capture: true, text: true }).stdout).toBe('65534\n');
  });

  it('a negative id or an unknown name is an ArgumentError at the call (Python ValueError / KeyError)', async () => {
    await expect(run(['id'], { user: -1 })).rejects.toThrow('User ID cannot be negative, got -1');
    await expect(run(['id'], { user: 'nosuchuser-ipc' })).rejects.toThrow(/name not found: 'nosuchuser-ipc'/);
    await expect(run(['id'], { group: 'nosuchgroup-ipc' })).rejects.toBeInstanceOf(ArgumentError);
  });
});
