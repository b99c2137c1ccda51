import { IpcError, type IpcErrorOptions } from '../errors.js';
import { registerErrorClass } from '../error-codec.js';

/** The home of a remote object cannot be reached: its process or thread has exited, or its broker closed. */
export class BrokerGoneError extends IpcError {
  /** The broker's address (a Unix socket path, or a named pipe on Windows). */
  readonly address: string;
  constructor(address: string, options?: IpcErrorOptions) {
    super(`the broker at ${address} is gone: the process or thread that served the object has exited`, 'ERR_IPC_BROKER_GONE', options);
    this.address = address;
  }
}

/** A remote object its home refuses to reach: a wrong token, or an object no longer (or never) served there. */
export class UnreachableError extends IpcError {
  constructor(message: string, options?: IpcErrorOptions) {
    super(message, 'ERR_IPC_UNREACHABLE', options);
  }
}

// So that they cross between processes with their class.
registerErrorClass('ERR_IPC_BROKER_GONE', BrokerGoneError);
registerErrorClass('ERR_IPC_UNREACHABLE', UnreachableError);
