import type { Command } from './errors.js';
import { failure } from './_failure.js';

/** What `run` returns: Python's `CompletedProcess`. `stdout` / `stderr` are `null` where not captured. */
export class CompletedProcess<T extends string | Buffer = string | Buffer> {
  readonly args: Command;
  /** The exit status, or `-N` when signal N ended the child. */
  readonly returnCode: number;
  readonly stdout: T | null;
  readonly stderr: T | null;
  declare private readonly shell: boolean;

  constructor(args: Command, returnCode: number, stdout: T | null, stderr: T | null, shell = false) {
    this.args = args;
    this.returnCode = returnCode;
    this.stdout = stdout;
    this.stderr = stderr;
    // Kept out of sight (not enumerable): the result shows Python's four fields.
    Object.defineProperty(this, 'shell', { value: shell, enumerable: false });
  }

  /** Throws `CalledProcessError` if the return code is not 0; else returns this. */
  checkReturnCode(): this {
    if (this.returnCode !== 0) throw failure(this.returnCode, this.args, this.stdout, this.stderr, this.shell);
    return this;
  }
}
