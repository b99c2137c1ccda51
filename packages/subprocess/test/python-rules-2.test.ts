// Second pass over CPython's Lib/test/test_subprocess.py: one `describe` per test class, each `it` naming the test it ports.
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ArgumentError } from '@ipc/core';
import * as subprocess from '@ipc/subprocess';
import type { CalledProcessError } from '@ipc/subprocess';
import {
  BrokenPipeError,
  DEVNULL,
  FileNotFoundError,
  PIPE,
  Popen,
  STDOUT,
  TimeoutExpired,
  call,
  checkOutput,
  getOutput,
  getOutputSync,
  getStatusOutput,
  getStatusOutputSync,
  run,
  runSync,
} from '@ipc/subprocess';
import { node } from './_helpers.js';

const PY = 'python3';
const T = 20_000;
const dir = mkdtempSync(join(tmpdir(), 'ipc-subprocess-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A file holding `content`, opened for reading and writing at offset 0 (Python's TemporaryFile after seek(0)).
function tempFd(name: string, content = ''): number {
  const path = join(dir, name);
  writeFileSync(path, content);
  return openSync(path, 'r+');
}

function readFd(fd: number): string {
  const buf = Buffer.alloc(4096);
  return buf.subarray(0, readSync(fd, buf, 0, buf.length, 0)).toString();
}

// The open descriptors of a child, as it sees them (CPython's subprocessdata/fd_status.py).
const FD_STATUS = 'import os\nfds = []\nfor fd in range(256):\n    try: os.fstat(fd)\n    except OSError: continue\n    fds.append(fd)\nprint(",".join(map(str, fds)))';

describe('ProcessTestCase', () => {
  it('test_communicate_timeout: the input is kept across a TimeoutExpired; communicate() again gives all of stdout and stderr', { timeout: T }, async () => {
    const p = new Popen(['sh', '-c', 'printf "pineapple\\n" >&2; sleep 1; printf "pear\\n" >&2; cat'], { universalNewlines: true, stdin: PIPE, stdout: PIPE, stderr: PIPE });
    try {
      const t0 = performance.now();
      const e = (await p.communicate('banana', { timeout: 300 }).catch((x: unknown) => x)) as TimeoutExpired<string>;
      const took = performance.now() - t0;
      expect(e).toBeInstanceOf(TimeoutExpired);
      expect(took).toBeGreaterThanOrEqual(180);
      expect(took).toBeLessThan(3000);
      expect(p.poll()).toBeNull();
      expect(await p.communicate()).toEqual(['banana', 'pineapple\npear\n']);
      expect(p.returnCode).toBe(0);
    } finally {
      p.kill();
    }
  });

  it('test_communicate_timeout_large_output: output arriving across the timeout is all there on the next call', { timeout: T }, async () => {
    const p = new Popen(['sh', '-c', 'for i in 1 2 3 4; do head -c 65536 /dev/zero; sleep 0.2; done'], { stdout: PIPE });
    await expect(p.communicate(null, { timeout: 400 })).rejects.toBeInstanceOf(TimeoutExpired);
    const [out] = await p.communicate();
    expect(out?.length).toBe(4 * 64 * 1024);
  });

  it('test_communicate_pipe_buf: input, stdout and stderr each larger than a pipe, at once, without deadlock', { timeout: T }, async () => {
    const size = (4 << 20) + 1;
    const code = `import sys\nsys.stdout.buffer.write(sys.stdin.buffer.read(47)); sys.stdout.flush()\nsys.stderr.buffer.write(b"x" * ${size}); sys.stderr.flush()\nsys.stdout.buffer.write(sys.stdin.buffer.read())`;
    const p = new Popen([PY, '-c', code], { stdin: PIPE, stdout: PIPE, stderr: PIPE });
    const input = Buffer.alloc(size, 97);
    const [out, err] = await p.communicate(input);
    expect(out?.equals(input)).toBe(true);
    expect(err?.length).toBe(size);
  });

  it('test_writes_before_communicate: what stdin.write sent (awaited or not) comes before the input of communicate', { timeout: T }, async () => {
    const p = new Popen(['cat'], { stdin: PIPE, stdout: PIPE, stderr: PIPE, text: true });
    await p.stdin.write('banana');
    expect(await p.communicate('split')).toEqual(['bananasplit', '']);
    const q = new Popen(['cat'], { stdin: PIPE, stdout: PIPE, text: true });
    void q.stdin.write('ba');
    void q.stdin.write('na');
    expect(await q.communicate('na')).toEqual(['banana', null]);
  });

  it('test_communicate_pipe_fd_leak: after communicate every pipe of the Popen is closed (test_communicate_returns: null where none)', { timeout: T }, async () => {
    const choices = [PIPE, undefined] as const;
    for (const stdin of choices)
      for (const stdout of choices)
        for (const stderr of choices) {
          const p = new Popen(['true'], { stdin, stdout, stderr });
          const [out, err] = await p.communicate();
          expect(out === null).toBe(stdout === undefined);
          expect(err === null).toBe(stderr === undefined);
          for (const s of [p.stdin, p.stdout, p.stderr]) if (s !== null) expect(s.closed).toBe(true);
        }
  });

  it('test_communicate_epipe, test_communicate_epipe_only_stdin: a child that never reads its 1 MiB of input is no error', { timeout: T }, async () => {
    const p = new Popen(['true'], { stdin: PIPE, stdout: PIPE, stderr: PIPE });
    expect(await p.communicate(Buffer.alloc(1 << 20, 120))).toEqual([Buffer.alloc(0), Buffer.alloc(0)]);
    const q = new Popen(['true'], { stdin: PIPE });
    await q.wait();
    expect(await q.communicate(Buffer.alloc(1 << 20, 120))).toEqual([null, null]);
  });

  it('test_universal_newlines_and_text: line by line while the child runs, read(n), then the rest with \\r\\n and \\r translated', { timeout: T }, async () => {
    const code = [
      'import sys',
      'buf = sys.stdout.buffer',
      'buf.write(sys.stdin.readline().encode()); buf.flush()',
      'buf.write(b"line2\\n"); buf.flush()',
      'buf.write(sys.stdin.read().encode()); buf.flush()',
      'for part in (b"line4\\n", b"line5\\r\\n", b"line6\\r", b"\\nline7", b"\\nline8"):',
      '    buf.write(part); buf.flush()',
    ].join('\n');
    for (const mode of [{ universalNewlines: true }, { text: true }] as const) {
      await using p = new Popen([PY, '-c', code], { stdin: PIPE, stdout: PIPE, ...mode });
      // Nothing is held back on our side: the line reaches the child without a flush (Python's bufsize=1 in text mode).
      await p.stdin.write('line1\n');
      expect(await p.stdout.readLine()).toBe('line1\n');
      await p.stdin.write('line3\n');
      await p.stdin.close();
      expect(await p.stdout.readLine()).toBe('line2\n');
      expect(await p.stdout.read(6)).toBe('line3\n');
      expect(await p.stdout.read()).toBe('line4\nline5\nline6\nline7\nline8');
      expect(await p.stdout.read()).toBe('');
    }
  });

  it('test_universal_newlines_communicate_stdin_stdout_stderr: both outputs translated, \\r alone included', { timeout: T }, async () => {
    const code = [
      'import sys',
      'sys.stdout.buffer.write(sys.stdin.buffer.readline()); sys.stdout.buffer.write(b"line2\\r")',
      'sys.stderr.buffer.write(b"eline2\\n")',
      'sys.stdout.buffer.write(sys.stdin.buffer.read()); sys.stdout.buffer.write(b"line4\\nline5\\r\\n")',
      'sys.stderr.buffer.write(b"eline6\\r"); sys.stderr.buffer.write(b"eline7\\r\\nz")',
    ].join('\n');
    const p = new Popen([PY, '-c', code], { stdin: PIPE, stdout: PIPE, stderr: PIPE, universalNewlines: true });
    const [out, err] = await p.communicate('line1\nline3\n');
    expect(p.returnCode).toBe(0);
    expect(out).toBe('line1\nline2\nline3\nline4\nline5\n');
    expect(err?.startsWith('eline2\neline6\neline7\n')).toBe(true);
  });

  it('test_universal_newlines_communicate_encodings: utf-16 (its BOM) and utf-32-be read as Python reads them; strings written as Python writes them, one BOM', { timeout: T }, async () => {
    // What Python's '1\r\n2\r3\n4'.encode(encoding) gives, fed through cat.
    const written = { 'utf-16': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('1\r\n2\r3\n4', 'utf16le')]), 'utf-32-be': Buffer.from('1\r\n2\r3\n4'.split('').flatMap((c) => [0, 0, 0, c.charCodeAt(0)])) };
    for (const [encoding, bytes] of Object.entries(written)) {
      const p = new Popen(['cat'], { stdin: PIPE, stdout: PIPE, encoding });
      expect(await p.communicate(bytes)).toEqual(['1\n2\n3\n4', null]);
    }
    // Python's 'h\u00e9llo \U0001f600'.encode(encoding).hex(), written by two writes.
    for (const [encoding, hex] of [
      ['utf-16', 'fffe6800e9006c006c006f0020003dd800de'],
      ['utf-16-be', '006800e9006c006c006f0020d83dde00'],
      ['utf-32', 'fffe000068000000e90000006c0000006c0000006f0000002000000000f60100'],
      ['UTF_32_LE', '68000000e90000006c0000006c0000006f0000002000000000f60100'],
    ] as const) {
      const out = tempFd(`${encoding}.txt`);
      try {
        const p = new Popen(['cat'], { stdin: PIPE, stdout: out, encoding });
        await p.stdin.write('h\u00e9');
        await p.stdin.write('llo \ud83d\ude00');
        await p.communicate();
        const buf = Buffer.alloc(256);
        expect(buf.subarray(0, readSync(out, buf, 0, 256, 0)).toString('hex')).toBe(hex);
      } finally {
        closeSync(out);
      }
    }
  });

  it("test_communicate_errors, with Python's codec names: latin-1 maps every byte, ascii refuses the high ones, cp1252 has its own; strings are encoded the same way", { timeout: T }, async () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const cat = (input: string | Buffer, o: { encoding?: string; errors?: 'strict' | 'replace' | 'ignore' | 'surrogateescape' | 'backslashreplace' }) => run(['cat'], { input, stdout: PIPE, ...o });
    // latin-1 (and its aliases): byte N is U+00NN, both ways, as Python's (WHATWG reads it as windows-1252).
    for (const encoding of ['latin-1', 'latin1', 'ISO-8859-1', 'iso8859_1']) {
      const text = String((await cat(all, { encoding })).stdout);
      expect(text.length).toBe(256);
      expect(text.charCodeAt(0x80)).toBe(0x80);
    }
    expect((await run(['od', '-An', '-tx1'], { input: '\u0080\u00e9', encoding: 'latin-1', stdout: PIPE })).stdout).toBe(' 80 e9\n');
    // ascii: strict refuses a byte above 0x7f; the handlers work on it as on utf-8.
    await expect(cat(Buffer.from([0x61, 0x80]), { encoding: 'ascii' })).rejects.toThrow(/'ascii' codec can't decode byte 0x80/);
    expect((await cat(Buffer.from([0x61, 0x80, 0xff]), { encoding: 'ascii', errors: 'replace' })).stdout).toBe('a\ufffd\ufffd');
    expect((await cat(Buffer.from([0x61, 0x80, 0xff]), { encoding: 'us-ascii', errors: 'surrogateescape' })).stdout).toBe('a\udc80\udcff');
    // cp1252: 0x80 is the euro sign, 0x81 is undefined (Python's table).
    expect((await cat(Buffer.from([0x80, 0x81, 0xe9]), { encoding: 'cp1252', errors: 'backslashreplace' })).stdout).toBe('\u20ac\\x81\u00e9');
    expect((await run(['od', '-An', '-tx1'], { input: '\u20ac\u00e9', encoding: 'windows-1252', stdout: PIPE })).stdout).toBe(' 80 e9\n');
    // Writing a character the codec lacks: Python's UnicodeEncodeError (a ValueError) at the call, nothing sent; errors: 'replace' writes '?'.
    await expect(cat('a\u0100', { encoding: 'latin-1' })).rejects.toBeInstanceOf(ArgumentError);
    expect(() => runSync(['cat'], { input: '\u00e9', encoding: 'ascii' })).toThrow(/'ascii' codec can't encode character '\\xe9' in position 0/);
    expect((await cat('a\u0100\u00e9', { encoding: 'latin-1', errors: 'replace' })).stdout).toBe('a?\u00e9');
    // The name as Python normalizes it.
    expect((await cat('\u00e9', { encoding: 'UTF_8' })).stdout).toBe('\u00e9');
  });

  it('test_bufsize_equal_one_text_mode: a written line reaches the child without flush(); flush() is there and waits for what is queued', { timeout: T }, async () => {
    const p = new Popen(['cat'], { stdin: PIPE, stdout: PIPE, text: true });
    await p.stdin.write('line\n');
    expect(await p.stdout.readLine()).toBe('line\n');
    void p.stdin.write(Buffer.alloc(256 * 1024, 120));
    const echoed = p.stdout.read();
    await p.stdin.flush();
    expect(p.stdin.stream.writableLength).toBe(0);
    await p.stdin.close();
    expect((await echoed).length).toBe(256 * 1024);
    expect(await p.wait()).toBe(0);
    await expect(p.stdin.flush()).rejects.toBeInstanceOf(BrokenPipeError);
  });

  it("test_poll, test_wait, test_threadsafe_wait: waits started together all get the code of a kill; later wait() and poll() give it again", { timeout: T }, async () => {
    const p = new Popen(['sleep', '30']);
    expect(p.poll()).toBeNull();
    const plain = p.wait();
    const timed = p.wait({ timeout: 15_000 });
    p.kill();
    expect(await Promise.all([plain, timed])).toEqual([-9, -9]);
    expect(await p.wait()).toBe(-9);
    expect(p.poll()).toBe(-9);
    expect(p.returnCode).toBe(-9);
  });

  it('test_wait_timeout: the message gives the timeout as given (in ms here); wait() after it still gets the code', { timeout: T }, async () => {
    const p = new Popen(['sleep', '0.3']);
    const e = (await p.wait({ timeout: 0.1 }).catch((x: unknown) => x)) as TimeoutExpired;
    expect(e).toBeInstanceOf(TimeoutExpired);
    expect(e.message).toContain('0.1 ms');
    expect(await p.wait({ timeout: 15_000 })).toBe(0);
  });

  it('test_stdin_devnull, test_stdout_devnull, test_stderr_devnull: no stream on the Popen; the child reads end-of-file and writes into nothing', { timeout: T }, async () => {
    const p = new Popen(['sh', '-c', 'if read x; then echo got; else echo eof; fi'], { stdin: DEVNULL, stdout: PIPE, text: true });
    expect(p.stdin).toBeNull();
    expect(await p.communicate()).toEqual(['eof\n', null]);
    const q = new Popen(['sh', '-c', 'head -c 1048576 /dev/zero; head -c 1048576 /dev/zero >&2'], { stdout: DEVNULL, stderr: DEVNULL });
    expect([q.stdin, q.stdout, q.stderr]).toEqual([null, null, null]);
    expect(await q.wait()).toBe(0);
  });

  it('test_stdin_filedes, test_stdout_stderr_file, test_check_output_stdin_arg: descriptors of files as stdio, one file for both outputs', { timeout: T }, async () => {
    const input = tempFd('pear.txt', 'pear');
    const both = tempFd('both.txt');
    try {
      expect(await checkOutput(['tr', 'a-z', 'A-Z'], { stdin: input, text: true })).toBe('PEAR');
      expect(await call(['sh', '-c', 'printf apple; printf orange >&2'], { stdout: both, stderr: both })).toBe(0);
      expect(readFd(both)).toBe('appleorange');
    } finally {
      closeSync(input);
      closeSync(both);
    }
  });

  it('test_stderr_redirect_with_no_stdout_redirect, test_stdout_filedes_of_stdout: STDOUT and 1 reach the parent’s own stdout', { timeout: T }, async () => {
    const fixture = new URL('./fixtures/stdio-parent.mjs', import.meta.url).pathname;
    const merged = await run([node, fixture, 'stderr-to-stdout'], { capture: true, text: true });
    expect([merged.returnCode, merged.stdout, merged.stderr]).toEqual([0, '42', '']);
    const one = await run([node, fixture, 'stdout-fd-1'], { capture: true, text: true });
    expect([one.returnCode, one.stdout]).toEqual([0, 'test with stdout=1']);
  });

  it('test_check_output_stderr: checkOutput with stderr: STDOUT has both', { timeout: T }, async () => {
    expect(await checkOutput(['sh', '-c', 'printf BDFL >&2'], { stderr: STDOUT, text: true })).toBe('BDFL');
  });

  it('test_env, test_empty_env, test_one_environment_variable, test_invalid_env: env replaces it all; a value may hold "="; a program is found without PATH', { timeout: T }, async () => {
    expect((await run(['/usr/bin/env'], { env: {}, stdout: PIPE, text: true })).stdout).toBe('');
    expect((await run(['/usr/bin/env'], { env: { fruit: 'orange' }, stdout: PIPE, text: true })).stdout).toBe('fruit=orange\n');
    // As Python's os.get_exec_path: no PATH in env, the default path.
    expect((await run(['env'], { env: { FRUIT: 'orange=lemon' }, stdout: PIPE, text: true })).stdout).toBe('FRUIT=orange=lemon\n');
  });

  it('test_cwd_with_relative_arg, test_cwd_with_relative_executable, test_cwd_with_absolute_arg, test_cwd_with_pathlike: a relative program is found from cwd', { timeout: T }, async () => {
    expect(() => new Popen(['./sh', '-c', 'exit 47'])).toThrow(FileNotFoundError);
    expect(() => new Popen(['./sh', '-c', 'exit 47'], { cwd: dir })).toThrow(FileNotFoundError);
    expect((await run(['./sh', '-c', 'exit 47'], { cwd: '/bin' })).returnCode).toBe(47);
    expect(() => new Popen(['somethingyoudonthave'], { executable: './sh', cwd: dir })).toThrow(FileNotFoundError);
    expect((await run(['somethingyoudonthave', '-c', 'echo "$0"; exit 47'], { executable: './sh', cwd: '/bin', stdout: PIPE, text: true })).stdout).toBe('somethingyoudonthave\n');
    expect((await run(['/bin/sh', '-c', 'pwd'], { cwd: pathToFileURL(dir), stdout: PIPE, text: true })).stdout).toBe(`${dir}\n`);
  });

  it('test_leaking_fds_on_error, test_failed_child_execute_fd_leak: a Popen that fails to start leaves no descriptor open', { timeout: T }, async () => {
    const count = (): number => readdirSync('/proc/self/fd').length;
    const tries = (): void => {
      for (const o of [{ stdin: PIPE, stdout: PIPE, stderr: PIPE }, { stdout: PIPE, stderr: STDOUT }, { cwd: '/nonexistent-ipc', stdout: PIPE }] as const) {
        expect(() => new Popen(['nonexisting-ipc-command'], o)).toThrow(FileNotFoundError);
      }
    };
    tries(); // anything opened once, the first time, is not a leak
    await new Promise((r) => setImmediate(r));
    const before = count();
    for (let i = 0; i < 30; i++) tries();
    await new Promise((r) => setImmediate(r));
    expect(count() - before).toBeLessThan(10);
  });

  it('test_repr (args): args, cmd and CompletedProcess.args are what was given, the same object', { timeout: T }, async () => {
    const args = ['sh', '-c', 'exit 3'];
    const p = new Popen(args);
    expect(p.args).toBe(args);
    await p.wait();
    const r = await run(args);
    expect(r.args).toBe(args);
    const e = (await run(args, { check: true }).catch((x: unknown) => x)) as CalledProcessError;
    expect(e.cmd).toBe(args);
    const line = 'exit 4';
    expect((await run(line, { shell: true })).args).toBe(line);
    const t = (await run(['sleep', '30'], { timeout: 50 }).catch((x: unknown) => x)) as TimeoutExpired;
    expect(t.cmd).toEqual(['sleep', '30']);
  });
});

describe('RunFuncTestCase', () => {
  it('test_timeout: a timeout of a fraction of a ms kills a busy child (run and runSync)', { timeout: T }, async () => {
    await expect(run(['sh', '-c', 'while :; do :; done'], { timeout: 0.1 })).rejects.toBeInstanceOf(TimeoutExpired);
    expect(() => runSync(['sh', '-c', 'while :; do :; done'], { timeout: 0.1 })).toThrow(TimeoutExpired);
  });

  it('test_stdout_stdout, test_stdout_with_capture_output_arg, test_stderr_with_capture_output_arg, test_check_output_stdin_with_input_arg: refusals name what clashes', { timeout: T }, async () => {
    await expect(run(['true'], { stdout: STDOUT as never })).rejects.toBeInstanceOf(ArgumentError);
    const fd = tempFd('clash.txt');
    try {
      await expect(run(['true'], { capture: true, stdout: fd })).rejects.toThrow(/stdout.*capture/);
      await expect(run(['true'], { capture: true, stderr: fd })).rejects.toThrow(/stderr.*capture/);
      await expect(run(['cat'], { stdin: fd, input: 'hare' })).rejects.toThrow(/stdin.*input/);
      await expect(checkOutput(['cat'], { stdin: fd, input: 'hare' })).rejects.toThrow(/stdin.*input/);
    } finally {
      closeSync(fd);
    }
  });
});

describe('POSIXProcessTestCase', () => {
  it('test_exception_cwd, test_exception_bad_executable, test_exception_bad_args_0: FileNotFoundError naming what is missing', { timeout: T }, () => {
    const missing = '/_this/pa.th/does/not/exist';
    for (const [args, o] of [
      [['sh', '-c', ''], { cwd: missing }],
      [['sh', '-c', ''], { executable: missing }],
      [[missing, '-c', ''], {}],
    ] as const) {
      let e: unknown;
      try {
        new Popen(args, o);
      } catch (x) {
        e = x;
      }
      expect(e).toBeInstanceOf(FileNotFoundError);
      expect(e).toMatchObject({ errno: 'ENOENT', filename: missing });
    }
  });

  it('test_start_new_session, test_process_group_0: processGroup gives the child its own session and group', { timeout: T }, async () => {
    const fields = (stat: string): string[] => stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const p = new Popen(['cat', '/proc/self/stat'], { processGroup: true, stdout: PIPE, text: true });
    const [child] = await p.communicate();
    const [, , pgrp, session] = fields(child ?? '');
    const [, , ourPgrp, ourSession] = fields(readFileSync('/proc/self/stat', 'utf8'));
    expect([pgrp, session]).toEqual([String(p.pid), String(p.pid)]);
    expect(pgrp).not.toBe(ourPgrp);
    expect(session).not.toBe(ourSession);
  });

  it('test_umask: the child creates files under the umask given, with or without shell, with stderr merged', { timeout: T }, async () => {
    const name = join(dir, 'beans');
    await run(['touch', name], { umask: 0o053 });
    expect(statSync(name).mode & 0o666).toBe(0o624);
    rmSync(name);
    expect((await run('umask', { shell: true, umask: 0o077, stdout: PIPE, text: true })).stdout).toBe('0077\n');
    expect(runSync(['sh', '-c', 'umask; echo "$0" >&2'], { umask: 0o027, stdout: PIPE, stderr: STDOUT, text: true }).stdout).toBe('0027\nsh\n');
    await expect(run(['true'], { umask: 0o1000 })).rejects.toBeInstanceOf(ArgumentError);
    expect(() => new Popen(['nonexisting-ipc-command'], { umask: 0o022 })).toThrow(FileNotFoundError);
  });

  it.runIf(existsSync('/bin/bash'))('test_executable (with stderr: STDOUT): argv[0] stays args[0], and argv0 stays itself, when the outputs are merged', { timeout: T }, async () => {
    const r = await run(['doesnotexist', '-c', 'echo "$0"; echo err >&2'], { executable: '/bin/sh', stdout: PIPE, stderr: STDOUT, text: true });
    expect(r.stdout).toBe('doesnotexist\nerr\n');
    const a = await run(['sh', '-c', 'echo "$0" >&2'], { argv0: 'custom', stdout: PIPE, stderr: STDOUT, text: true, umask: 0o022 });
    expect(a.stdout).toBe('custom\n');
  });

  it('test_args_string, test_call_string: a string without shell is the program itself, spaces and all', { timeout: T }, async () => {
    const script = join(dir, 'exit 47.sh');
    writeFileSync(script, '#!/bin/sh\nexit 47\n');
    chmodSync(script, 0o700);
    expect(await new Popen(script).wait()).toBe(47);
    expect(await call(script)).toBe(47);
    expect(() => new Popen('ls -l')).toThrow("No such file or directory: 'ls -l'");
  });

  it('test_shell_sequence, test_specific_shell: with a list the first item is the command line; executable replaces the shell and is its $0', { timeout: T }, async () => {
    const env = { FRUIT: 'apple', PATH: process.env.PATH };
    expect((await run(['echo $FRUIT'], { shell: true, env, stdout: PIPE, text: true })).stdout).toBe('apple\n');
    for (const sh of ['/bin/sh', '/bin/bash'].filter((s) => existsSync(s))) {
      expect((await run('echo $0', { shell: true, executable: sh, stdout: PIPE, text: true })).stdout).toBe(`${sh}\n`);
    }
  });

  it('test_send_signal, test_kill, test_terminate: SIGINT is a KeyboardInterrupt in a Python child; kill and terminate give -9 and -15, nothing on stderr', { timeout: T }, async () => {
    const start = (): Popen<{ stdin: 'pipe'; stdout: 'pipe'; stderr: 'pipe'; text: true }> =>
      new Popen([PY, '-c', 'import sys, time\nsys.stdout.write("x\\n"); sys.stdout.flush()\ntime.sleep(30)'], { stdin: PIPE, stdout: PIPE, stderr: PIPE, text: true });
    const started: { kill(): void }[] = [];
    try {
      const p = start();
      started.push(p);
      expect(await p.stdout.readLine()).toBe('x\n');
      p.sendSignal('SIGINT');
      const [, err] = await p.communicate();
      expect(err).toContain('KeyboardInterrupt');
      expect(p.returnCode).not.toBe(0);
      for (const [how, code] of [['kill', -9], ['terminate', -15]] as const) {
        const q = start();
        started.push(q);
        expect(await q.stdout.readLine()).toBe('x\n');
        q[how]();
        expect((await q.communicate())[1]).toBe('');
        expect(await q.wait()).toBe(code);
      }
    } finally {
      for (const p of started) p.kill();
    }
  });

  it('test_send_signal_dead, test_kill_dead, test_terminate_dead: after the child ended, reaped or not, signals do nothing and throw nothing', { timeout: T }, async () => {
    for (const processGroup of [false, true]) {
      const p = new Popen(['sh', '-c', 'echo x'], { stdout: PIPE, processGroup });
      // Its output has ended: the child has exited, perhaps not yet reaped by Node.
      await p.stdout.read();
      p.sendSignal('SIGINT');
      p.kill();
      p.terminate();
      expect(await p.wait()).toBe(0);
      p.sendSignal('SIGINT');
      p.kill();
      p.terminate();
      expect(await p.communicate()).toEqual([Buffer.alloc(0), null]);
      expect(p.returnCode).toBe(0);
    }
  });

  it('test_pass_fds_redirected: a descriptor both passed and used as stdout is kept; the child has 0, 1, 2 and the passed ones, no other of ours', { timeout: T }, async () => {
    // What Node's own children get anyway: descriptors this process inherited without close-on-exec (see README).
    const inherited = new Set(spawnSync(PY, ['-c', FD_STATUS], { encoding: 'utf8' }).stdout.trim().split(',').map(Number));
    const a = openSync('/dev/null', 'r+');
    const out = tempFd('fd-status.txt');
    const c = openSync('/dev/null', 'r+');
    const stray = openSync('/dev/null', 'r');
    try {
      expect(await call([PY, '-c', FD_STATUS], { stdin: a, stdout: out, stderr: c, passFds: [a, out, c] })).toBe(0);
      const fds = readFd(out).trim().split(',').map(Number);
      expect(fds).toEqual(expect.arrayContaining([0, 1, 2, a, out, c]));
      expect(fds).not.toContain(stray);
      expect(fds.filter((fd) => ![0, 1, 2, a, out, c].includes(fd) && !inherited.has(fd))).toEqual([]);
    } finally {
      for (const fd of [a, out, c, stray]) closeSync(fd);
    }
  });

  it('test_stdout_stdin_are_single_inout_fd, test_stdout_stderr_are_single_inout_fd, test_stderr_stdin_are_single_inout_fd', { timeout: T }, async () => {
    const inout = openSync('/dev/null', 'r+');
    try {
      expect(await call(['true'], { stdin: inout, stdout: inout })).toBe(0);
      expect(await call(['true'], { stdout: inout, stderr: inout })).toBe(0);
      expect(await call(['true'], { stderr: inout, stdin: inout })).toBe(0);
    } finally {
      closeSync(inout);
    }
  });

  it('test_remapping_std_fds: three files in the "wrong" order as stdin, stdout and stderr', { timeout: T }, async () => {
    const [a, b, c] = [tempFd('remap-0.txt'), tempFd('remap-1.txt', 'STDIN'), tempFd('remap-2.txt')];
    try {
      expect(await call([PY, '-c', 'import sys; got = sys.stdin.read(); sys.stdout.write("got %s" % got); sys.stderr.write("err")'], { stdin: b, stdout: c, stderr: a })).toBe(0);
      expect(readFd(c)).toBe('got STDIN');
      expect(readFd(a)).toBe('err');
    } finally {
      for (const fd of [a, b, c]) closeSync(fd);
    }
  });

  it('test_communicate_repeated_call_after_stdout_close: a child that closes stdout and goes on; repeated timed communicate() ends with its output', { timeout: T }, async () => {
    const p = new Popen(['sh', '-c', 'exec 1>&-; sleep 0.5'], { stdout: PIPE });
    for (;;) {
      const got = await p.communicate(null, { timeout: 100 }).catch((e: unknown) => {
        expect(e).toBeInstanceOf(TimeoutExpired);
        return null;
      });
      if (got !== null) {
        expect(got).toEqual([Buffer.alloc(0), null]);
        break;
      }
    }
    expect(p.returnCode).toBe(0);
  });
});

describe('ContextManagerTests', () => {
  it('test_pipe: read both outputs in the scope; after it, both are closed', { timeout: T }, async () => {
    let p: Popen<{ stdout: 'pipe'; stderr: 'pipe' }> | undefined;
    {
      await using proc = new Popen(['sh', '-c', 'printf stdout; printf stderr >&2'], { stdout: PIPE, stderr: PIPE });
      p = proc;
      expect(await proc.stdout.read()).toEqual(Buffer.from('stdout'));
      expect(await proc.stderr.read()).toEqual(Buffer.from('stderr'));
    }
    expect(p.stdout.closed).toBe(true);
    expect(p.stderr.closed).toBe(true);
  });

  it('test_communicate_stdin: communicate in the scope sets the return code', { timeout: T }, async () => {
    await using proc = new Popen(['sh', '-c', 'test "$(cat)" = context'], { stdin: PIPE });
    await proc.communicate('context');
    expect(proc.returnCode).toBe(0);
  });

  it('test_invalid_args: a missing program with pipes throws before the scope begins', { timeout: T }, async () => {
    const enter = async (): Promise<void> => {
      await using proc = new Popen(['nonexisting-ipc-command'], { stdout: PIPE, stderr: PIPE });
      void proc;
    };
    await expect(enter()).rejects.toBeInstanceOf(FileNotFoundError);
  });

  it('test_broken_pipe_cleanup (stdin): the scope still closes stdin and waits; the lost write reports BrokenPipeError itself', { timeout: T }, async () => {
    let p: Popen<{ stdin: 'pipe' }> | undefined;
    let written: Promise<void> | undefined;
    {
      await using proc = new Popen(['true'], { stdin: PIPE });
      p = proc;
      written = proc.stdin.write(Buffer.alloc(4 << 20, 120));
      written.catch(() => {});
      expect(proc.returnCode).toBeNull();
    }
    expect(p.returnCode).toBe(0);
    expect(p.stdin.closed).toBe(true);
    await expect(written).rejects.toBeInstanceOf(BrokenPipeError);
  });

  it('__exit__ on an exception: the scope closes and waits before the error goes on', { timeout: T }, async () => {
    let p: Popen<{ stdin: 'pipe' }> | undefined;
    const body = async (): Promise<void> => {
      await using proc = new Popen(['cat'], { stdin: PIPE });
      p = proc;
      throw new Error('in the body');
    };
    await expect(body()).rejects.toThrow('in the body');
    expect(p?.returnCode).toBe(0);
  });
});

describe('MiscTests', () => {
  it('test_getoutput: getOutput / getStatusOutput run a shell, merge stderr, strip one trailing newline, never throw', { timeout: T }, async () => {
    expect(await getOutput('echo xyzzy')).toBe('xyzzy');
    expect(await getStatusOutput('echo xyzzy')).toEqual([0, 'xyzzy']);
    expect(await getStatusOutput('echo a; echo b >&2; exit 3')).toEqual([3, 'a\nb']);
    expect(await getOutput('printf "x\\n\\n"')).toBe('x\n');
    expect(await getStatusOutput('/bin/kill $$')).toEqual([-15, '']);
    const [code, said] = await getStatusOutput('nonexisting-ipc-command');
    expect(code).toBe(127);
    expect(said).toMatch(/nonexisting-ipc-command: .*not found$/);
    expect(getOutputSync('echo xyzzy')).toBe('xyzzy');
    expect(getStatusOutputSync('exit 5')).toEqual([5, '']);
    expect(await getOutput('printf "\\351"', { encoding: 'latin-1' })).toBe('\u00e9');
  });

  it('test__all__: the Python names are all exported (camelCase)', () => {
    for (const name of ['run', 'call', 'checkCall', 'checkOutput', 'getOutput', 'getStatusOutput', 'Popen', 'PIPE', 'STDOUT', 'DEVNULL', 'CompletedProcess', 'SubprocessError', 'CalledProcessError', 'TimeoutExpired']) {
      expect(subprocess).toHaveProperty(name);
    }
  });
});
