import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import fc from 'fast-check';
import type { Address } from '@ipc/pipe';

/** Connects, writes `bytes`, optionally ends; the socket's `close` tells when the server dropped it. */
export async function raw(address: Address, bytes: Uint8Array, end: boolean): Promise<Socket> {
  const s = connect(address[1] as number, address[0]);
  s.on('error', () => undefined); // a reset from the server is a normal end here
  s.resume(); // the server's challenge is read and thrown away
  await once(s, 'connect');
  s.write(bytes);
  if (end) s.end();
  return s;
}

/** A frame as an attacker would shape it: a length prefix (any, including Python's 0xFFFFFFFF + 8-byte form) then some bytes. */
export const frame = fc
  .tuple(fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.constantFrom(0, 1, 20, 0x7fffffff, 0xffffffff)), fc.uint8Array({ maxLength: 200 }), fc.option(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })))
  .map(([length, body, big]) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(length);
    const ext = length === 0xffffffff && big !== null ? Buffer.alloc(8) : Buffer.alloc(0);
    if (ext.length === 8) ext.writeBigUInt64BE(big!);
    return new Uint8Array(Buffer.concat([head, ext, body]));
  });


/** What an attacker sends: random bytes, one shaped frame, or several frames back to back. */
export const hostileBytes = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  frame,
  fc.array(frame, { maxLength: 4 }).map((fs) => new Uint8Array(Buffer.concat(fs))),
);
