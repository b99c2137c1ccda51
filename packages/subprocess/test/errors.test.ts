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

describe('errors cross heaps with their class', () => {
  it('CalledProcessError, TimeoutExpired and FileNotFoundError keep class, code and fields through the codec', async () => {
    const { serialize, deserialize } = await import('@ipc/core');
    const { CalledProcessError, TimeoutExpired, FileNotFoundError } = await import('@ipc/subprocess');
    const e = (await deserialize(serialize(new CalledProcessError(2, ['ls', 'x'], 'out', 'err')))) as InstanceType<typeof CalledProcessError>;
    expect(e).toBeInstanceOf(CalledProcessError);
    expect(e).toMatchObject({ code: 'ERR_IPC_CALLED_PROCESS', returnCode: 2, cmd: ['ls', 'x'], stdout: 'out', stderr: 'err' });
    const t = await deserialize(serialize(new TimeoutExpired('sleep 9', 100, Buffer.from('so far'))));
    expect(t).toBeInstanceOf(TimeoutExpired);
    expect(t).toMatchObject({ timeout: 100, cmd: 'sleep 9' });
    const f = await deserialize(serialize(new FileNotFoundError('python1')));
    expect(f).toBeInstanceOf(FileNotFoundError);
    expect(f).toMatchObject({ filename: 'python1', errno: 'ENOENT', code: 'ERR_IPC_FILE_NOT_FOUND' });
  });
});
