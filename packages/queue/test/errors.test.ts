import { describe, expect, it } from 'vitest';
import { IpcError } from '@ipc/core';
import { Empty, Full, ShutDown } from '@ipc/queue';

describe('errors', () => {
  it('Empty is an IpcError with code ERR_IPC_QUEUE_EMPTY', () => {
    const err = new Empty('x');
    expect(IpcError.is(err)).toBe(true);
    expect(err.code).toBe('ERR_IPC_QUEUE_EMPTY');
    expect(err.name).toBe('Empty');
  });
  it('Full is an IpcError with code ERR_IPC_QUEUE_FULL', () => {
    const err = new Full('x');
    expect(IpcError.is(err)).toBe(true);
    expect(err.code).toBe('ERR_IPC_QUEUE_FULL');
    expect(err.name).toBe('Full');
  });
  it('ShutDown is an IpcError with code ERR_IPC_QUEUE_SHUT_DOWN', () => {
    const err = new ShutDown('x');
    expect(IpcError.is(err)).toBe(true);
    expect(err.code).toBe('ERR_IPC_QUEUE_SHUT_DOWN');
    expect(err.name).toBe('ShutDown');
  });
});
