import { IpcError, registerErrorClass, type IpcErrorOptions } from '@ipc/core';

/** A peer that did not prove it knows the authkey (Python's `multiprocessing.AuthenticationError`). */
export class AuthenticationError extends IpcError {
  constructor(message = 'the peer did not answer the challenge with the authkey', options?: IpcErrorOptions) {
    super(message, 'ERR_IPC_AUTHENTICATION', options);
  }
}

/** `recvBytesInto` got a message longer than the buffer (Python's `BufferTooShort`); the message is in `.bytes`. */
export class BufferTooShort extends IpcError {
  constructor(
    message: string,
    readonly bytes: Uint8Array,
  ) {
    super(message, 'ERR_IPC_BUFFER_TOO_SHORT');
  }
}

/** A pickle the safe codec will not read (an opcode that could run code, or a type it does not carry), or a value it cannot write. */
export class PickleError extends IpcError {
  constructor(message: string) {
    super(message, 'ERR_IPC_PICKLE');
  }
}

/** A send on a pipe whose every reader has closed its end or died (Python's `BrokenPipeError`). */
export class BrokenPipeError extends IpcError {
  constructor(message = 'the other end of the pipe is closed', options?: IpcErrorOptions) {
    super(message, 'ERR_IPC_BROKEN_PIPE', options);
  }
}

/** `recvBytes(maxLength)` met a longer message; the message was dropped (Python's `OSError: bad message length`). */
export class MessageTooLongError extends IpcError {
  constructor(
    message: string,
    readonly length: number,
  ) {
    super(message, 'ERR_IPC_MESSAGE_TOO_LONG');
  }
}

registerErrorClass('ERR_IPC_AUTHENTICATION', AuthenticationError);
registerErrorClass('ERR_IPC_BROKEN_PIPE', BrokenPipeError);
registerErrorClass('ERR_IPC_MESSAGE_TOO_LONG', MessageTooLongError);
registerErrorClass('ERR_IPC_BUFFER_TOO_SHORT', BufferTooShort);
registerErrorClass('ERR_IPC_PICKLE', PickleError);
