import { decode, decodePlain, decodeSync, encode, encodePlain } from '@ipc/core';
import { deserialize as v8Deserialize, serialize as v8Serialize } from 'node:v8';

/**
 * Items travel as bytes: a tag byte, then the item. A number goes in 9 bytes
 * of its own; strings, booleans, null, undefined, bigints and small plain
 * objects and arrays of them — most of what queues carry — in @ipc/core's
 * plain form (a few hundred ns, exact: -0, NaN and lone surrogates included). Everything else
 * is encoded for the 'process' target whoever takes it (v8 serialization,
 * ~2 µs): an item may end up in any thread or process that holds the queue,
 * so a handle inside it reduces to what every context can rebuild.
 */
const TREE = 0;
const PLAIN = 1;
/** A number alone, the commonest item, in 9 bytes of its own: ~15% more items/s than its plain form. */
const NUMBER = 2;

// Scratch space for a number's 8 bytes. Copying them byte by byte costs less than a
// view of the item's bytes: `.buffer` of a small typed array makes V8 move it off its heap.
const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);

export function itemToBytes(item: unknown): Uint8Array {
  if (typeof item === 'number') {
    const out = new Uint8Array(9);
    out[0] = NUMBER;
    f64[0] = item;
    for (let i = 0; i < 8; i++) out[i + 1] = f64Bytes[i]!;
    return out;
  }
  return encodePlain(item, PLAIN) ?? treeBytes(item);
}

/** The item, when it is not a codec tree; `TREE_ITEM` when it is. */
function short(bytes: Uint8Array): unknown {
  switch (bytes[0]) {
    case NUMBER:
      for (let i = 0; i < 8; i++) f64Bytes[i] = bytes[i + 1]!;
      return f64[0];
    case PLAIN:
      return decodePlain(bytes, 1);
    default:
      return TREE_ITEM;
  }
}

const TREE_ITEM = Symbol('a codec tree');

function treeBytes(item: unknown): Uint8Array {
  const tree = v8Serialize(encode(item, 'process', 'item').tree);
  const out = new Uint8Array(1 + tree.byteLength);
  out[0] = TREE;
  out.set(tree, 1);
  return out;
}

export function bytesToItem(bytes: Uint8Array): unknown {
  const value = short(bytes);
  // Only a codec tree may name a task module still to load: only it needs the async decode.
  return value === TREE_ITEM ? decode(v8Deserialize(bytes.subarray(1)), 'process') : value;
}

export function bytesToItemSync(bytes: Uint8Array): unknown {
  const value = short(bytes);
  return value === TREE_ITEM ? decodeSync(v8Deserialize(bytes.subarray(1)), 'process') : value;
}
