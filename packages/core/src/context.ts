import { ArgumentError } from './errors.js';
import type { ContextKind } from './handles.js';
import { BASE, Process, type ProcessOptions } from './process.js';

/** Python's `get_context(method)`: a factory fixed to one context. */
export interface Context {
  readonly kind: ContextKind;
  /** A Process class whose instances run in this context unless told otherwise. */
  readonly Process: new <A extends unknown[] = unknown[], R = unknown>(options?: ProcessOptions<A, R>) => Process<A, R>;
}

const cache = new Map<ContextKind, Context>();

export function getContext(kind: ContextKind = 'thread'): Context {
  if (kind !== 'thread' && kind !== 'process') throw new ArgumentError(`no context named ${String(kind)}: use 'thread' or 'process'`);
  let ctx = cache.get(kind);
  if (ctx === undefined) {
    class ContextProcess<A extends unknown[] = unknown[], R = unknown> extends Process<A, R> {
      static override readonly [BASE] = true;
      constructor(options: ProcessOptions<A, R> = {}) {
        super({ context: kind, ...options });
      }
    }
    Object.defineProperty(ContextProcess, 'name', { value: 'Process' });
    ctx = { kind, Process: ContextProcess };
    cache.set(kind, ctx);
  }
  return ctx;
}
