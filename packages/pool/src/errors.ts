import { IpcError, registerErrorClass, type IpcErrorOptions } from '@ipc/core';

/** A worker died while running a task, or the pool cannot start workers (Python's `BrokenProcessPool`). */
export class BrokenPoolError extends IpcError {
  constructor(message = 'a worker of the pool died while running the task', options?: IpcErrorOptions) {
    super(message, 'ERR_IPC_BROKEN_POOL', options);
  }
}

/** The task or future was cancelled (Python's `concurrent.futures.CancelledError`). */
export class CancelledError extends IpcError {
  constructor(message = 'cancelled', options?: IpcErrorOptions) {
    super(message, 'ERR_IPC_CANCELLED', options);
  }
}

/** An operation not allowed in the future's current state (Python's `InvalidStateError`). */
export class InvalidStateError extends IpcError {
  constructor(message: string, options?: IpcErrorOptions) {
    super(message, 'ERR_IPC_INVALID_STATE', options);
  }
}

registerErrorClass('ERR_IPC_BROKEN_POOL', BrokenPoolError);
registerErrorClass('ERR_IPC_CANCELLED', CancelledError);
registerErrorClass('ERR_IPC_INVALID_STATE', InvalidStateError);
