import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ArgumentError } from '@ipc/core';
import {
  runSync,
  callSync,
  checkCallSync,
  checkOutputSync,
  CalledProcessError,
  CommandNotFoundError,
  FileNotFoundError,
  TimeoutExpired,
  PIPE,
  STDOUT,
  type RunOptions,
} from '@ipc/subprocess';
import { gone } from './_helpers.js';

describe('runSync and its kin block until the child ends', () => {
  it('gives the same CompletedProcess as run', () => {
    const r = runSync(['sh', '-c', 'echo out; echo err >&2; exit 3'], { capture: true, text: true });
    expect(r).toMatchObject({ returnCode: 3, stdout: 'out\n', stderr: 'err\n' });
    expect(runSync(['printf', 'a\\r\\nb'], { stdout: PIPE }).stdout).toEqual(Buffer.from('a\r\nb'));
    expect(runSync(['printf', 'a\\r\\nb'], { stdout: PIPE, text: true }).stdout).toBe('a\nb');
    expect(runSync(['sh', '-c', 'kill -TERM $$']).returnCode).toBe(-15);
  });

  it('input, STDOUT merge, call, checkCall, checkOutput', () => {
    expect(checkOutputSync(['tr', 'a-z', 'A-Z'], { input: 'abc', text: true })).toBe('ABC');
    expect(runSync(['sh', '-c', 'echo 1; echo 2 >&2; echo 3'], { stdout: PIPE, stderr: STDOUT, text: true }).stdout).toBe('1\n2\n3\n');
    expect(callSync(['sh', '-c', 'exit 5'])).toBe(5);
    expect(checkCallSync(['true'])).toBe(0);
    expect(() => checkCallSync(['false'])).toThrow(CalledProcessError);
  });

  it('missing programs: FileNotFoundError, and CommandNotFoundError through a shell with check', () => {
    expect(() => runSync(['python1'])).toThrow(FileNotFoundError);
    expect(() => checkOutputSync('python1', { shell: true, stderr: PIPE })).toThrow(CommandNotFoundError);
  });

  it('a timeout kills the child and its group, keeping the output so far', () => {
    const t0 = performance.now();
    let caught: unknown;
    try {
      runSync('sleep 30 & echo $!; wait', { shell: true, stdout: PIPE, text: true, timeout: 300 });
    } catch (err) {
      caught = err;
    }
    expect(performance.now() - t0).toBeGreaterThanOrEqual(180);
    expect(caught).toBeInstanceOf(TimeoutExpired);
    const pid = Number((caught as TimeoutExpired<string>).stdout);
    expect(pid).toBeGreaterThan(0);
    return gone(pid).then((g) => expect(g).toBe(true));
  });

  it('refuses what it cannot do while blocked', () => {
    expect(() => runSync(['cat'], { stdin: new PassThrough() })).toThrow(ArgumentError);
    const withSignal: RunOptions = { signal: new AbortController().signal };
    expect(() => runSync(['true'], withSignal)).toThrow(ArgumentError);
  });
});
