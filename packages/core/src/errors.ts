/**
 * The one error base of @ipc. Every package subclasses it; the `code` is stable
 * and the brand survives two copies of the package (ESM and CJS, or two
 * versions in one tree), where `instanceof` would not.
 */
const BRAND = Symbol.for('@ipc/core.IpcError');

export interface IpcErrorOptions {
  cause?: unknown;
}

export class IpcError extends Error {
  /** A stable machine-readable code, e.g. `'ERR_IPC_EOF'`. */
  readonly code: string;

  constructor(message: string, code = 'ERR_IPC', options?: IpcErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
  }

  override get name(): string {
    return this.constructor.name;
  }

  /** True for any @ipc error, whichever copy of the package made it. */
  static is(value: unknown): value is IpcError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

/** Bad use of an object in its current state (Python's `ValueError`/`AssertionError` on processes, closed objects). */
export class StateError extends IpcError {
  constructor(message: string, options?: IpcErrorOptions) {
    super(message, 'ERR_IPC_STATE', options);
  }
}

/** A value that cannot cross to another thread or process (Python's `PicklingError`). */
export class SerializationError extends IpcError {
  /** Where in the sent value the offender sits, e.g. `args[0].lock`. */
  readonly path: string;
  constructor(message: string, path: string, options?: IpcErrorOptions) {
    super(message, 'ERR_IPC_NOT_SERIALIZABLE', options);
    this.path = path;
  }
}

/**
 * A synchronous receive met a value naming a module (of a task, class or handle type) that this
 * heap has not loaded and cannot load synchronously (top-level await, an older Node 20): nothing
 * of the value was rebuilt, and the async form of the call can import it.
 */
export class ModuleNotLoadedError extends IpcError {
  /** The module's URL. */
  readonly module: string;
  constructor(message: string, module: string, options?: IpcErrorOptions) {
    super(message, 'ERR_IPC_NOT_LOADED', options);
    this.module = module;
  }
}

/** A task or class that another thread or process could not find by reference. */
export class TaskReferenceError extends IpcError {
  constructor(message: string, options?: IpcErrorOptions) {
    super(message, 'ERR_IPC_TASK_REFERENCE', options);
  }
}

/** The other end has gone: Python's `EOFError` on a connection. */
export class EOFError extends IpcError {
  constructor(message = 'the other end of the connection is closed', options?: IpcErrorOptions) {
    super(message, 'ERR_IPC_EOF', options);
  }
}

/** A wait that ran out of time, where Python raises `TimeoutError`. */
export class TimeoutError extends IpcError {
  constructor(message = 'timed out', options?: IpcErrorOptions) {
    super(message, 'ERR_IPC_TIMEOUT', options);
  }
}

/** A worker thread or child process died while it owed an answer. */
export class WorkerCrashedError extends IpcError {
  readonly exitCode: number | null;
  readonly signal: string | null;
  constructor(message: string, exitCode: number | null, signal: string | null, options?: IpcErrorOptions) {
    super(message, 'ERR_IPC_WORKER_CRASHED', options);
    this.exitCode = exitCode;
    this.signal = signal;
  }
}

/** An argument of the wrong type or out of range, checked at the call. */
export class ArgumentError extends IpcError {
  constructor(message: string, options?: IpcErrorOptions) {
    super(message, 'ERR_IPC_ARGUMENT', options);
  }
}
