import { task } from '@ipc/core';
import type { Connection } from '@ipc/pipe';
import { print } from '../_print.js';

/** The document's `fun1(conn)`: sends a greeting, then receives one. */
export const fun1 = task(import.meta.url, async (conn: Connection) => {
  print('子进程发送消息 (the child sends)：');
  await conn.send('  你好主进程 (hello, main process)');
  print('子进程接受消息 (the child receives)：');
  print(await conn.recv());
  conn.close();
});
