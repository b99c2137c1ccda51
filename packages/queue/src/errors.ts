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

/** The queue was shut down (Python 3.13's `queue.ShutDown`): puts fail, and gets once nothing is left. */
export class ShutDown extends IpcError {
  constructor(message = 'the queue is shut down', options?: IpcErrorOptions) {
    super(message, 'ERR_IPC_QUEUE_SHUT_DOWN', options);
  }
}

registerErrorClass('ERR_IPC_QUEUE_EMPTY', Empty);
registerErrorClass('ERR_IPC_QUEUE_FULL', Full);
registerErrorClass('ERR_IPC_QUEUE_SHUT_DOWN', ShutDown);
