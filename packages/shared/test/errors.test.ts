import { describe, expect, it } from 'vitest';
import { IpcError } from '@ipc/core';
import { RemoteError } from '@ipc/shared';

describe('errors', () => {
  it('RemoteError is an IpcError with code ERR_IPC_MANAGER_REMOTE', () => {
    const err = new RemoteError('x');
    expect(IpcError.is(err)).toBe(true);
    expect(err.code).toBe('ERR_IPC_MANAGER_REMOTE');
    expect(err.name).toBe('RemoteError');
  });
});
