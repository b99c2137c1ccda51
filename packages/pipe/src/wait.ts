import { Socket } from 'node:net';
import { ArgumentError, Sentinel, passedTimeout } from '@ipc/core';
import { Connection } from './connection.js';

/** What `wait()` watches: Python's connections, sockets and process sentinels. */
export type Waitable = Connection | Sentinel | Socket;

/**
 * Python's `multiprocessing.connection.wait`: resolves with the objects that
 * are ready, waiting up to `timeout` ms for one (default: for ever; a
 * negative timeout looks once, as Python's does). An empty list on timeout.
 *
 * - a `Connection` is ready when it has something to receive (a message, or the end);
 * - a `Sentinel` (`process.sentinel`) when its process has ended;
 * - a `net.Socket` when it has data to `read()`, or has reached its end. Watching a
 *   socket listens for `'readable'`, which puts it in paused mode: read it with `read()`.
 */
export async function wait<T extends Waitable>(objects: readonly T[], timeout?: number | null): Promise<T[]> {
  const list: unknown = objects;
  if (!Array.isArray(list)) throw new ArgumentError('wait() takes an array of connections, sockets or sentinels');
  const ms = passedTimeout(timeout);
  const watched = objects.map(watcherOf);
  const ready = (): T[] => objects.filter((_, i) => watched[i]!.ready());
  const deadline = performance.now() + ms;
  try {
    // A wake-up is a hint, not an answer: an end this thread closed meanwhile wakes its own poll but is not ready.
    // So look again after each one, and give [] only once the timeout has passed (Python's wait never returns [] early).
    for (;;) {
      const now = ready();
      const left = deadline - performance.now();
      if (now.length > 0 || left <= 0) return now;
      if (left === Infinity && watched.every((w) => w.never())) throw new ArgumentError('wait() without a timeout on nothing that can become ready (closed or send-only connections) would never return');
      await anyReady(watched, left);
    }
  } finally {
    for (const w of watched) w.done?.();
  }
}

/** Resolves when a watcher may have become ready, or after `ms`. */
async function anyReady(watched: Watcher[], ms: number): Promise<void> {
  const stop = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let failed: { error: unknown } | undefined;
  try {
    // Closed and send-only ends never become ready (Python would fail on their fileno): only the timeout ends a wait on them alone.
    const waits = watched.map((w) =>
      w.whenReady(stop.signal).catch((error: unknown) => {
        // One that fails (not stopped by us, nor an end closed meanwhile) fails the wait, as in Python: looking again would spin.
        if (!stop.signal.aborted && !w.never()) failed ??= { error };
      }),
    );
    if (ms !== Infinity) waits.push(new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.min(Math.ceil(ms), MAX_TIMER)))));
    await Promise.race(waits);
  } finally {
    clearTimeout(timer);
    stop.abort();
  }
  if (failed !== undefined) throw failed.error;
}

interface Watcher {
  ready(): boolean;
  /** Resolves once ready; never, if it cannot become ready. */
  whenReady(signal: AbortSignal): Promise<unknown>;
  /** Whether it can never become ready (any more). */
  never(): boolean;
  done?(): void;
}

const NEVER = new Promise<never>(() => undefined);

/** A Node timer's longest delay; a longer timeout is waited out in such steps. */
const MAX_TIMER = 2 ** 31 - 1;

function watcherOf(obj: Waitable): Watcher {
  if (obj instanceof Connection) {
    const can = (): boolean => !obj.closed && obj.readable;
    return {
      never: () => !can(),
      ready: () => can() && obj.pollSync(0),
      whenReady: (signal) => (can() ? obj.poll(Infinity, { signal }) : NEVER),
    };
  }
  if (obj instanceof Sentinel) return { never: () => false, ready: () => obj.ready, whenReady: (signal) => obj.whenReady({ signal }) };
  if (obj instanceof Socket) return socketWatcher(obj);
  throw new ArgumentError(`wait() watches connections, sockets and process sentinels, not ${describe(obj)}`);
}

/** A socket is ready when a `read()` would not come back empty-handed for want of data: bytes buffered, or its end. */
function socketWatcher(socket: Socket): Watcher {
  let signalled = false;
  const onReadable = (): void => {
    signalled = true;
  };
  // Listening for 'readable' now, before the first look: data that arrives while we wait is seen.
  socket.on('readable', onReadable);
  const at = (): boolean => socket.readableLength > 0 || socket.readableEnded || socket.destroyed;
  return {
    never: () => false,
    // After a 'readable', a read() has something to give: bytes, or the end (null, then 'end').
    ready: () => at() || signalled,
    whenReady: (signal) =>
      new Promise<void>((resolve) => {
        if (at()) return resolve();
        const finish = (): void => {
          socket.off('readable', finish).off('end', finish).off('close', finish);
          signal.removeEventListener('abort', finish);
          resolve();
        };
        socket.on('readable', finish).on('end', finish).on('close', finish);
        signal.addEventListener('abort', finish, { once: true });
      }),
    done: () => socket.off('readable', onReadable),
  };
}

function describe(obj: unknown): string {
  if (obj === null) return 'null';
  if (typeof obj !== 'object') return typeof obj;
  return obj.constructor?.name ?? 'an object';
}
