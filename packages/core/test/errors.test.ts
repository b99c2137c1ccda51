import { describe, expect, it } from 'vitest';
import { EOFError, IpcError, SerializationError } from '@ipc/core';

describe('IpcError', () => {
  it('carries a stable code, a name and a cause', () => {
    const cause = new Error('root');
    const err = new EOFError(undefined, { cause });
    expect(err.code).toBe('ERR_IPC_EOF');
    expect(err.name).toBe('EOFError');
    expect(err.cause).toBe(cause);
    expect(err).toBeInstanceOf(IpcError);
  });

  it('is() recognises errors from another copy by brand, not by prototype', () => {
    const err = new SerializationError('cannot send', 'args[0]');
    const copy = Object.assign(Object.create(Error.prototype) as object, {});
    for (const key of Object.getOwnPropertySymbols(err)) Object.defineProperty(copy, key, { value: (err as unknown as Record<symbol, unknown>)[key] });
    expect(IpcError.is(copy)).toBe(true);
    expect(IpcError.is(new Error('plain'))).toBe(false);
    expect(IpcError.is(null)).toBe(false);
  });
});
