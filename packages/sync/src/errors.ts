import { IpcError, registerErrorClass, type IpcErrorOptions } from '@ipc/core';

/** The barrier was aborted or reset while waiting, or is broken (Python's `threading.BrokenBarrierError`). */
export class BrokenBarrierError extends IpcError {
  constructor(message = 'the barrier is broken', options?: IpcErrorOptions) {
    super(message, 'ERR_IPC_BROKEN_BARRIER', options);
  }
}

registerErrorClass('ERR_IPC_BROKEN_BARRIER', BrokenBarrierError);
