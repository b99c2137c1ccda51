import type { Stream } from 'node:stream';
import type { PopenReader } from './popen-stream.js';
import type { PopenWriter } from './popen-writer.js';

/** A new pipe to the child, read or written through the Popen's `stdin` / `stdout` / `stderr`. */
export const PIPE = 'pipe';
/** The null device (Python's `DEVNULL`). */
export const DEVNULL = 'devnull';
/** For `stderr`: into the same place as stdout, interleaved in the order the child wrote. */
export const STDOUT = 'stdout';
/** The parent's own stream (Python's `None`, the default). */
export const INHERIT = 'inherit';

/**
 * Where one of the child's standard streams goes: a constant, a file
 * descriptor, or a stream. A stream backed by a descriptor (a file stream once
 * open, a socket) is handed to the child; any other stream is fed or filled
 * through a pipe. `PopenReader` (another Popen's stdout) builds a pipeline.
 */
export type Stdio = typeof PIPE | typeof DEVNULL | typeof INHERIT | 'ignore' | number | Stream | PopenReader<string | Buffer> | PopenWriter | null | undefined;

export interface PopenOptions {
  /** `true`: `args` is a shell command line run by `/bin/sh -c` (a path string picks another shell). */
  shell?: boolean | string;
  cwd?: string | URL;
  /** The child's whole environment (as Python: it replaces, it does not extend). */
  env?: NodeJS.ProcessEnv;
  stdin?: Stdio;
  stdout?: Stdio;
  stderr?: Stdio | typeof STDOUT;
  /** Text mode: decode output, encode input, translate `\r\n` and `\r` to `\n`. Default bytes (Buffers). */
  text?: boolean;
  /** Python's older name of `text`. */
  universalNewlines?: boolean;
  /** Implies text mode. Default `'utf-8'`. Python's names: `latin-1`, `ascii`, `cp1252`, `utf-16`, `utf-32` (and their `-le` / `-be`) as Python reads and writes them; any other WHATWG label reads (writing strings to it needs a Buffer encoding). */
  encoding?: string;
  /**
   * Decoding errors, as Python's: `'strict'` (the default, throws), `'replace'`
   * (U+FFFD), and with utf-8, latin-1, ascii and cp1252 `'ignore'` (dropped),
   * `'surrogateescape'` (each bad byte a lone surrogate U+DC80–U+DCFF) or
   * `'backslashreplace'` (`\x80`). Strings written in latin-1, ascii or cp1252
   * follow it too (`'replace'` writes `?`). Implies text mode.
   */
  errors?: 'strict' | 'replace' | 'ignore' | 'surrogateescape' | 'backslashreplace';
  /**
   * Start the child in a new session and process group, and send every signal
   * of `terminate`, `kill`, `sendSignal`, timeouts and cleanup to the whole
   * group, grandchildren included. Default: `true` with `shell`, else `false`.
   */
  processGroup?: boolean;
  /** Kill the child (its group with `processGroup`) when this process exits or is ended by SIGINT/SIGTERM/SIGHUP. Default `true`. */
  cleanup?: boolean;
  /** After a timeout or an abort: ms between SIGTERM and SIGKILL. Default 1000. */
  gracePeriod?: number;
  /** The child's `argv[0]` where it differs from the program. */
  argv0?: string;
  /** Python's `user`: run the child as this user (a name or a uid). Needs the privilege to. */
  user?: string | number;
  /** Python's `group`: run the child with this group (a name or a gid). */
  group?: string | number;
  /** Python's `executable`: the program to run, `args[0]` staying its `argv[0]`; with `shell`, the shell to run. */
  executable?: string | URL;
  /** Python's `umask`: the child's file mode creation mask (e.g. `0o077`); negative, as Python's default -1, leaves it. Set by `/bin/sh` before the program starts (same pid). */
  umask?: number;
  /** Python's `pass_fds`: descriptors (≥ 3) that stay open in the child, under the same numbers. All others above 2 are closed, as Python's `close_fds=True`. */
  passFds?: readonly number[];
}

export interface RunOptions extends PopenOptions {
  /** Written to the child's stdin, which is then closed (so `stdin` must not be given). `null` is no input — except for `checkOutput`, where, as in Python, it means empty input. */
  input?: string | Uint8Array | null;
  /** Python's `capture_output`: stdout and stderr both `PIPE`. */
  capture?: boolean;
  /** ms; on expiry the child is killed and the call rejects with `TimeoutExpired` at the deadline. Not given, `null` (Python's `None`) or `Infinity`: none. */
  timeout?: number | null;
  /** Reject with `CalledProcessError` when the return code is not 0. */
  check?: boolean;
  /** Aborting kills the child and rejects with the signal's reason. */
  signal?: AbortSignal;
}

type TextKeys = { text: true } | { universalNewlines: true } | { encoding: string } | { errors: string };

/** `string` where the options ask for text mode, `Buffer` otherwise. */
export type OutputOf<O> = O extends TextKeys ? string : Buffer;

type Field<O, K extends string> = K extends keyof O ? O[K] : undefined;
type Stream_<V, S> = [V] extends ['pipe'] ? S : 'pipe' extends V ? S | null : null;

/** The type of `popen.stdin` for options `O`: a writer exactly when `stdin` is `PIPE`. */
export type StdinOf<O> = Stream_<Field<O, 'stdin'>, PopenWriter>;
/** The type of `popen.stdout` / `popen.stderr` for options `O`. */
export type ReaderOf<O, K extends 'stdout' | 'stderr'> = Stream_<Field<O, K>, PopenReader<OutputOf<O>>>;

export interface WaitOptions {
  /** ms; on expiry the call rejects with `TimeoutExpired` (the child is left running, as in Python). Not given, `null` (Python's `None`) or `Infinity`: none. */
  timeout?: number | null;
  /** Aborting rejects with the signal's reason (the child is left running). */
  signal?: AbortSignal;
}
