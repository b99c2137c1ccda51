import { IpcError, registerErrorClass, type IpcErrorOptions } from '@ipc/core';

/** A manager operation failed on the manager's side with an error that has no class here (Python's `multiprocessing.managers.RemoteError`). */
export class RemoteError extends IpcError {
  constructor(message: string, options?: IpcErrorOptions) {
    super(message, 'ERR_IPC_MANAGER_REMOTE', options);
  }
}

/** The manager cannot be reached: it was shut down, or the program that served it went away. */
export class ManagerGoneError extends IpcError {
  constructor(message = 'the manager has shut down or its host went away', options?: IpcErrorOptions) {
    super(message, 'ERR_IPC_MANAGER_GONE', options);
  }
}

/** A shared memory block of that name exists already (Python's `FileExistsError`). */
export class FileExistsError extends IpcError {
  constructor(message: string, options?: IpcErrorOptions) {
    super(message, 'ERR_IPC_SHM_EXISTS', options);
  }
}

/** No shared memory block has that name (Python's `FileNotFoundError`). */
export class FileNotFoundError extends IpcError {
  constructor(message: string, options?: IpcErrorOptions) {
    super(message, 'ERR_IPC_SHM_NOT_FOUND', options);
  }
}

/** The block exists but its memory cannot be mapped here (another OS process: Node cannot map memory across processes). */
export class SharedMemoryError extends IpcError {
  constructor(message: string, options?: IpcErrorOptions) {
    super(message, 'ERR_IPC_SHM_UNREACHABLE', options);
  }
}

registerErrorClass('ERR_IPC_MANAGER_REMOTE', RemoteError);
registerErrorClass('ERR_IPC_MANAGER_GONE', ManagerGoneError);
registerErrorClass('ERR_IPC_SHM_EXISTS', FileExistsError);
registerErrorClass('ERR_IPC_SHM_NOT_FOUND', FileNotFoundError);
registerErrorClass('ERR_IPC_SHM_UNREACHABLE', SharedMemoryError);
