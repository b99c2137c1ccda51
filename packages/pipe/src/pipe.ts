import { randomInt } from 'node:crypto';
import { SharedRing, registerHandle, servedHere, type ContextKind } from '@ipc/core';
import { Holders } from './_holders.js';
import { RemoteEnd } from './_remote-end.js';
import { RingEnd, type RingEndDescriptor } from './_ring-end.js';
import { Connection, HANDLE_TYPE } from './connection.js';

/** Bytes of each direction's ring; larger messages stream through it. */
const RING_BYTES = 1 << 18;

/**
 * Python's `multiprocessing.Pipe(duplex)`: two connected ends. `Pipe()` gives
 * two ends that both send and receive; `Pipe(false)` gives `[receiveOnly,
 * sendOnly]`. Pass the ends to processes in either context.
 */
export function Pipe(duplex = true): [Connection, Connection] {
  const holders = Holders.create().table.buffer as SharedArrayBuffer;
  const id = randomInt(2 ** 47);
  const a = SharedRing.create(RING_BYTES).buffer;
  if (!duplex) {
    return [new Connection(new RingEnd({ id, inRing: a, outRing: undefined, holders, end: 0 })), new Connection(new RingEnd({ id, inRing: undefined, outRing: a, holders, end: 1 }))];
  }
  const b = SharedRing.create(RING_BYTES).buffer;
  return [new Connection(new RingEnd({ id, inRing: a, outRing: b, holders, end: 0 })), new Connection(new RingEnd({ id, inRing: b, outRing: a, holders, end: 1 }))];
}

type Descriptor =
  | RingEndDescriptor
  | { t: 'remote'; ref: { address: string; id: string; token: string }; ticket: number; readable: boolean; writable: boolean };

registerHandle(HANDLE_TYPE, (raw: unknown, _kind: ContextKind) => {
  const d = raw as Descriptor;
  if (d.t === 'ring') return new Connection(new RingEnd(d.data, d.ticket, d));
  const home = servedHere(d.ref) as { end?: RingEnd } | undefined;
  if (home?.end !== undefined) {
    // Back in its home process: straight on the rings again.
    return new Connection(new RingEnd(home.end.ringData, d.ticket));
  }
  return new Connection(new RemoteEnd(d.ref, d.ticket, d.readable, d.writable));
});
