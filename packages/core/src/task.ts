import { fileURLToPath, pathToFileURL } from 'node:url';
import { isAbsolute } from 'node:path';
import { TaskReferenceError } from './errors.js';
import { perHeap } from './_global.js';
import { importSync } from './_import-sync.js';

/** How a function or class travels: the module that defines it and its place among that module's `task()` calls. */
export interface TaskRef {
  readonly url: string;
  readonly ordinal: number;
}

const MARK = Symbol.for('@ipc/core.task');

interface Registry {
  /** url → the values `task()` wrapped while that module loaded, in call order. */
  byUrl: Map<string, unknown[]>;
}
const registry = perHeap<Registry>('tasks', () => ({ byUrl: new Map() }));

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- classes and functions of any signature cross by reference
type Referable = Function;

/**
 * Marks a function (or a class, such as a `Process` subclass) as findable by
 * other threads and processes, the way Python pickles a function as module +
 * name. Call it at the top level of a module and export the result:
 *
 * ```ts
 * export const square = task(import.meta.url, (x: number) => x * x);
 * ```
 *
 * In CommonJS pass `__filename`. Returns the value itself, fully typed.
 */
export function task<F extends Referable>(moduleUrl: string | URL, fn: F): F {
  if (typeof fn !== 'function') throw new TaskReferenceError(`task() takes a function or a class, not ${describe(fn)}`);
  const url = normalizeUrl(moduleUrl);
  const existing = (fn as unknown as Record<symbol, TaskRef | undefined>)[MARK];
  if (existing !== undefined) return fn;
  let list = registry.byUrl.get(url);
  if (list === undefined) registry.byUrl.set(url, (list = []));
  const ref: TaskRef = { url, ordinal: list.length };
  list.push(fn);
  Object.defineProperty(fn, MARK, { value: ref });
  return fn;
}

/** The reference of a value made by `task()`, or undefined. */
export function taskRefOf(value: unknown): TaskRef | undefined {
  if (typeof value !== 'function') return undefined;
  return (value as unknown as Record<symbol, TaskRef | undefined>)[MARK];
}

/** The reference of a task, or the error that says how to make one. */
export function requireTaskRef(value: unknown, role = 'task'): TaskRef {
  const ref = taskRefOf(value);
  if (ref !== undefined) return ref;
  if (typeof value !== 'function') {
    throw new TaskReferenceError(`the ${role} must be a function made with task(), not ${describe(value)}`);
  }
  // `fn.bind(x)` is named 'bound fn': say what it is rather than show that name.
  const plain = value.name.replace(/^(bound )+/, '');
  const what = plain === value.name ? '' : 'a bound function, ';
  const name = plain || 'fn';
  throw new TaskReferenceError(
    `the ${role} ${plain ? `'${plain}' ` : ''}(${what}not made with task()) cannot be found by another thread or process: ` +
      `functions cross by reference (module + name), so it must be made with task() at the top level of its module and exported ` +
      `(or be a static member of an exported class), ` +
      `e.g. \`export const ${name} = task(import.meta.url, ${plain ? name : '(…) => …'})\` (CommonJS: task(__filename, …)). ` +
      `Bound methods, closures and functions defined inside other functions cannot be found.`,
  );
}

/** Loads a task by reference in this heap: imports its module and checks the task is exported there. */
export async function loadTask(ref: TaskRef): Promise<Referable> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(ref.url)) as Record<string, unknown>;
  } catch (err) {
    throw new TaskReferenceError(`could not load the module of a task, ${ref.url}: ${(err as Error).message}`, { cause: err });
  }
  return exportedTask(ref, mod);
}

/**
 * As `loadTask`, at once (see `importSync`), for a synchronous receive; the
 * reason instead when its module cannot be loaded synchronously (then only `loadTask` can).
 */
export function loadTaskSync(ref: TaskRef): { task: Referable } | { error: string } {
  const loaded = importSync(ref.url);
  if ('error' in loaded) return loaded;
  return { task: exportedTask(ref, loaded.exports) };
}

/** The task `ref` names, from its module's exports; or the error that says what is wrong. */
function exportedTask(ref: TaskRef, mod: Record<string, unknown>): Referable {
  const fn = registry.byUrl.get(ref.url)?.[ref.ordinal];
  if (typeof fn !== 'function') {
    throw new TaskReferenceError(
      `task #${ref.ordinal + 1} of ${ref.url} was not created when the module loaded: make it with task() at the top level of the module, not inside a function`,
    );
  }
  if (!exportedFrom(mod, fn)) {
    throw new TaskReferenceError(`a task of ${ref.url}${fn.name ? ` ('${fn.name}')` : ''} is not exported: export it from its module`);
  }
  return fn;
}

function exportedFrom(mod: Record<string, unknown>, fn: unknown): boolean {
  for (const key of Object.keys(mod)) if (mod[key] === fn || isStaticOf(mod[key], fn)) return true;
  // A CommonJS module imported from ESM shows its exports on `default` too.
  const def = mod.default;
  if (def !== null && (typeof def === 'object' || typeof def === 'function')) {
    for (const key of Object.keys(def)) if ((def as Record<string, unknown>)[key] === fn) return true;
  }
  return false;
}

/** Python's advice for pool tasks is "a static method": a static member of an exported class is found too. */
function isStaticOf(owner: unknown, fn: unknown): boolean {
  if (typeof owner !== 'function') return false;
  for (const key of Object.getOwnPropertyNames(owner)) {
    const desc = Object.getOwnPropertyDescriptor(owner, key);
    if (desc !== undefined && 'value' in desc && desc.value === fn) return true;
  }
  return false;
}

function normalizeUrl(moduleUrl: string | URL): string {
  const text = String(moduleUrl);
  if (text.startsWith('file:')) return pathToFileURL(fileURLToPath(text)).href;
  if (isAbsolute(text)) return pathToFileURL(text).href;
  throw new TaskReferenceError(`task() needs the module's own URL or path (import.meta.url, or __filename in CommonJS), not '${text}'`);
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'function') return value.name ? `function ${value.name}` : 'an anonymous function';
  if (typeof value === 'object') return `a ${(value.constructor as { name?: string } | undefined)?.name ?? 'object'}`;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${typeof value} ${String(value)}`;
    case 'symbol':
      return value.toString();
    default:
      return 'undefined';
  }
}
