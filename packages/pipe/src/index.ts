export { Pipe } from './pipe.js';
export { Connection } from './connection.js';
export type { RecvOptions, RecvSyncOptions } from './connection.js';
export { Listener, Client } from './listener.js';
export type { Address, ListenerOptions, ConnectionOptions } from './listener.js';
export { wait } from './wait.js';
export { dumps, loads } from './pickle.js';
export type { Picklable } from './pickle.js';
export { AuthenticationError, BufferTooShort, BrokenPipeError, MessageTooLongError, PickleError } from './errors.js';
