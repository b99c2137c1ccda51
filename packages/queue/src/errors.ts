import { IpcError, registerErrorClass, type IpcErrorOptions } from '@ipc/core';

/** Nothing to get within the time allowed (Python's `queue.Empty`). */
export class Empty extends IpcError {
  constructor(message = 'the queue is empty', options?: IpcErrorOptions) {
    super(message, 'ERR_IPC_QUEUE_EMPTY', options);
  }
}

/** No room to put within the time allowed (Python's `queue.Full`). */
export class Full extends IpcError {
  constructor(message = 'the queue is full', options?: IpcErrorOptions) {
    super(message, 'ERR_IPC_QUEUE_FULL', options);
  }
}

registerErrorClass('ERR_IPC_QUEUE_EMPTY', Empty);
registerErrorClass('ERR_IPC_QUEUE_FULL', Full);
