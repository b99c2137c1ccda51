import { IpcError, type IpcErrorOptions } from '@ipc/core';

/** A manager operation failed on the manager's side (Python's `multiprocessing.managers.RemoteError`). */
export class RemoteError extends IpcError {
  constructor(message: string, options?: IpcErrorOptions) {
    super(message, 'ERR_IPC_MANAGER_REMOTE', options);
  }
}
