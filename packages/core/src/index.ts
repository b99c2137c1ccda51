export { IpcError, StateError, SerializationError, TaskReferenceError, EOFError, TimeoutError, WorkerCrashedError, ArgumentError } from './errors.js';
export type { IpcErrorOptions } from './errors.js';
