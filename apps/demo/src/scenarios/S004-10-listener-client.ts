import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { EOFError, Process } from '@ipc/core';
import { Listener } from '@ipc/pipe';
import { joinOk } from '../_join-ok.js';
import type { Scenario } from '../scenario.js';
import { client, intruder } from '../tasks/S004-10-listener-client.js';

/** The document's server loop: for each connection, receive pairs and send their sum until the client closes. */
async function serve(server: Listener, log: (...parts: unknown[]) => void): Promise<void> {
  for await (const conn of server) {
    for (;;) {
      let x: number | string, y: number | string;
      try {
        [x, y] = await conn.recv<[number, number] | [string, string]>();
      } catch (err) {
        if (err instanceof EOFError) break;
        throw err;
      }
      const result = typeof x === 'number' && typeof y === 'number' ? x + y : `${x}${y}`;
      await conn.send(result);
    }
    conn.close();
    log('server: a client finished');
  }
}

/** The document's own client program, in Python, when a python3 is installed: the Listener speaks its protocol. */
const PYTHON_CLIENT = `
import sys
from multiprocessing.connection import Client
conn = Client(address=('127.0.0.1', int(sys.argv[1])), authkey=b'12345')
conn.send((2, 3))
result = conn.recv()
print(result)
conn.send(('Hello, ', 'World!'))
result = conn.recv()
print(result)
conn.close()
`;

async function pythonClient(port: number, log: (...parts: unknown[]) => void): Promise<void> {
  if (spawnSync('python3', ['--version']).status !== 0) return void log('(no python3 here: the Python client is skipped)');
  log('the document\'s client, run by python3:');
  const py = spawn('python3', ['-c', PYTHON_CLIENT, String(port)], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 20_000 });
  const [code] = (await once(py, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`the Python client failed (exit code ${String(code)})`);
}

/** 004: a Listener with an authkey serving sums; a Client in another process (the document runs two programs). */
export const scenario: Scenario = {
  id: 'S004-10',
  title: 'Listener / Client with an authkey: [2, 3] → 5; a wrong authkey is refused',
  topics: ['pipe', 'connection', 'process'],
  usesContext: true,
  async run(ctx) {
    // The document listens on ('', 15000); a free port on the loopback keeps runs side by side apart.
    const server = new Listener({ address: ['127.0.0.1', 0], authkey: '12345' });
    await server.ready;
    const serving = serve(server, (...parts) => ctx.log(...parts));

    const good = new Process({ target: client, args: [server.address, '12345'], context: ctx.context });
    good.start();
    await joinOk(good);
    const bad = new Process({ target: intruder, args: [server.address, 'not the key'], context: ctx.context });
    bad.start();
    await joinOk(bad);
    await pythonClient(server.address[1] as number, (...parts) => ctx.log(...parts));

    server.close();
    await serving;
  },
};

