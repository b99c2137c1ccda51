import { once } from 'node:events';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import './_leaks.js';
import { AuthenticationError } from '@ipc/pipe';
import { Manager, type ListProxy } from '@ipc/shared';
import { hostileBytes, raw } from './_hostile.js';

const KEY = 'manager secret';

describe('hostile network input on a networked Manager', () => {
  it('random frames (fast-check) and 100 wrong authkeys end only their own connections; honest programs go on using the manager', async () => {
    const manager = await Manager.start({ address: ['127.0.0.1', 0], authkey: KEY });
    try {
      const shared = await manager.list<number>();
      await manager.publish('items', shared);
      const address = manager.address;
      await fc.assert(
        fc.asyncProperty(hostileBytes, async (bytes) => {
          const sock = await raw(address, bytes, true);
          // Another program connects as Python's BaseManager.connect() would, and uses the shared list.
          const other = await Manager.connect(address, { authkey: KEY });
          try {
            await (await other.lookup<ListProxy<number>>('items')).append(1);
          } finally {
            await other.close();
          }
          if (!sock.closed) await once(sock, 'close');
        }),
        { numRuns: 60, interruptAfterTimeLimit: 60_000 },
      );
      expect(await shared.length()).toBeGreaterThanOrEqual(60);
      const refused = await Promise.allSettled(Array.from({ length: 100 }, () => Manager.connect(address, { authkey: 'wrong' })));
      for (const o of refused) {
        expect(o.status).toBe('rejected');
        expect((o as PromiseRejectedResult).reason).toBeInstanceOf(AuthenticationError);
      }
      const honest = await Manager.connect(address, { authkey: KEY });
      await (await honest.lookup<ListProxy<number>>('items')).append(2);
      await honest.close();
      expect((await shared.copy()).at(-1)).toBe(2);
    } finally {
      await manager.shutdown();
    }
  }, 90_000);
});
