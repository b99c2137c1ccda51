import { IpcError, type IpcErrorOptions } from '@ipc/core';

/** A peer that did not prove it knows the authkey (Python's `multiprocessing.AuthenticationError`). */
export class AuthenticationError extends IpcError {
  constructor(message: string, options?: IpcErrorOptions) {
    super(message, 'ERR_IPC_AUTHENTICATION', options);
  }
}
