import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Popen, PIPE, DEVNULL, STDOUT, BrokenPipeError, FileNotFoundError, TimeoutExpired } from '@ipc/subprocess';
import { StateError } from '@ipc/core';
import { gone, node } from './_helpers.js';

const PY = 'python3';

describe('Popen streams', () => {
  it('stdin written then closed; stdout read whole (the document’s python3 case)', async () => {
    const p = new Popen([PY], { stdin: PIPE, stdout: PIPE, encoding: 'utf-8' });
    await p.stdin.write("print('hello world')");
    await p.stdin.close();
    expect(await p.stdout.read()).toBe('hello world\n');
    expect(await p.wait()).toBe(0);
    expect(p.returnCode).toBe(0);
    expect(String(p)).toBe("<Popen: returnCode: 0 args: [ 'python3' ]>");
  });

  it('readLines keeps line ends; for await gives lines; bytes mode gives Buffers', async () => {
    const p = new Popen(['printf', 'a\\nb\\r\\nc'], { stdout: PIPE, text: true });
    expect(await p.stdout.readLines()).toEqual(['a\n', 'b\n', 'c']);
    await p.wait();
    const q = new Popen(['printf', 'a\\nb\\r\\n'], { stdout: PIPE });
    const lines: Buffer[] = [];
    for await (const line of q.stdout) lines.push(line);
    expect(lines).toEqual([Buffer.from('a\n'), Buffer.from('b\r\n')]);
    await q.wait();
  });

  it('readLine then read: nothing lost in between; \\r\\n split across writes is one newline', async () => {
    const code = "import sys,time\nsys.stdout.write('one\\r'); sys.stdout.flush(); time.sleep(0.1)\nsys.stdout.write('\\ntwo\\nthree\\n')";
    const p = new Popen([PY, '-c', code], { stdout: PIPE, text: true });
    expect(await p.stdout.readLine()).toBe('one\n');
    expect(await p.stdout.readLine()).toBe('two\n');
    expect(await p.stdout.read()).toBe('three\n');
    expect(await p.stdout.readLine()).toBe('');
    await p.wait();
  });

  it('a multi-byte character split between chunks decodes whole', async () => {
    const code = "import sys,time\nb='é'.encode()\nsys.stdout.buffer.write(b[:1]); sys.stdout.flush(); time.sleep(0.1)\nsys.stdout.buffer.write(b[1:]+b'\\n')";
    const p = new Popen([PY, '-c', code], { stdout: PIPE, text: true });
    expect(await p.stdout.readLines()).toEqual(['é\n']);
    await p.wait();
  });

  it('stdin, stdout and stderr, the program missing on the second pass (document: python3, python1)', async () => {
    const seen: string[] = [];
    for (const arg of ['python3', 'python1']) {
      try {
        const p = new Popen(arg, { stdin: PIPE, stdout: PIPE, stderr: PIPE, encoding: 'utf-8' });
        await p.stdin.write("print('Hello World')");
        await p.stdin.close();
        const out = await p.stdout.read();
        const err = await p.stderr.read();
        seen.push(`out:${out}, err:${err}`);
        await p.wait();
      } catch (e) {
        expect(e).toBeInstanceOf(FileNotFoundError);
        seen.push((e as Error).message);
      }
    }
    expect(seen).toEqual(['out:Hello World\n, err:', "[Errno 2] No such file or directory: 'python1'"]);
  });

  it('pipelines: one stdout into the next stdin, nothing lost', async () => {
    const p1 = new Popen(['seq', '1', '200000'], { stdout: PIPE });
    const p2 = new Popen(['wc', '-l'], { stdin: p1.stdout, stdout: PIPE, text: true });
    const [out] = await p2.communicate();
    expect(out?.trim()).toBe('200000');
    expect(await p1.wait()).toBe(0);
  });

  it('pipelines: when the last stage stops reading, the first one ends (yes | head -1)', async () => {
    const p1 = new Popen(['yes'], { stdout: PIPE, stderr: DEVNULL });
    const p2 = new Popen(['head', '-1'], { stdin: p1.stdout, stdout: PIPE, text: true });
    expect(await p2.communicate()).toEqual(['y\n', null]);
    // Node's children inherit SIGPIPE ignored, so `yes` sees EPIPE and exits 1 where Python's would die of SIGPIPE.
    expect([1, -13]).toContain(await p1.wait());
  });

  it('write to a child that has gone rejects with BrokenPipeError, never an uncaught error', async () => {
    const p = new Popen(['true'], { stdin: PIPE });
    await p.wait();
    await expect(p.stdin.write(Buffer.alloc(1 << 20))).rejects.toBeInstanceOf(BrokenPipeError);
    // While it runs but does not read: the write that fills the pipe fails when it exits.
    const q = new Popen(['sh', '-c', 'exec 0<&-; sleep 0.2'], { stdin: PIPE });
    await expect(q.stdin.write(Buffer.alloc(4 << 20))).rejects.toBeInstanceOf(BrokenPipeError);
    await q.wait();
  });
});

describe('Popen.communicate', () => {
  it('returns [stdout, stderr], including a child failing on stderr (document)', async () => {
    const p = new Popen('python3', { stdin: PIPE, stdout: PIPE, stderr: PIPE, universalNewlines: true });
    expect(await p.communicate("print('Hello World')")).toEqual(['Hello World\n', '']);
    const q = new Popen('python3', { stdin: PIPE, stdout: PIPE, stderr: PIPE, universalNewlines: true });
    const [out, err] = await q.communicate("noprint('Hello World')");
    expect(out).toBe('');
    expect(err).toContain("NameError: name 'noprint' is not defined");
    expect(q.returnCode).toBe(1);
  });

  it('no deadlock: 4 MiB + 1 into stdin while the child floods stderr first', async () => {
    const code = 'import sys\nsys.stderr.buffer.write(b"e" * (4 << 20)); sys.stderr.flush()\nd = sys.stdin.buffer.read()\nsys.stdout.write(str(len(d)))';
    const p = new Popen([PY, '-c', code], { stdin: PIPE, stdout: PIPE, stderr: PIPE });
    const [out, err] = await p.communicate(Buffer.alloc((4 << 20) + 1, 120));
    expect(out?.toString()).toBe(String((4 << 20) + 1));
    expect(err?.length).toBe(4 << 20);
    expect(p.returnCode).toBe(0);
  });

  it('empty input closes stdin; no pipes gives [null, null]', async () => {
    const p = new Popen(['cat'], { stdin: PIPE, stdout: PIPE });
    expect(await p.communicate(Buffer.alloc(0))).toEqual([Buffer.alloc(0), null]);
    const q = new Popen(['true']);
    expect(await q.communicate()).toEqual([null, null]);
  });

  it('STDOUT in Popen merges stderr into stdout', async () => {
    const p = new Popen(['sh', '-c', 'echo a; echo b >&2; echo c'], { stdout: PIPE, stderr: STDOUT, text: true });
    expect(p.stderr).toBeNull();
    expect(await p.communicate()).toEqual(['a\nb\nc\n', null]);
  });

  it('a timeout keeps the partial output; a later communicate returns everything', async () => {
    const code = 'import signal\nsignal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})\nprint("a", flush=True)\nsignal.sigwait({signal.SIGUSR1})\nprint("b")';
    const p = new Popen([PY, '-c', code], { stdin: PIPE, stdout: PIPE, text: true });
    let partial: string | null = null;
    for (let i = 0; i < 100 && partial !== 'a\n'; i++) {
      const t0 = performance.now();
      const e = (await p.communicate(null, { timeout: 100 }).catch((x: unknown) => x)) as TimeoutExpired<string>;
      expect(e).toBeInstanceOf(TimeoutExpired);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(60);
      partial = e.stdout;
    }
    expect(partial).toBe('a\n');
    p.sendSignal('SIGUSR1');
    expect(await p.communicate()).toEqual(['a\nb\n', null]);
  });

  it('input after communication started is a StateError; input without stdin PIPE too', async () => {
    const p = new Popen(['cat'], { stdin: PIPE, stdout: PIPE });
    const first = p.communicate('x');
    expect(() => p.communicate('y')).toThrow(StateError);
    await first;
    const q = new Popen(['true']);
    expect(() => q.communicate('x')).toThrow(StateError);
    await q.wait();
  });
});

describe('Popen lifecycle', () => {
  it('poll is null while running; wait with a timeout raises TimeoutExpired and leaves the child', async () => {
    const p = new Popen(['sleep', '30']);
    expect(p.poll()).toBeNull();
    expect(p.returnCode).toBeNull();
    const t0 = performance.now();
    await expect(p.wait({ timeout: 200 })).rejects.toBeInstanceOf(TimeoutExpired);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(120);
    expect(p.poll()).toBeNull();
    p.terminate();
    expect(await p.wait()).toBe(-15);
    expect(p.poll()).toBe(-15);
  });

  it('kill gives -9; sendSignal by name or number; signals after the end do nothing', async () => {
    const p = new Popen(['sleep', '30']);
    p.kill();
    expect(await p.wait()).toBe(-9);
    p.kill();
    const q = new Popen(['sleep', '30']);
    q.sendSignal('SIGUSR1');
    expect(await q.wait()).toBe(-10);
    const r = new Popen(['sleep', '30']);
    r.sendSignal(2);
    expect(await r.wait()).toBe(-2);
  });

  it('wait with an abort signal rejects with its reason', async () => {
    const p = new Popen(['sleep', '30']);
    const ac = new AbortController();
    const pending = p.wait({ signal: ac.signal });
    ac.abort(new Error('enough'));
    await expect(pending).rejects.toThrow('enough');
    p.kill();
    await p.wait();
  });

  it('processGroup: terminate reaches the grandchildren', async () => {
    const p = new Popen(['sh', '-c', 'sleep 30 & echo $!; wait'], { stdout: PIPE, text: true, processGroup: true });
    const grandchild = Number(await p.stdout.readLine());
    p.terminate();
    expect(await p.wait()).toBe(-15);
    expect(await gone(grandchild)).toBe(true);
  });

  it('await using closes stdin and waits', async () => {
    let p: Popen<{ stdin: 'pipe' }> | undefined;
    {
      await using q = new Popen(['cat'], { stdin: PIPE });
      p = q;
    }
    expect(p.returnCode).toBe(0);
  });
});

describe('cleanup: children do not outlive the parent', () => {
  const fixture = new URL('./fixtures/cleanup-parent.mjs', import.meta.url);

  async function childPidOf(how: string, signal?: NodeJS.Signals): Promise<number> {
    const parent = spawn(node, [fixture.pathname, how], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [chunk] = (await once(parent.stdout, 'data')) as [Buffer];
    if (signal !== undefined) parent.kill(signal);
    await once(parent, 'exit');
    return Number(chunk.toString());
  }

  it('on exit', async () => {
    expect(await gone(await childPidOf('exit'))).toBe(true);
  });

  it('on SIGTERM and SIGINT', async () => {
    expect(await gone(await childPidOf('signal', 'SIGTERM'))).toBe(true);
    expect(await gone(await childPidOf('signal', 'SIGINT'))).toBe(true);
  });

  it('not when cleanup is false', async () => {
    const pid = await childPidOf('no-cleanup');
    expect(await gone(pid, 200)).toBe(false);
    process.kill(pid, 'SIGKILL');
    expect(await gone(pid)).toBe(true);
  });
});
