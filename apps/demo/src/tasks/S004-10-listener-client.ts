import { task } from '@ipc/core';
import { AuthenticationError, Client, type Address } from '@ipc/pipe';
import { print } from '../_print.js';

/** The document's client program: connects with the authkey, asks for two sums. */
export const client = task(import.meta.url, async (address: Address, authkey: string) => {
  const conn = await Client(address, { authkey });
  await conn.send([2, 3]);
  let result = await conn.recv();
  print(result);
  await conn.send(['Hello, ', 'World!']);
  result = await conn.recv();
  print(result);
  conn.close();
});

/** A client with the wrong authkey: refused. */
export const intruder = task(import.meta.url, async (address: Address, authkey: string) => {
  try {
    const conn = await Client(address, { authkey });
    conn.close();
    print('client with a wrong authkey: accepted (it should not be!)');
  } catch (err) {
    if (!(err instanceof AuthenticationError)) throw err;
    print(`client with a wrong authkey: ${err.name} (${err.code}): ${err.message}`);
  }
});
