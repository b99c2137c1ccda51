import { describe, expect, it } from 'vitest';
import { Process } from '@ipc/core';
import { FileExistsError, FileNotFoundError, SharedMemory, SharedMemoryError } from '@ipc/shared';
// @ts-expect-error plain JavaScript fixture
import { shmAttach, shmWork } from './fixtures/tasks.mjs';

// CPython's _test_multiprocessing.py: _TestSharedMemory.test_shared_memory_basics (the parts Node can do).
describe('SharedMemory', () => {
  it('creates, attaches by name in this heap, errors like Python', () => {
    const name = `test_${process.pid}_a`;
    const shm = new SharedMemory({ name, create: true, size: 512 });
    try {
      expect(shm.name).toBe(name);
      expect(shm.size).toBe(512);
      expect(shm.buf.length).toBe(512);
      shm.buf.set([1, 2, 3]);
      const same = new SharedMemory({ name: `/${name}` });
      expect([...same.buf.subarray(0, 3)]).toEqual([1, 2, 3]);
      expect(() => new SharedMemory({ name, create: true, size: 8 })).toThrow(FileExistsError);
      same.close();
      expect(() => same.buf).toThrow(/closed/);
    } finally {
      shm.unlink();
    }
    expect(() => new SharedMemory({ name })).toThrow(FileNotFoundError);
    expect(() => shm.unlink()).toThrow(FileNotFoundError);
    expect(shm.buf[0]).toBe(1); // unlinked, but this view still works
    expect(() => new SharedMemory({ create: true, size: 0 })).toThrow(RangeError);
    expect(() => new SharedMemory({ name: 'a/b', create: true, size: 1 })).toThrow(RangeError);
    const anon = new SharedMemory({ create: true, size: 4 });
    expect(anon.name).toMatch(/^psm_[0-9a-f]{16}$/);
    anon.unlink();
  });

  it('a thread attaches by name, or takes the block as an argument, and writes the same memory', async () => {
    const shm = new SharedMemory({ create: true, size: 16 });
    try {
      shm.buf.set([9, 8]);
      const p = new Process({ target: shmWork, args: [shm.name, [1, 2, 3]] });
      p.start();
      expect(await p.join()).toEqual([[9, 8, 0], 16]);
      expect([...shm.buf.subarray(0, 3)]).toEqual([1, 2, 3]);
      const q = new Process({ target: shmWork, args: [shm, [4]] });
      q.start();
      expect(await q.join()).toEqual([[1], 16]);
      expect(shm.buf[0]).toBe(4);
    } finally {
      shm.unlink();
    }
  });

  it('another process: the name is seen, the memory cannot be mapped (clear errors)', async () => {
    const shm = new SharedMemory({ create: true, size: 16 });
    try {
      const p = new Process({ target: shmAttach, args: [shm.name], context: 'process' });
      p.start();
      expect(await p.join()).toBe('SharedMemoryError');
      const missing = new Process({ target: shmAttach, args: [`${shm.name}_missing`], context: 'process' });
      missing.start();
      expect(await missing.join()).toBe('FileNotFoundError');
      expect(() => new Process({ target: shmWork, args: [shm, [1]], context: 'process' }).start()).toThrow(SharedMemoryError);
    } finally {
      shm.unlink();
    }
  });
});
