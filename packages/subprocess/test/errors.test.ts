import { describe, expect, it } from 'vitest';
import { IpcError } from '@ipc/core';
import { SubprocessError } from '@ipc/subprocess';

describe('errors', () => {
  it('SubprocessError is an IpcError with code ERR_IPC_SUBPROCESS', () => {
    const err = new SubprocessError('x');
    expect(IpcError.is(err)).toBe(true);
    expect(err.code).toBe('ERR_IPC_SUBPROCESS');
    expect(err.name).toBe('SubprocessError');
  });
});
