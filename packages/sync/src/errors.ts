import { IpcError, type IpcErrorOptions } from '@ipc/core';

/** The barrier was aborted or reset while waiting, or is broken (Python's `threading.BrokenBarrierError`). */
export class BrokenBarrierError extends IpcError {
  constructor(message: string, options?: IpcErrorOptions) {
    super(message, 'ERR_IPC_BROKEN_BARRIER', options);
  }
}

/** The previous holder died while holding the lock; the lock was recovered and is now held by the caller. */
export class AbandonedLockError extends IpcError {
  constructor(message: string, options?: IpcErrorOptions) {
    super(message, 'ERR_IPC_ABANDONED_LOCK', options);
  }
}
