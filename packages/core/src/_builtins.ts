/**
 * Node built-ins that only some paths need, loaded on first use. In an ES
 * module, `import … from 'node:crypto'` evaluates every export of the module
 * (WebCrypto included): ~4 ms in each new worker thread, paid even by workers
 * that never start a broker.
 */
import { createRequire } from 'node:module';
import type * as Crypto from 'node:crypto';
import type * as Net from 'node:net';

const load = createRequire(import.meta.url);

function lazy<T>(id: string): () => T {
  let module: T | undefined;
  return () => (module ??= load(id) as T);
}

export const nodeCrypto = lazy<typeof Crypto>('node:crypto');
export const nodeNet = lazy<typeof Net>('node:net');
