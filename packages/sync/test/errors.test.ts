import { describe, expect, it } from 'vitest';
import { IpcError } from '@ipc/core';
import { BrokenBarrierError, AbandonedLockError } from '@ipc/sync';

describe('errors', () => {
  it('BrokenBarrierError is an IpcError with code ERR_IPC_BROKEN_BARRIER', () => {
    const err = new BrokenBarrierError('x');
    expect(IpcError.is(err)).toBe(true);
    expect(err.code).toBe('ERR_IPC_BROKEN_BARRIER');
    expect(err.name).toBe('BrokenBarrierError');
  });
  it('AbandonedLockError is an IpcError with code ERR_IPC_ABANDONED_LOCK', () => {
    const err = new AbandonedLockError('x');
    expect(IpcError.is(err)).toBe(true);
    expect(err.code).toBe('ERR_IPC_ABANDONED_LOCK');
    expect(err.name).toBe('AbandonedLockError');
  });
});
