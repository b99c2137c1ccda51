import { describe, expect, it } from 'vitest';
import { IpcError } from '@ipc/core';
import { BrokenBarrierError } from '@ipc/sync';

describe('errors', () => {
  it('BrokenBarrierError is an IpcError with code ERR_IPC_BROKEN_BARRIER', () => {
    const err = new BrokenBarrierError('x');
    expect(IpcError.is(err)).toBe(true);
    expect(err.code).toBe('ERR_IPC_BROKEN_BARRIER');
    expect(err.name).toBe('BrokenBarrierError');
  });
});
