import { describe, expect, it } from 'vitest';
import './_leaks.js';
import { SOAK } from './_soak.js';
import { SharedRing } from '@ipc/core';

describe('memory stays flat', () => {
  it('1,000,000 messages through one ring do not grow the heap', async () => {
    const ring = SharedRing.create(1 << 16);
    const msg = new Uint8Array(64).fill(1);
    const burst = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) {
        if (!ring.writeSync(msg, { timeout: 1000 }).startsWith('ok')) throw new Error('write');
        if (i % 2 === 1) await ring.read();
        else ring.readSync();
      }
    };
    await burst(100_000);
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    await burst(900_000 * SOAK);
    global.gc?.();
    const grown = process.memoryUsage().heapUsed - before;
    expect(grown).toBeLessThan(16 << 20);
    expect(ring.size()).toBe(0);
  }, 30_000 * SOAK);
});
