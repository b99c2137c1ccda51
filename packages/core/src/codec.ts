import { MessagePort, type TransferListItem } from 'node:worker_threads';
import { ModuleNotLoadedError, SerializationError } from './errors.js';
import { errorToRecord, recordToError, type ErrorRecord } from './error-codec.js';
import {
  type ContextKind,
  type HandleDescriptor,
  handleTypeLoaded,
  isReducible,
  notSendable,
  rebuildHandleSync,
  reduceHandle,
} from './handles.js';
import { type PathNode, pathToString } from './_path.js';
import { loadTask, loadTaskSync, taskRefOf, type TaskRef } from './task.js';
import { importSync } from './_import-sync.js';
import { perHeap } from './_global.js';
import { nodeV8 } from './_builtins.js';

/**
 * Values cross by structured clone; what clone cannot carry is rewritten
 * first into records under this key: handles (reduced), errors (with class,
 * code and stack), task references, instances of classes made with task().
 */
const TAG = '\u0000ipc';

type Rec =
  | { [TAG]: 'h'; d: HandleDescriptor }
  | { [TAG]: 'e'; d: ErrorRecord }
  | { [TAG]: 'f'; d: TaskRef }
  | { [TAG]: 'o'; d: { cls: TaskRef; props: Record<string, unknown> } }
  | { [TAG]: 'x'; d: Record<string, unknown> };

/** A value ready to cross: clonable `tree`, and what to move with it (thread target only). */
export interface Encoded {
  readonly tree: unknown;
  readonly transfer: TransferListItem[];
  /** The value does not make its journey after all (its carrier refused it): the handles in it take back what they reserved for it. */
  readonly abandon: () => void;
}

interface State {
  target: ContextKind;
  root: string;
  memo: Map<object, unknown>;
  transfer: TransferListItem[];
  /** Copy every container instead of only the changed ones; used when a cycle met a changed subtree. */
  copyAll: boolean;
  cycle: boolean;
  /** Whether `transfer` reaches the new heap (see ReduceContext.transfers). */
  transfers: boolean;
  /** What the handles reduced so far take back if the journey is abandoned (ReduceContext.onAbandon). */
  undo: (() => void)[];
}

/**
 * Rewrites a value for the journey to `target`, or throws a
 * `SerializationError` that names the path and type of what cannot cross.
 * `root` names the value in that message (`args`, `item`, …).
 */
export function encode(value: unknown, target: ContextKind, root = 'value', options: { transfers?: boolean } = {}): Encoded {
  const st: State = { target, root, memo: new Map(), transfer: [], copyAll: false, cycle: false, transfers: options.transfers === true, undo: [] };
  const abandon = (): void => {
    for (const undo of st.undo.splice(0).reverse()) undo();
  };
  try {
    let tree = walk(value, undefined, st);
    if (st.cycle && tree !== value) {
      // A cycle may point back at an original that holds something rewritten: copy everything this once
      // (the handles are reduced again: what the first walk reserved is taken back).
      abandon();
      st.memo.clear();
      st.transfer.length = 0;
      st.copyAll = true;
      tree = walk(value, undefined, st);
    }
    return { tree, transfer: st.transfer, abandon };
  } catch (err) {
    abandon();
    throw err;
  }
}

const IN_PROGRESS = Symbol('in progress');

function walk(v: unknown, path: PathNode | undefined, st: State): unknown {
  switch (typeof v) {
    case 'object':
      if (v === null) return v;
      break;
    case 'function': {
      const ref = taskRefOf(v);
      if (ref !== undefined) return { [TAG]: 'f', d: ref } satisfies Rec;
      throw unsendable(path, st, `${v.name ? `function '${v.name}'` : 'an anonymous function'} cannot be copied to another thread or process; to send a function, make it with task() at the top level of its module and export it`);
    }
    case 'symbol':
      throw unsendable(path, st, `a symbol (${String(v)}) cannot be copied to another thread or process`);
    default:
      return v;
  }
  const obj = v;
  const seen = st.memo.get(obj);
  if (seen !== undefined) {
    if (seen === IN_PROGRESS) {
      st.cycle = true;
      return obj;
    }
    return seen;
  }
  const out = walkObject(obj, path, st);
  st.memo.set(obj, out);
  return out;
}

function walkObject(obj: object, path: PathNode | undefined, st: State): unknown {
  const reason = (obj as Record<symbol, unknown>)[notSendable];
  if (typeof reason === 'string') throw unsendable(path, st, `${className(obj)} cannot be sent to another thread or process: ${reason}`);
  if (isReducible(obj)) {
    const d = obj[reduceHandle]({ target: st.target, transfer: (item) => st.transfer.push(item), transfers: st.transfers, onAbandon: (undo) => st.undo.push(undo) });
    return { [TAG]: 'h', d } satisfies Rec;
  }
  if (obj instanceof Error) {
    return { [TAG]: 'e', d: errorToRecord(obj, (child, key) => walk(child, { parent: path, key }, st)) } satisfies Rec;
  }
  if (ArrayBuffer.isView(obj) || obj instanceof ArrayBuffer || obj instanceof Date || obj instanceof RegExp) return obj;
  if (obj instanceof SharedArrayBuffer) {
    if (st.target === 'process') throw unsendable(path, st, 'a SharedArrayBuffer cannot be shared with another process; use Value, Array or SharedMemory from @ipc/shared');
    return obj;
  }
  if (obj instanceof MessagePort) {
    if (st.target === 'process') throw unsendable(path, st, 'a MessagePort cannot cross to another process');
    st.transfer.push(obj);
    return obj;
  }
  if (obj instanceof Promise || obj instanceof WeakMap || obj instanceof WeakSet || obj instanceof WeakRef) {
    throw unsendable(path, st, `${className(obj)} cannot be copied to another thread or process`);
  }
  if (obj instanceof Number || obj instanceof String || obj instanceof Boolean || obj instanceof BigInt) return obj;

  if (st.copyAll) return copyObject(obj, path, st);
  st.memo.set(obj, IN_PROGRESS);
  if (Array.isArray(obj)) return walkArray(obj, path, st);
  if (obj instanceof Map) return walkMap(obj, path, st);
  if (obj instanceof Set) return walkSet(obj, path, st);
  const proto = Object.getPrototypeOf(obj) as object | null;
  const cls = proto === null || proto === Object.prototype ? undefined : taskRefOf(proto.constructor);
  const props = walkProps(obj as Record<string, unknown>, path, st, proto !== null && proto !== Object.prototype && cls === undefined ? path : undefined);
  if (cls !== undefined) return { [TAG]: 'o', d: { cls, props } } satisfies Rec;
  if (Object.prototype.hasOwnProperty.call(obj, TAG)) return { [TAG]: 'x', d: props } satisfies Rec;
  return props;
}

/** The second pass over a cyclic value: every container is copied and memoised before its children, so cycles point at copies. */
function copyObject(obj: object, path: PathNode | undefined, st: State): unknown {
  if (Array.isArray(obj)) {
    const out: unknown[] = new Array<unknown>(obj.length);
    st.memo.set(obj, out);
    for (let i = 0; i < obj.length; i++) out[i] = walk(obj[i], { parent: path, key: i }, st);
    return out;
  }
  if (obj instanceof Map) {
    const out = new Map<unknown, unknown>();
    st.memo.set(obj, out);
    for (const [k, val] of obj) out.set(walk(k, { parent: path, key: '.<key>' }, st), walk(val, { parent: path, key: '.<value>' }, st));
    return out;
  }
  if (obj instanceof Set) {
    const out = new Set<unknown>();
    st.memo.set(obj, out);
    for (const item of obj) out.add(walk(item, { parent: path, key: '.<item>' }, st));
    return out;
  }
  const proto = Object.getPrototypeOf(obj) as object | null;
  const cls = proto === null || proto === Object.prototype ? undefined : taskRefOf(proto.constructor);
  const props: Record<string, unknown> = {};
  const escaped = Object.prototype.hasOwnProperty.call(obj, TAG);
  const out: unknown = cls !== undefined ? ({ [TAG]: 'o', d: { cls, props } } satisfies Rec) : escaped ? ({ [TAG]: 'x', d: props } satisfies Rec) : props;
  st.memo.set(obj, out);
  for (const key of Object.keys(obj)) props[key] = walk((obj as Record<string, unknown>)[key], { parent: path, key }, st);
  return out;
}

function walkArray(arr: unknown[], path: PathNode | undefined, st: State): unknown[] {
  let out: unknown[] | undefined = st.copyAll ? new Array<unknown>(arr.length) : undefined;
  for (let i = 0; i < arr.length; i++) {
    const item = arr[i];
    const next = walk(item, { parent: path, key: i }, st);
    if (out === undefined && next !== item) out = arr.slice(0, i);
    if (out !== undefined) out[i] = next;
  }
  return out ?? arr;
}

function walkMap(map: Map<unknown, unknown>, path: PathNode | undefined, st: State): Map<unknown, unknown> {
  let changed = st.copyAll;
  const entries: [unknown, unknown][] = [];
  for (const [k, val] of map) {
    const nk = walk(k, { parent: path, key: '.<key>' }, st);
    const nv = walk(val, { parent: path, key: typeof k === 'string' || typeof k === 'number' ? `.get(${JSON.stringify(k)})` : '.<value>' }, st);
    if (nk !== k || nv !== val) changed = true;
    entries.push([nk, nv]);
  }
  return changed ? new Map(entries) : map;
}

function walkSet(set: Set<unknown>, path: PathNode | undefined, st: State): Set<unknown> {
  let changed = st.copyAll;
  const items: unknown[] = [];
  for (const item of set) {
    const next = walk(item, { parent: path, key: '.<item>' }, st);
    if (next !== item) changed = true;
    items.push(next);
  }
  return changed ? new Set(items) : set;
}

function walkProps(obj: Record<string, unknown>, path: PathNode | undefined, st: State, ownerPath: PathNode | undefined): Record<string, unknown> {
  let out: Record<string, unknown> | undefined = st.copyAll || ownerPath !== undefined ? {} : undefined;
  const keys = Object.keys(obj);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const val = obj[key];
    let next: unknown;
    try {
      next = walk(val, { parent: path, key }, st);
    } catch (err) {
      // Name the class instance the user passed (args[0] is a Socket), not its private insides.
      if (ownerPath !== undefined && err instanceof SerializationError) {
        throw unsendable(ownerPath, st, `${className(obj)} cannot be copied to another thread or process (at ${err.path}: ${err.message.replace(/^[^:]*: /, '')})`);
      }
      throw err;
    }
    if (out === undefined && next !== val) {
      out = {};
      for (let j = 0; j < i; j++) out[keys[j]!] = obj[keys[j]!];
    }
    if (out !== undefined) out[key] = next;
  }
  return out ?? obj;
}

function className(obj: object): string {
  const name = (obj.constructor as { name?: string } | undefined)?.name;
  return name ? `a ${name}` : 'an object';
}

function unsendable(path: PathNode | undefined, st: State, why: string): SerializationError {
  const where = pathToString(path, st.root);
  return new SerializationError(`${where}: ${why}`, where);
}

const classCache = perHeap('classes', () => new Map<string, unknown>());

/** Rebuilds a value encoded by `encode`, importing the modules of handles, tasks and classes it names. */
export async function decode(tree: unknown, kind: ContextKind): Promise<unknown> {
  const missing = missingModules(tree);
  if (missing !== undefined) {
    const loads: Promise<unknown>[] = missing.handles.map((d) => import(d.module));
    for (const ref of missing.tasks) loads.push(loadTask(ref).then((fn) => classCache.set(taskKey(ref), fn)));
    await Promise.all(loads);
  }
  return revive(tree, kind, new Map());
}

/**
 * As `decode`, at once: a module it names that this heap has not loaded is
 * loaded synchronously (see `importSync`). If one cannot be, it throws before
 * anything is rebuilt — a handle's rebuild may have effects (a pipe end counts
 * its holder), so a failed sync decode must leave none for the async one to repeat.
 */
export function decodeSync(tree: unknown, kind: ContextKind): unknown {
  const missing = missingModules(tree);
  if (missing !== undefined) loadNow(missing);
  return revive(tree, kind, new Map());
}

/** What `decodeLoaded` gives when the tree names a module this heap has not loaded. */
export const NOT_LOADED: unique symbol = Symbol('@ipc/core.notLoaded');

/**
 * As `decodeSync` where the caller can wait instead: a tree that names a module this heap has
 * not loaded gives `NOT_LOADED`, with nothing rebuilt and the tree as it was — for `decode(tree)`.
 * Why not load it at once: `require()` is Node's own loader, and under a test runner with a
 * module system of its own (vitest) it would load a second copy of the module beside the runner's.
 */
export function decodeLoaded(tree: unknown, kind: ContextKind): unknown {
  return missingModules(tree) === undefined ? revive(tree, kind, new Map()) : NOT_LOADED;
}

/** Handle modules and tasks a tree names that this heap has not loaded. */
interface Missing {
  handles: HandleDescriptor[];
  tasks: TaskRef[];
}

const taskKey = (ref: TaskRef): string => `${ref.url}#${ref.ordinal}`;

function missingModules(tree: unknown): Missing | undefined {
  if (tree === null || typeof tree !== 'object') return undefined;
  const missing: Missing = { handles: [], tasks: [] };
  collectMissing(tree, missing, new Set());
  return missing.handles.length + missing.tasks.length > 0 ? missing : undefined;
}

function collectMissing(v: unknown, out: Missing, seen: Set<object>): void {
  if (v === null || typeof v !== 'object' || seen.has(v)) return;
  seen.add(v);
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer || v instanceof SharedArrayBuffer) return;
  const tag = (v as Record<string, unknown>)[TAG];
  if (tag === 'x') {
    // An escaped user object: its own keys are plain data, whatever they look like.
    const d = (v as { d: Record<string, unknown> }).d;
    seen.add(d);
    for (const key of Object.keys(d)) collectMissing(d[key], out, seen);
    return;
  }
  if (tag === 'h') {
    const d = (v as { d: HandleDescriptor }).d;
    if (!handleTypeLoaded(d.type)) out.handles.push(d);
    return;
  }
  if (tag === 'f' || tag === 'o') {
    const ref = tag === 'f' ? (v as { d: TaskRef }).d : (v as { d: { cls: TaskRef } }).d.cls;
    if (!classCache.has(taskKey(ref))) out.tasks.push(ref);
    if (tag === 'f') return;
  }
  if (v instanceof Map) {
    for (const [k, val] of v) {
      collectMissing(k, out, seen);
      collectMissing(val, out, seen);
    }
  }
  else if (v instanceof Set) for (const item of v) collectMissing(item, out, seen);
  else for (const key of Object.keys(v)) collectMissing((v as Record<string, unknown>)[key], out, seen);
}

/** Loads what `decodeSync` needs, synchronously; throws, saying what and why, if something cannot be. */
function loadNow(missing: Missing): void {
  for (const d of missing.handles) {
    if (handleTypeLoaded(d.type)) continue;
    const got = importSync(d.module);
    if ('error' in got || !handleTypeLoaded(d.type)) {
      const why = 'error' in got ? got.error : 'it registers no such type';
      throw new ModuleNotLoadedError(`no handle type '${d.type}' is registered in this heap, and its module ${d.module} cannot be loaded synchronously (${why}): receive with the async form, or import the module first`, d.module);
    }
  }
  for (const ref of missing.tasks) {
    const key = taskKey(ref);
    if (classCache.has(key)) continue;
    const got = loadTaskSync(ref);
    if ('error' in got) throw new ModuleNotLoadedError(`a task of ${ref.url} is not loaded in this heap, and cannot be loaded synchronously (${got.error}): receive with the async form, or import its module first`, ref.url);
    classCache.set(key, got.task);
  }
}

function revive(v: unknown, kind: ContextKind, memo: Map<object, unknown>): unknown {
  if (v === null || typeof v !== 'object') return v;
  const done = memo.get(v);
  if (done !== undefined) return done;
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer || v instanceof SharedArrayBuffer || v instanceof Date || v instanceof RegExp || v instanceof MessagePort) return v;
  const tag = (v as Record<string, unknown>)[TAG];
  if (tag !== undefined) return reviveRecord(v as Rec, kind, memo);
  if (Array.isArray(v)) {
    memo.set(v, v);
    for (let i = 0; i < v.length; i++) {
      const item: unknown = v[i];
      if (item !== null && typeof item === 'object') v[i] = revive(item, kind, memo);
    }
    return v;
  }
  if (v instanceof Map) {
    const entries = [...v];
    memo.set(v, v);
    v.clear();
    for (const [k, val] of entries) v.set(revive(k, kind, memo), revive(val, kind, memo));
    return v;
  }
  if (v instanceof Set) {
    const items = [...v];
    memo.set(v, v);
    v.clear();
    for (const item of items) v.add(revive(item, kind, memo));
    return v;
  }
  memo.set(v, v);
  const rec = v as Record<string, unknown>;
  for (const key of Object.keys(rec)) {
    const item = rec[key];
    if (item !== null && typeof item === 'object') rec[key] = revive(item, kind, memo);
  }
  return v;
}

function reviveRecord(rec: Rec, kind: ContextKind, memo: Map<object, unknown>): unknown {
  switch (rec[TAG]) {
    case 'h': {
      const out = rebuildHandleSync(rec.d, kind);
      memo.set(rec, out);
      return out;
    }
    case 'e': {
      const out = recordToError(rec.d, (child) => revive(child, kind, memo));
      memo.set(rec, out);
      return out;
    }
    case 'f':
      return loadedTask(rec.d);
    case 'o': {
      const cls = loadedTask(rec.d.cls) as { prototype: object };
      const out = Object.create(cls.prototype) as Record<string, unknown>;
      memo.set(rec, out);
      for (const [k, val] of Object.entries(rec.d.props)) out[k] = revive(val, kind, memo);
      return out;
    }
    case 'x': {
      // A user object that happened to have our tag as a key: its props are plain, never a record.
      const out = rec.d;
      memo.set(rec, out);
      for (const key of Object.keys(out)) out[key] = revive(out[key], kind, memo);
      return out;
    }
  }
}

function loadedTask(ref: TaskRef): unknown {
  const fn = classCache.get(taskKey(ref));
  // decode / decodeSync load every task first, decodeLoaded looks first: a bug if it is missing here.
  if (fn === undefined) throw new SerializationError(`a task of ${ref.url} is not loaded in this heap`, 'value');
  return fn;
}

/** Encodes for another process and serializes to bytes (v8's format). */
export function serialize(value: unknown, root = 'value'): Buffer {
  return nodeV8().serialize(encode(value, 'process', root).tree);
}

/** Bytes from `serialize`, back to a value. */
export function deserialize(bytes: Uint8Array): Promise<unknown> {
  return decode(nodeV8().deserialize(bytes), 'process');
}
