import { decode, decodeSync, encode } from '@ipc/core';
import { deserialize as v8Deserialize, serialize as v8Serialize } from 'node:v8';

/**
 * Items travel as bytes, encoded for the 'process' target whoever takes them:
 * an item may end up in any thread or process that holds the queue, so a
 * handle inside it reduces to what every context can rebuild.
 */
export function itemToBytes(item: unknown): Uint8Array {
  return v8Serialize(encode(item, 'process', 'item').tree);
}

export function bytesToItem(bytes: Uint8Array): Promise<unknown> {
  return decode(v8Deserialize(bytes), 'process');
}

export function bytesToItemSync(bytes: Uint8Array): unknown {
  return decodeSync(v8Deserialize(bytes), 'process');
}
