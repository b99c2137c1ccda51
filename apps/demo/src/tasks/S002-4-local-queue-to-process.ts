import { task } from '@ipc/core';
import type { LocalQueue } from '@ipc/queue';
import { print } from '../_print.js';

/** The document's `p_put(q, *args)`: never runs — its queue cannot reach another thread or process. */
export const pPut = task(import.meta.url, async (q: Pick<LocalQueue<string[]>, 'put'>, ...args: string[]) => {
  await q.put(args);
  print(`Has put ${args.join(', ')}`);
});
