import { IpcError, type IpcErrorOptions } from '@ipc/core';

/** Base of the subprocess errors (Python's `subprocess.SubprocessError`). */
export class SubprocessError extends IpcError {
  constructor(message: string, options?: IpcErrorOptions) {
    super(message, 'ERR_IPC_SUBPROCESS', options);
  }
}
