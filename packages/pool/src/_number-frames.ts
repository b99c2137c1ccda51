/**
 * Batches of tiny tasks and of their outcomes between the pool and a thread
 * worker, written as doubles when they are all numbers. Why: v8's serializer
 * takes ~2–3 µs a batch and its deserializer ~2, where a few doubles take a
 * tenth of that; a tiny task's round trip crosses a codec four times, in line
 * — that was most of its latency. Anything else (a string argument, an error,
 * a control message) sends its whole batch the v8 way; the first byte tells
 * which (v8's is 0xFF).
 *
 * A frame: byte 0 the kind, bytes 4–7 the count, then doubles — a task as
 * id, fn, how, n, and its n arguments; an outcome as id, how, value, start, end.
 */
import { deserialize } from 'node:v8';
import { formOf, modeOf, type FromWorker, type ToWorker } from './_protocol.js';

const TASKS = 0xf1;
const OUTCOMES = 0xf2;
const OUTCOME_WORDS = 5;

/** A buffer reused for every frame this thread writes (the ring copies a frame in before the next is made). */
class Scratch {
  doubles = new Float64Array(256);
  words = new Uint32Array(this.doubles.buffer);
  bytes = new Uint8Array(this.doubles.buffer);

  room(doubles: number): Float64Array {
    if (this.doubles.length < doubles) {
      this.doubles = new Float64Array(Math.max(doubles, this.doubles.length * 2));
      this.words = new Uint32Array(this.doubles.buffer);
      this.bytes = new Uint8Array(this.doubles.buffer);
    }
    return this.doubles;
  }

  /** The frame's bytes, its header written. */
  frame(kind: number, count: number, doubles: number): Uint8Array {
    this.words[0] = kind;
    this.words[1] = count;
    return this.bytes.subarray(0, doubles * 8);
  }

  /** `frame`'s doubles, copied here (a received frame need not be aligned for a Float64Array). */
  load(frame: Uint8Array): Float64Array {
    const f = this.room(frame.byteLength >> 3);
    this.bytes.set(frame);
    return f;
  }
}

const out = new Scratch();
const into = new Scratch();

/** A batch of tasks whose arguments are all numbers, as a frame; `undefined` for any other batch. */
export function encodeTasks(batch: readonly ToWorker[]): Uint8Array | undefined {
  let doubles = 1;
  for (let k = 0; k < batch.length; k++) {
    const m = batch[k]!;
    if (!Array.isArray(m) || m.length !== 4 || modeOf(m[2]) !== 'call' || formOf(m[2]) !== 'raw') return undefined;
    const args = m[3];
    if (!Array.isArray(args)) return undefined;
    for (let i = 0; i < args.length; i++) if (typeof args[i] !== 'number') return undefined;
    doubles += 4 + args.length;
  }
  const f = out.room(doubles);
  let w = 1;
  for (let k = 0; k < batch.length; k++) {
    const m = batch[k] as [number, number, number, number[]];
    const args = m[3];
    f[w++] = m[0];
    f[w++] = m[1];
    f[w++] = m[2];
    f[w++] = args.length;
    for (let i = 0; i < args.length; i++) f[w++] = args[i]!;
  }
  return out.frame(TASKS, batch.length, doubles);
}

/** A batch of outcomes that are all numbers, as a frame; `undefined` for any other batch. */
export function encodeOutcomes(batch: readonly FromWorker[]): Uint8Array | undefined {
  for (let k = 0; k < batch.length; k++) {
    const m = batch[k]!;
    if (!Array.isArray(m) || typeof m[2] !== 'number' || formOf(m[1]) !== 'raw') return undefined;
  }
  const doubles = 1 + OUTCOME_WORDS * batch.length;
  const f = out.room(doubles);
  let w = 1;
  for (let k = 0; k < batch.length; k++) {
    const m = batch[k] as [number, number, number, number, number];
    f[w++] = m[0];
    f[w++] = m[1];
    f[w++] = m[2];
    f[w++] = m[3];
    f[w++] = m[4];
  }
  return out.frame(OUTCOMES, batch.length, doubles);
}

/** A frame of tasks, either form. */
export function decodeTasks(frame: Uint8Array): ToWorker[] {
  if (frame[0] !== TASKS) return deserialize(frame) as ToWorker[];
  const f = into.load(frame);
  const count = into.words[1]!;
  const batch = new Array<ToWorker>(count);
  let r = 1;
  for (let k = 0; k < count; k++) {
    const id = f[r++]!;
    const fn = f[r++]!;
    const how = f[r++]!;
    const args = new Array<number>(f[r++]!);
    for (let i = 0; i < args.length; i++) args[i] = f[r++]!;
    batch[k] = [id, fn, how, args];
  }
  return batch;
}

/** A frame of outcomes, either form. */
export function decodeOutcomes(frame: Uint8Array): FromWorker[] {
  if (frame[0] !== OUTCOMES) return deserialize(frame) as FromWorker[];
  const f = into.load(frame);
  const count = into.words[1]!;
  const batch = new Array<FromWorker>(count);
  for (let k = 0, r = 1; k < count; k++, r += OUTCOME_WORDS) batch[k] = [f[r]!, f[r + 1]!, f[r + 2]!, f[r + 3]!, f[r + 4]!];
  return batch;
}
