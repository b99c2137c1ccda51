import { task } from '@ipc/core';
import type { Connection } from '@ipc/pipe';
import { print } from '../_print.js';

/** The document's `work_with_pipe(connection)`: numbers come back times 3; "close" ends the loop. */
export const workWithPipe = task(import.meta.url, async (connection: Connection) => {
  for (;;) {
    const data = await connection.recv();
    print(`child_process recv ${String(data)}`);
    if (data === 'close') break;
    else if (typeof data === 'number') {
      const result = data * 3;
      await connection.send(result);
    }
  }
  try {
    connection.close();
  } catch (e) {
    print(`error = ${String(e)}`);
  }
});
