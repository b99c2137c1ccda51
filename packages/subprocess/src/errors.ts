import { IpcError, registerErrorClass, type IpcErrorOptions } from '@ipc/core';
import { constants } from 'node:os';

/** What a command was: the argument list, or the shell string. */
export type Command = string | readonly string[];

/** Base of the subprocess errors (Python's `subprocess.SubprocessError`). */
export class SubprocessError extends IpcError {
  constructor(message: string, options?: IpcErrorOptions, code = 'ERR_IPC_SUBPROCESS') {
    super(message, code, options);
  }
}

const TAIL_LINES = 10;

// Python's repr of a str: single quotes unless it holds one and no double quote.
function pyRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const c of s) {
    const n = c.charCodeAt(0);
    if (c === '\\' || c === q) out += `\\${c}`;
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (n < 0x20 || n === 0x7f) out += `\\x${n.toString(16).padStart(2, '0')}`;
    else out += c;
  }
  return out + q;
}

// The command as Python's messages show it: `'%s' % cmd`, so a list reads `'['ls', '-l']'`.
function show(cmd: Command): string {
  return typeof cmd === 'string' ? `'${cmd}'` : `'[${cmd.map((a) => pyRepr(String(a))).join(', ')}]'`;
}

// Python: "died with <Signals.SIGABRT: 6>." or "died with unknown signal 99.".
function died(n: number): string {
  for (const [name, value] of Object.entries(constants.signals)) if (value === n) return `died with <Signals.${name}: ${n}>`;
  return `died with unknown signal ${n}`;
}

// The last lines of what the child said on stderr: usually the reason it failed.
function tail(stderr: string | Buffer | null | undefined): string {
  if (stderr === null || stderr === undefined || stderr.length === 0) return '';
  const text = typeof stderr === 'string' ? stderr : stderr.toString('utf8');
  const lines = text.replace(/\s+$/, '').split(/\r?\n/);
  const kept = lines.slice(-TAIL_LINES).join('\n');
  return lines.length > TAIL_LINES ? `\n…\n${kept}` : `\n${kept}`;
}

/**
 * A command that exited with a non-zero status where success was required
 * (`check`, `checkCall`, `checkOutput`). `returnCode` is `-N` when signal N ended it.
 */
export class CalledProcessError<T extends string | Buffer = string | Buffer> extends SubprocessError {
  readonly returnCode: number;
  readonly cmd: Command;
  readonly stdout: T | null;
  readonly stderr: T | null;
  constructor(returnCode: number, cmd: Command, stdout: T | null = null, stderr: T | null = null, code = 'ERR_IPC_CALLED_PROCESS', lead?: string) {
    const how = returnCode < 0 ? died(-returnCode) : `returned non-zero exit status ${returnCode}`;
    super(`${lead ?? `Command ${show(cmd)} ${how}.`}${tail(stderr)}`, undefined, code);
    this.returnCode = returnCode;
    this.cmd = cmd;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /** Python's alias of `stdout`. */
  get output(): T | null {
    return this.stdout;
  }
}

/**
 * A shell command whose shell answered 127, "command not found" (with `shell`
 * and `check`): still a CalledProcessError, and it names the missing program.
 */
export class CommandNotFoundError<T extends string | Buffer = string | Buffer> extends CalledProcessError<T> {
  readonly filename: string;
  readonly errno = 'ENOENT';
  constructor(filename: string, cmd: Command, stdout: T | null = null, stderr: T | null = null) {
    super(127, cmd, stdout, stderr, 'ERR_IPC_COMMAND_NOT_FOUND', `No such file or directory: '${filename}' (the shell of ${show(cmd)} exited with 127, command not found).`);
    this.filename = filename;
  }
}

/** A wait that ran out of time; whatever output had arrived is kept. `timeout` in ms. */
export class TimeoutExpired<T extends string | Buffer = string | Buffer> extends SubprocessError {
  readonly cmd: Command;
  readonly timeout: number;
  readonly stdout: T | null;
  readonly stderr: T | null;
  constructor(cmd: Command, timeout: number, stdout: T | null = null, stderr: T | null = null) {
    super(`Command ${show(cmd)} timed out after ${timeout} ms`, undefined, 'ERR_IPC_TIMEOUT_EXPIRED');
    this.cmd = cmd;
    this.timeout = timeout;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  get output(): T | null {
    return this.stdout;
  }
}

/** A write to the stdin of a child that has gone or stopped reading, or after `close()` (Python's `BrokenPipeError`). */
export class BrokenPipeError extends SubprocessError {
  constructor(message = 'the child\'s stdin is closed (the child has ended or closed it)', options?: IpcErrorOptions) {
    super(message, options, 'ERR_IPC_SUBPROCESS_BROKEN_PIPE');
  }
}

/** The child could not be started (Python's `OSError` from `Popen`). `errno` is Node's code, e.g. `'EAGAIN'`. */
export class SpawnError extends IpcError {
  readonly errno: string;
  readonly filename: string;
  constructor(message: string, errno: string, filename: string, options?: IpcErrorOptions, code = 'ERR_IPC_SPAWN') {
    super(message, code, options);
    this.errno = errno;
    this.filename = filename;
  }
}

/** The program (or the working directory) does not exist: Python's `FileNotFoundError`. */
export class FileNotFoundError extends SpawnError {
  constructor(filename: string, options?: IpcErrorOptions) {
    super(`[Errno 2] No such file or directory: '${filename}'`, 'ENOENT', filename, options, 'ERR_IPC_FILE_NOT_FOUND');
  }
}

/** The program exists but cannot be executed: Python's `PermissionError`. */
export class PermissionError extends SpawnError {
  constructor(filename: string, options?: IpcErrorOptions) {
    super(`[Errno 13] Permission denied: '${filename}'`, 'EACCES', filename, options, 'ERR_IPC_PERMISSION_DENIED');
  }
}

registerErrorClass('ERR_IPC_SUBPROCESS', SubprocessError);
registerErrorClass('ERR_IPC_CALLED_PROCESS', CalledProcessError);
registerErrorClass('ERR_IPC_COMMAND_NOT_FOUND', CommandNotFoundError);
registerErrorClass('ERR_IPC_TIMEOUT_EXPIRED', TimeoutExpired);
registerErrorClass('ERR_IPC_SUBPROCESS_BROKEN_PIPE', BrokenPipeError);
registerErrorClass('ERR_IPC_SPAWN', SpawnError);
registerErrorClass('ERR_IPC_FILE_NOT_FOUND', FileNotFoundError);
registerErrorClass('ERR_IPC_PERMISSION_DENIED', PermissionError);
