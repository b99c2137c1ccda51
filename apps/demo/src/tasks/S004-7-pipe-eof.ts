import { EOFError, task } from '@ipc/core';
import type { Connection } from '@ipc/pipe';
import { print } from '../_print.js';

/** The document's `consumer(pipe)`: closes the end it does not use, prints each item until EOF. */
export const consumer = task(import.meta.url, async (pipe: [Connection, Connection]) => {
  const [outputSide, inputSide] = pipe;
  inputSide.close();
  for (;;) {
    let item: unknown;
    try {
      item = await outputSide.recv();
    } catch (err) {
      if (err instanceof EOFError) break;
      throw err;
    }
    print(item);
  }
  print('consumer: EOFError, every writer has closed its end');
  outputSide.close();
});
