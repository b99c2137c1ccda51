import { perHeap } from './_global.js';
import { ArgumentError, EOFError, IpcError, ModuleNotLoadedError, SerializationError, StateError, TaskReferenceError, TimeoutError, WorkerCrashedError } from './errors.js';

/** An error as it crosses: class, message, code, cause, own properties and the remote stack. */
export interface ErrorRecord {
  name: string;
  message: string;
  stack: string | undefined;
  code: unknown;
  ipc: boolean;
  cause?: unknown;
  props: Record<string, unknown>;
  errors?: unknown[];
}

type ErrorClass = abstract new (...args: never[]) => Error;

const BUILTIN: Record<string, ErrorClass> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
  AggregateError,
};

const byCode = perHeap('errorClasses', () => new Map<string, ErrorClass>());

const CORE_ERRORS: [string, ErrorClass][] = [
  ['ERR_IPC', IpcError],
  ['ERR_IPC_STATE', StateError],
  ['ERR_IPC_NOT_SERIALIZABLE', SerializationError],
  ['ERR_IPC_TASK_REFERENCE', TaskReferenceError],
  ['ERR_IPC_EOF', EOFError],
  ['ERR_IPC_TIMEOUT', TimeoutError],
  ['ERR_IPC_WORKER_CRASHED', WorkerCrashedError],
  ['ERR_IPC_ARGUMENT', ArgumentError],
  ['ERR_IPC_NOT_LOADED', ModuleNotLoadedError],
];
for (const [code, cls] of CORE_ERRORS) if (!byCode.has(code)) byCode.set(code, cls);

/**
 * Teaches this heap an @ipc error class so it crosses with its class: keyed by
 * its stable `code`. Each package registers its errors when it loads.
 */
export function registerErrorClass(code: string, cls: ErrorClass): void {
  byCode.set(code, cls);
}

const SKIP = new Set(['name', 'message', 'stack', 'code', 'cause', 'errors']);

export function errorToRecord(err: Error, encodeChild: (value: unknown, key: string) => unknown): ErrorRecord {
  const props: Record<string, unknown> = {};
  for (const key of Object.keys(err)) {
    if (!SKIP.has(key)) props[key] = encodeChild((err as unknown as Record<string, unknown>)[key], key);
  }
  const record: ErrorRecord = {
    name: err.name,
    message: err.message,
    stack: err.stack,
    code: encodeChild((err as { code?: unknown }).code, 'code'),
    ipc: IpcError.is(err),
    props,
  };
  if ('cause' in err) record.cause = encodeChild(err.cause, 'cause');
  if (err instanceof AggregateError) record.errors = (err.errors as unknown[]).map((e, i) => encodeChild(e, `errors[${i}]`));
  return record;
}

/** Rebuilds an error with its own class where this heap knows it, else as an Error that keeps the name. */
export function recordToError(rec: ErrorRecord, decodeChild: (value: unknown) => unknown): Error {
  // An @ipc error of a package this heap has not loaded still comes back as an IpcError with its code.
  const cls = (rec.ipc ? (typeof rec.code === 'string' ? byCode.get(rec.code) : undefined) ?? IpcError : undefined) ?? BUILTIN[rec.name] ?? Error;
  const err = Object.create(cls.prototype as object) as Error;
  define(err, 'message', rec.message);
  if (rec.stack !== undefined) define(err, 'stack', rec.stack);
  if ((cls === Error || cls === IpcError) && rec.name !== cls.name) define(err, 'name', rec.name);
  if (rec.code !== undefined) (err as unknown as Record<string, unknown>).code = decodeChild(rec.code);
  if ('cause' in rec) define(err, 'cause', decodeChild(rec.cause));
  if (rec.errors !== undefined) define(err, 'errors', rec.errors.map(decodeChild));
  for (const [k, v] of Object.entries(rec.props)) (err as unknown as Record<string, unknown>)[k] = decodeChild(v);
  if (rec.ipc) Object.defineProperty(err, Symbol.for('@ipc/core.IpcError'), { value: true });
  return err;
}

function define(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable: false });
}
