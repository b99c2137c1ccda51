/**
 * Node built-ins that only some paths need, loaded on first use. In an ES
 * module, `import … from 'node:crypto'` evaluates every export of the module
 * (WebCrypto included): ~4 ms in each new worker thread, paid even by workers
 * that never start a broker. Likewise `child_process` (which loads `net` and
 * `dgram`), `fs`, `os` and `v8` (whose module loads `fs/promises` and
 * `readline`): only a heap that forks, starts a broker or serializes needs
 * them — not every thread child.
 */
import { createRequire } from 'node:module';
import type * as Crypto from 'node:crypto';
import type * as Net from 'node:net';
import type * as ChildProcess from 'node:child_process';
import type * as Fs from 'node:fs';
import type * as Os from 'node:os';
import type * as V8 from 'node:v8';

const load = createRequire(import.meta.url);

function lazy<T>(id: string): () => T {
  let module: T | undefined;
  return () => (module ??= load(id) as T);
}

export const nodeCrypto = lazy<typeof Crypto>('node:crypto');
export const nodeNet = lazy<typeof Net>('node:net');
export const nodeChildProcess = lazy<typeof ChildProcess>('node:child_process');
export const nodeFs = lazy<typeof Fs>('node:fs');
export const nodeOs = lazy<typeof Os>('node:os');
export const nodeV8 = lazy<typeof V8>('node:v8');
