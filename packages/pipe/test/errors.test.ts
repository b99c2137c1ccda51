import { describe, expect, it } from 'vitest';
import { IpcError } from '@ipc/core';
import { AuthenticationError } from '@ipc/pipe';

describe('errors', () => {
  it('AuthenticationError is an IpcError with code ERR_IPC_AUTHENTICATION', () => {
    const err = new AuthenticationError('x');
    expect(IpcError.is(err)).toBe(true);
    expect(err.code).toBe('ERR_IPC_AUTHENTICATION');
    expect(err.name).toBe('AuthenticationError');
  });
});
