import { currentProcess, task } from '@ipc/core';
import type { Connection } from '@ipc/pipe';
import type { Queue } from '@ipc/queue';

/** Puts one message in an inter-process Queue, naming who put it. */
export const putGreeting = task(import.meta.url, async (q: Queue<string>) => {
  await q.put(`hello through a Queue, from ${currentProcess().name}`);
});

/** Sends one message down its end of a Pipe. */
export const sendGreeting = task(import.meta.url, async (conn: Connection) => {
  await conn.send(`hello through a Pipe, from ${currentProcess().name}`);
  conn.close();
});
