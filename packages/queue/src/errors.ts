import { IpcError, type IpcErrorOptions } from '@ipc/core';

/** Nothing to get within the time allowed (Python's `queue.Empty`). */
export class Empty extends IpcError {
  constructor(message: string, options?: IpcErrorOptions) {
    super(message, 'ERR_IPC_QUEUE_EMPTY', options);
  }
}

/** No room to put within the time allowed (Python's `queue.Full`). */
export class Full extends IpcError {
  constructor(message: string, options?: IpcErrorOptions) {
    super(message, 'ERR_IPC_QUEUE_FULL', options);
  }
}
