import { EOFError, task } from '@ipc/core';
import type { Connection } from '@ipc/pipe';
import { print } from '../_print.js';

type Addends = [number, number] | [string, string];

/** The document's `adder(pipe)`: receives pairs, sends back their sum, until EOF. */
export const adder = task(import.meta.url, async (pipe: [Connection, Connection]) => {
  const [serverSide, clientSide] = pipe;
  clientSide.close();
  for (;;) {
    let x: number | string, y: number | string;
    try {
      [x, y] = await serverSide.recv<Addends>();
    } catch (err) {
      if (err instanceof EOFError) break;
      throw err;
    }
    const result = typeof x === 'number' && typeof y === 'number' ? x + y : `${x}${y}`;
    await serverSide.send(result);
  }
  print('Done!');
});
