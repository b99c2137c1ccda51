/**
 * Taking buffers from their owner without copying them, as `postMessage`'s transfer list does.
 */
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { ArgumentError } from '@ipc/core';

/** A port pair of this thread's own: a move through a port costs ~10 µs for 64 MiB, structuredClone's ~400. */
let detacher: MessageChannel | undefined;

/**
 * `buffers`, taken from their owner: each is detached, and the same memory (no byte copied) is
 * returned in buffers only @ipc holds. A Buffer of Node's shared pool cannot be detached; like
 * postMessage, it is copied and stays usable.
 */
export function detach(buffers: readonly ArrayBuffer[]): ArrayBuffer[] {
  for (const b of buffers) movable(b);
  if (buffers.length === 0) return [];
  const ports = detacherPorts();
  try {
    ports.port1.postMessage(buffers, [...buffers]);
  } catch {
    // Nothing was taken (a refused list moves none). Node ≥ 21 refuses a buffer that cannot be
    // detached (Node's pool) where Node 20 copies it: each alone, then, such a one copied.
    return buffers.map((b) => detachOne(ports, b));
  }
  return receiveMessageOnPort(ports.port2)!.message as ArrayBuffer[];
}

function detachOne(ports: MessageChannel, buffer: ArrayBuffer): ArrayBuffer {
  try {
    ports.port1.postMessage(buffer, [buffer]);
  } catch (err) {
    if (!isDetached(buffer)) return buffer.slice(0); // cannot be detached: copied, and left usable
    throw new ArgumentError(`transfer: ${(err as Error).message}`, { cause: err });
  }
  return receiveMessageOnPort(ports.port2)!.message as ArrayBuffer;
}

function detacherPorts(): MessageChannel {
  if (detacher === undefined) {
    detacher = new MessageChannel();
    detacher.port1.unref();
    detacher.port2.unref();
  }
  return detacher;
}

/**
 * Whether `buffer` was detached already (a detached buffer reads 0 bytes; an empty one is not
 * detached, and moves). Node 20 has no `ArrayBuffer.prototype.detached`.
 */
export function isDetached(buffer: ArrayBuffer): boolean {
  if (buffer.byteLength > 0) return false;
  try {
    new Uint8Array(buffer); // the probe: a detached buffer cannot be viewed
    return false;
  } catch {
    return true;
  }
}

/** The caller's bytes in a buffer only @ipc holds, theirs detached (see `detach`). */
export function takeOver(bytes: Uint8Array): Uint8Array {
  const { buffer, byteOffset, byteLength } = bytes; // read before the move: a detached view reads 0
  return new Uint8Array(detach([movable(buffer)])[0]!, byteOffset, byteLength);
}

/** The buffer, if it can be moved; a SharedArrayBuffer cannot. */
export function movable(buffer: ArrayBufferLike): ArrayBuffer {
  if (!(buffer instanceof ArrayBuffer)) throw new ArgumentError('transfer: a SharedArrayBuffer is shared, not moved; send it without transfer');
  return buffer;
}
