import { describe, expect, it } from 'vitest';
import { IpcError } from '@ipc/core';
import { BrokenPoolError, CancelledError, InvalidStateError } from '@ipc/pool';

describe('errors', () => {
  it('BrokenPoolError is an IpcError with code ERR_IPC_BROKEN_POOL', () => {
    const err = new BrokenPoolError('x');
    expect(IpcError.is(err)).toBe(true);
    expect(err.code).toBe('ERR_IPC_BROKEN_POOL');
    expect(err.name).toBe('BrokenPoolError');
  });
  it('CancelledError is an IpcError with code ERR_IPC_CANCELLED', () => {
    const err = new CancelledError('x');
    expect(IpcError.is(err)).toBe(true);
    expect(err.code).toBe('ERR_IPC_CANCELLED');
    expect(err.name).toBe('CancelledError');
  });
  it('InvalidStateError is an IpcError with code ERR_IPC_INVALID_STATE', () => {
    const err = new InvalidStateError('x');
    expect(IpcError.is(err)).toBe(true);
    expect(err.code).toBe('ERR_IPC_INVALID_STATE');
    expect(err.name).toBe('InvalidStateError');
  });
});
