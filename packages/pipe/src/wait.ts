import { checkTimeout } from '@ipc/core';
import type { Connection } from './connection.js';

/**
 * Python's `multiprocessing.connection.wait`: resolves with the connections
 * that have something to receive (a message, or the end), waiting up to
 * `timeout` ms for one (default: for ever). An empty list on timeout.
 */
export async function wait(connections: readonly Connection[], timeout?: number): Promise<Connection[]> {
  const ms = timeout === undefined ? undefined : checkTimeout(timeout);
  // Closed and send-only ends never become ready (Python would fail on their fileno): they are left out.
  const open = connections.filter((c) => !c.closed && c.readable);
  const ready = (): Connection[] => open.filter((c) => !c.closed && c.pollSync(0));
  const now = ready();
  if (now.length > 0 || ms === 0 || open.length === 0) return now;
  const stop = new AbortController();
  try {
    const polls = open.map((c) => c.poll(ms === undefined ? Infinity : ms, { signal: stop.signal }).then((yes) => (yes ? c : undefined), () => undefined));
    const first = await Promise.race(polls);
    if (first === undefined) {
      // Either every poll timed out or one was aborted: look again once all settled.
      await Promise.all(polls);
    }
  } finally {
    stop.abort();
  }
  return ready();
}
