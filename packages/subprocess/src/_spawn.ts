import { spawn, type ChildProcess } from 'node:child_process';
import { fstatSync } from 'node:fs';
import { Socket } from 'node:net';
import { Readable, Stream, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { ArgumentError } from '@ipc/core';
import { SpawnError, type Command } from './errors.js';
import { spawnFailure } from './_which.js';
import { throughShell, umaskStep } from './_through-shell.js';
import { resolveId } from './_ids.js';
import { PopenReader } from './popen-stream.js';
import { PopenWriter } from './popen-writer.js';
import type { PopenOptions, Stdio } from './options.js';

export type NodeStdio = 'pipe' | 'ignore' | 'inherit' | number | Stream;

/** Where a standard stream ended up: handed to Node as is, or a pipe we feed or drain in JS. */
export interface Slot {
  node: NodeStdio;
  /** A stream of the user's that we pump through the pipe ourselves. */
  pumped: Readable | Writable | null;
  /** The user asked for PIPE: the Popen exposes a reader or writer. */
  piped: boolean;
}

export interface Spawned {
  child: ChildProcess;
  group: boolean;
  /** Settles when the streams pumped in JS are done (they belong to run's result). */
  pumps: Promise<void>[];
  stdinPiped: boolean;
  stdoutPiped: boolean;
  stderrPiped: boolean;
}

// A stream Node can hand over as a descriptor: an open file stream or a socket.
function hasDescriptor(s: Stream): boolean {
  return typeof (s as { fd?: unknown }).fd === 'number' || s instanceof Socket;
}

// `input`: the child's stdin, so the parent's side must be readable; else writable.
function slot(value: Stdio, name: string, input: boolean): Slot {
  if (value === undefined || value === null || value === 'inherit') return { node: 'inherit', pumped: null, piped: false };
  if (value === 'pipe') return { node: 'pipe', pumped: null, piped: true };
  if (value === 'devnull' || value === 'ignore') return { node: 'ignore', pumped: null, piped: false };
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) throw new ArgumentError(`${name} must be a file descriptor (an integer ≥ 0), got ${value}`);
    checkOpen(value, `as ${name}`);
    return { node: value, pumped: null, piped: false };
  }
  // A reader of another Popen: the pipeline case (Python's stdin=p1.stdout). Writers give their stream.
  const stream = value instanceof PopenReader || value instanceof PopenWriter ? value.stream : value;
  if (!(stream instanceof Stream)) throw new ArgumentError(`${name} must be PIPE, DEVNULL, 'inherit', a file descriptor or a stream`);
  if (input ? !(stream instanceof Readable) : !(stream instanceof Writable)) {
    throw new ArgumentError(`${name} must be a ${input ? 'readable' : 'writable'} stream`);
  }
  if (hasDescriptor(stream) && !(value instanceof PopenReader)) return { node: stream, pumped: null, piped: false };
  return { node: 'pipe', pumped: stream as Readable | Writable, piped: false };
}

function checkArgs(args: Command, shell: boolean): void {
  if (typeof args === 'string') {
    if (args.length === 0) throw new ArgumentError('the command is empty');
    if (args.includes('\0')) throw new ArgumentError('the command contains a NUL byte (Python: embedded null byte)');
    return;
  }
  if (!Array.isArray(args) || args.length === 0) throw new ArgumentError('args must be a string or a non-empty array of strings');
  for (const [i, a] of args.entries()) {
    if (typeof a !== 'string') throw new ArgumentError(`args[${i}] must be a string, got ${typeof a}`);
    if (a.includes('\0')) throw new ArgumentError(`args[${i}] contains a NUL byte`);
  }
  if (shell && args[0] === '') throw new ArgumentError('the command is empty');
}

// Python's checks of `env`: ValueError for a NUL byte anywhere or an '=' in a name — here at the call, not from the OS.
function checkEnv(env: NodeJS.ProcessEnv | undefined): void {
  if (env === undefined || env === null) return;
  if (typeof env !== 'object') throw new ArgumentError('env must be an object of strings');
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) continue;
    if (k.includes('\0') || String(v).includes('\0')) throw new ArgumentError(`env[${JSON.stringify(k)}] contains a NUL byte (Python: embedded null byte)`);
    if (k.includes('=') || k === '') throw new ArgumentError(`illegal environment variable name: ${JSON.stringify(k)}`);
  }
}

/** Python's OSError (EBADF) from Popen for a descriptor that is not open, rather than Node's bare spawn error. */
function checkOpen(fd: number, where: string): void {
  try {
    fstatSync(fd);
  } catch {
    throw new SpawnError(`[Errno 9] Bad file descriptor: ${fd} (${where})`, 'EBADF', String(fd));
  }
}

// Python's pass_fds: these descriptors stay open in the child under the same numbers; every other one above 2 is closed (Node opens its own close-on-exec).
function extraFds(given: readonly number[] | undefined): NodeStdio[] {
  if (given === undefined) return [];
  const passFds: unknown = given;
  if (!Array.isArray(passFds)) throw new ArgumentError('passFds must be an array of file descriptors');
  if (passFds.length === 0) return [];
  for (const fd of given) {
    if (!Number.isInteger(fd) || fd < 3) throw new ArgumentError(`passFds takes descriptors ≥ 3 (0–2 are stdin, stdout, stderr), got ${String(fd)}`);
    checkOpen(fd, 'in passFds');
  }
  const extra: NodeStdio[] = Array.from({ length: Math.max(...given) - 2 }, () => 'ignore');
  for (const fd of given) extra[fd - 3] = fd;
  return extra;
}

/** What to start and how: the program, its argv, the stdio of Node's spawn, and the streams pumped in JS. */
export interface Plan {
  file: string;
  argv: string[];
  cwd: string | undefined;
  /** stdin, stdout, stderr, then `passFds` where they are. */
  stdio: NodeStdio[];
  group: boolean;
  stdin: Slot;
  stdout: Slot;
  stderr: Slot | null;
  pathEnv: string | undefined;
  argv0: string | undefined;
  uid: number | undefined;
  gid: number | undefined;
}

/** Resolves the options into a spawn, or throws Python's error for them (bad arguments, a missing program). */
export function plan(args: Command, o: PopenOptions): Plan {
  const shell = o.shell !== undefined && o.shell !== false;
  checkArgs(args, shell);
  checkEnv(o.env);
  const uid = resolveId(o.user, 'user');
  const gid = resolveId(o.group, 'group');
  const extra = extraFds(o.passFds);
  const list = typeof args === 'string' ? [args] : args;
  const cwd = o.cwd instanceof URL ? fileURLToPath(o.cwd) : o.cwd;
  const pathEnv = (o.env ?? process.env).PATH;
  const stdin = slot(o.stdin, 'stdin', true);
  const stdout = slot(o.stdout, 'stdout', false);
  const merge = o.stderr === 'stdout';
  const stderr = merge ? null : slot(o.stderr as Stdio, 'stderr', false);

  const executable = o.executable instanceof URL ? fileURLToPath(o.executable) : o.executable;
  if (executable !== undefined && (typeof executable !== 'string' || executable === '' || executable.includes('\0'))) throw new ArgumentError('executable must be a non-empty path');
  let file: string;
  let argv: string[];
  let argv0 = o.argv0;
  if (shell) {
    // Python: `executable` replaces the shell.
    file = executable ?? (typeof o.shell === 'string' ? o.shell : '/bin/sh');
    argv = ['-c', list[0] as string, ...list.slice(1)];
  } else {
    // Python: `executable` is the program run; args[0] stays its argv[0].
    file = executable ?? (list[0] as string);
    if (executable !== undefined) argv0 ??= list[0];
    argv = list.slice(1);
  }

  let errNode: NodeStdio = stderr === null ? 'inherit' : stderr.node;
  const steps: string[] = [];
  if (merge) {
    // Node cannot give one new pipe to two descriptors: a shell does it, then execs the program.
    if (stdout.node === 'pipe') {
      steps.push('exec 2>&1');
      errNode = 'pipe';
    } else errNode = stdout.node === 'inherit' ? 1 : stdout.node;
  }
  const umask = umaskStep(o.umask);
  if (umask !== null) steps.push(umask);
  ({ file, argv, argv0 } = throughShell({ file, argv, argv0 }, steps, shell, pathEnv, cwd));
  return { file, argv, cwd, stdio: [stdin.node, stdout.node, errNode, ...extra], group: o.processGroup ?? shell, stdin, stdout, stderr, pathEnv, argv0, uid, gid };
}

/** Starts the child as Python's Popen would, or throws Python's error synchronously. */
export function spawnChild(args: Command, o: PopenOptions): Spawned {
  const { file, argv, cwd, stdio, group, stdin, stdout, stderr, pathEnv, argv0, uid, gid } = plan(args, o);
  const merge = stderr === null;
  let child: ChildProcess;
  try {
    child = spawn(file, argv, { stdio: stdio, cwd, env: o.env, detached: group, argv0, uid, gid });
  } catch (err) {
    // Node throws some spawn failures at once (EBADF, EMFILE…): Python's OSError, ours SpawnError.
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) throw new SpawnError(`could not start '${file}': ${code}`, code, file, { cause: err });
    throw err;
  }
  if (child.pid === undefined) {
    child.on('error', () => {});
    for (const s of [child.stdin, child.stdout, child.stderr]) s?.destroy();
    throw spawnFailure(file, cwd, pathEnv, uid !== undefined || gid !== undefined);
  }

  const pumps: Promise<void>[] = [];
  if (stdin.pumped !== null && child.stdin !== null) {
    const src = stdin.pumped as Readable;
    child.stdin.on('error', () => {}); // EPIPE when the child stops reading: as Python, not an error of ours
    src.pipe(child.stdin);
    // A pipeline: when this child stops reading, the one before gets SIGPIPE (Python's `p1.stdout.close()`).
    if (o.stdin instanceof PopenReader) child.stdin.once('close', () => src.destroy());
  }
  for (const [s, from] of [
    [stdout, child.stdout],
    [stderr, merge ? null : child.stderr],
  ] as const) {
    if (s !== null && s.pumped !== null && from !== null) {
      from.on('error', () => {}); // the pipe's end: an error ends it like EOF
      from.pipe(s.pumped as Writable, { end: false });
      pumps.push(new Promise<void>((resolve) => from.once('close', resolve)));
    }
  }
  return {
    child,
    group,
    pumps,
    stdinPiped: stdin.piped,
    stdoutPiped: stdout.piped,
    stderrPiped: merge ? false : (stderr?.piped ?? false),
  };
}
