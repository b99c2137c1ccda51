/**
 * Lanes: MessagePorts between two threads of a pipe, for bytes sent with `transfer`. The
 * ArrayBuffer moves through the port — not a byte copied, whatever its size — while a small
 * marked note (lane, sequence number) keeps its place in the ring, so order and EOF stay the
 * ring's. A thread gets a lane when an end is handed to it at its start (a Thread's args): the
 * port rides in the Worker's transferList, the only way into a thread that needs no event loop
 * on either side to be free. When the other end went to another thread the same way, the two are
 * introduced: the hander-on sends one port of a new lane to the other thread through the lane it
 * has with it (read there at its next move or note), and gives the other port to the new holder.
 * Elsewhere (processes, pool workers, ends passed in messages) a move is a copy.
 *
 * A move goes only to the one thread that holds the reading end, decided under the holders'
 * lane lock; that thread alone can hand the end on, and it does so under the same lock: before
 * the new holder gets it, every moved message it has not read yet is copied into shared memory
 * that goes with the end ("rescued"), so whichever holder reads the note finds the bytes.
 *
 * Each side of a lane numbers its own moves; a move is known by (lane, side, number), so the two
 * directions never mix, even once rescued. A thread that lets go of the pipe says `bye` on its
 * lanes before it closes them (a peer drains a lane before it moves through it, and so never
 * posts into a closed port); a move whose note could not be written is cancelled on its lane.
 *
 * Module state, so one per thread: each worker loads this module on its own.
 */
import { randomInt } from 'node:crypto';
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { ArgumentError, heapId, isHeapAlive, type ReduceContext } from '@ipc/core';
import { detach, isDetached, movable, takeOver } from './_detach.js';
import { copiedForm } from './_moving-codec.js';

/** A lane as it travels in an end's descriptor: the port for the new holder, and who holds the other one (when known). */
export interface LaneDescriptor {
  readonly id: number;
  readonly port: MessagePort;
  readonly peer: number | undefined;
  /** When `peer` is not known yet: the ticket of the end whose claimer holds the other port. */
  readonly ticket?: number;
}

/** Who claimed a ticket (see Holders.claimedBy). */
export type ClaimedBy = (ticket: number) => number | undefined;

/** A rescued moved message: its key and the shared copy (word 0: taken; the bytes from byte 8). */
export type Rescued = readonly [key: string, copy: SharedArrayBuffer];

/** Which port of a lane: the maker keeps side 0 (port1), the other holder has side 1. */
type Side = 0 | 1;

interface Lane {
  readonly id: number;
  readonly port: MessagePort;
  readonly side: Side;
  /** The heap at the other port; undefined until its hello is read (the maker learns it so). */
  peer: number | undefined;
  /** For a lane made for an end on its way: the end's ticket, the holder it stands for until claimed. */
  readonly ticket?: number;
  /** This side's moves so far (wrapping in 32 bits, as the note keeps it). */
  sent: number;
  /** The other side said bye: it let go of the pipe and closed its port. */
  over: boolean;
}

/** Bytes moved: a view of a buffer that came whole. */
interface MovedBytes {
  readonly buffer: ArrayBuffer;
  readonly offset: number;
  readonly length: number;
}

/** A value moved: its bytes in the moving codec's form (_moving-codec.ts) and the buffers it moved. */
export class MovedValue {
  constructor(
    readonly bytes: Uint8Array,
    readonly buffers: readonly ArrayBuffer[],
  ) {}
}

type Moved = MovedBytes | MovedValue;

type LaneMessage =
  | { readonly hello: number }
  | { readonly intro: { readonly id: number; readonly port: MessagePort } }
  | { readonly bye: true }
  | { readonly cancel: number }
  | (MovedBytes & { readonly seq: number })
  | { readonly seq: number; readonly value: Uint8Array; readonly buffers: readonly ArrayBuffer[] };

class PipeLanes {
  readonly lanes: Lane[] = [];
  /** Moved messages taken off a port (or moved to this very thread) before their note was read. */
  readonly aside = new Map<string, Moved>();
  readonly rescued = new Map<string, SharedArrayBuffer>();
  /** Moves from this thread to itself: a lane of its own id, without a port (an id, not 0: rescues travel to other threads). */
  readonly selfId = laneId();
  selfSent = 0;
  /** Ends of the pipe this thread holds open. */
  ends = 0;
}

const TAKEN = 0;
const RESCUE_HEADER = 8;
const NOTE_BYTES = 12;

const pipes = new Map<number, PipeLanes>();

function laneId(): number {
  return randomInt(1, 2 ** 31 - 1);
}

/** A move's name: its lane, the side that posted it, its number there. */
const keyOf = (lane: number, side: Side, seq: number): string => `${lane}:${side}:${seq}`;

function lanesOf(pipe: number): PipeLanes {
  let pl = pipes.get(pipe);
  if (pl === undefined) pipes.set(pipe, (pl = new PipeLanes()));
  return pl;
}

/** A new end of `pipe` in this thread, maybe with lanes and rescued messages from the heap that handed it over. */
export function joinPipe(pipe: number, lanes: readonly LaneDescriptor[] | undefined, rescued: readonly Rescued[] | undefined): void {
  const pl = lanesOf(pipe);
  pl.ends++;
  for (const lane of lanes ?? []) addLane(pl, lane.id, lane.port, 1, lane.peer, lane.ticket);
  for (const [key, copy] of rescued ?? []) pl.rescued.set(key, copy);
}

/** A lane whose other port is already with its holder: it is told who holds this one. */
function addLane(pl: PipeLanes, id: number, port: MessagePort, side: Side, peer: number | undefined, ticket?: number): void {
  pl.lanes.push({ id, port, side, peer, ticket, sent: 0, over: false });
  port.postMessage({ hello: heapId() } satisfies LaneMessage);
}

/**
 * An end of `pipe` closed here. With none left, the lanes close (each peer told first); what was
 * moved here and not read stays only where this thread still serves the pipe to other processes
 * (it reads for them).
 */
export function leavePipe(pipe: number, stillServed: boolean): void {
  const pl = pipes.get(pipe);
  if (pl === undefined || --pl.ends > 0) return;
  // One at a time: a last drain may bring an introduction, a lane to close too.
  while (pl.lanes.length > 0) letGo(pl, pl.lanes.shift()!, true);
  if (!stillServed || (pl.aside.size === 0 && pl.rescued.size === 0)) pipes.delete(pipe);
}

/**
 * Lanes for an end (of ticket `ticket`) about to cross to a new thread, when the journey moves
 * ports: one to this thread, and one to each holder of the other end (`others`: heap ids, or
 * tickets of ends on their way) that this thread has a lane with — so two children given the two
 * ends move to each other once the parent lets its own copies go. Their descriptors; none otherwise.
 */
export function openLanes(pipe: number, ctx: ReduceContext, ticket: number, others: readonly number[], claimedBy: ClaimedBy): LaneDescriptor[] | undefined {
  if (ctx.target !== 'thread' || ctx.transfers !== true) return undefined;
  const pl = lanesOf(pipe);
  prune(pl);
  const { port1, port2 } = new MessageChannel();
  // Read only with receiveMessageOnPort: no listener, so neither port keeps a thread alive.
  port1.unref();
  const id = laneId();
  pl.lanes.push({ id, port: port1, side: 0, peer: undefined, ticket, sent: 0, over: false });
  ctx.transfer(port2);
  const out: LaneDescriptor[] = [{ id, port: port2, peer: heapId() }];
  for (const other of others) {
    const via = other === heapId() ? undefined : laneTo(pl, other, claimedBy);
    if (via === undefined) continue;
    const intro = new MessageChannel();
    const introId = laneId();
    // The other thread takes port1 as side 0 of the new lane; the new holder port2 as side 1.
    via.port.postMessage({ intro: { id: introId, port: intro.port1 } } satisfies LaneMessage, [intro.port1]);
    ctx.transfer(intro.port2);
    out.push({ id: introId, port: intro.port2, peer: via.peer, ticket: via.peer === undefined ? via.ticket : undefined });
  }
  return out;
}

/** Lanes made for an end whose journey was abandoned: this thread's side let go, introduced peers told bye. */
export function closeLanes(pipe: number, lanes: readonly LaneDescriptor[]): void {
  const pl = pipes.get(pipe);
  for (const d of lanes) {
    const i = pl?.lanes.findIndex((l) => l.id === d.id) ?? -1;
    if (i >= 0) {
      letGo(pl!, pl!.lanes.splice(i, 1)[0]!, false);
    } else {
      // An introduction: the other port went to a peer, which lets its lane go on this bye.
      d.port.postMessage({ bye: true } satisfies LaneMessage);
      d.port.close();
    }
  }
}

/** Whether a move to `reader` would find a lane now (so a value is written in the moving form only then). */
export function canMoveTo(pipe: number, reader: number, claimedBy: ClaimedBy): boolean {
  const pl = pipes.get(pipe);
  return pl !== undefined && (reader === heapId() || laneTo(pl, reader, claimedBy) !== undefined);
}

/**
 * Moves the caller's `bytes` (or a value and the buffers it moves) towards `reader`, the sole
 * holder of the reading end: their ArrayBuffers are detached, posted straight from the caller (one
 * buffer made on the way, not two: each costs the heap that gets it a rise of its external memory,
 * and so garbage collections). Returns the note to write in the ring, or undefined when there is
 * no lane to that thread (then nothing is taken). Called under the holders' lane lock.
 */
export function moveTo(pipe: number, reader: number, what: Uint8Array | MovedValue, claimedBy: ClaimedBy): Uint8Array | undefined {
  const pl = pipes.get(pipe);
  if (pl === undefined) return undefined;
  if (reader === heapId()) {
    const seq = (pl.selfSent = (pl.selfSent + 1) | 0);
    pl.aside.set(keyOf(pl.selfId, 0, seq), what instanceof MovedValue ? new MovedValue(what.bytes, detach(what.buffers)) : bytesOf(takeOver(what)));
    return note(pl.selfId, 0, seq);
  }
  const lane = laneTo(pl, reader, claimedBy);
  if (lane === undefined) return undefined;
  const seq = (lane.sent + 1) | 0;
  const [message, transfer]: [LaneMessage, ArrayBuffer[]] =
    what instanceof MovedValue ? [{ seq, value: what.bytes, buffers: what.buffers }, [...what.buffers]] : [{ ...bytesOf(what), seq }, [movable(what.buffer)]];
  try {
    lane.port.postMessage(message, transfer);
  } catch (err) {
    // Nothing taken. A buffer that cannot be detached (Node ≥ 21 refuses it; Node 20 copies it): the caller copies instead.
    if (!transfer.some(isDetached)) return undefined;
    throw new ArgumentError(`transfer: ${(err as Error).message}`, { cause: err });
  }
  lane.sent = seq;
  return note(lane.id, lane.side, seq);
}

/** A move whose note could not be written (the send was aborted, or failed): its reader is told to let it go. */
export function cancelMove(pipe: number, noteBytes: Uint8Array): void {
  const pl = pipes.get(pipe);
  if (pl === undefined) return;
  const [id, side, seq] = readNote(noteBytes);
  if (id === pl.selfId) {
    pl.aside.delete(keyOf(id, side, seq));
    return;
  }
  const lane = pl.lanes.find((l) => l.id === id && l.side === side);
  if (lane !== undefined && !lane.over) lane.port.postMessage({ cancel: seq } satisfies LaneMessage);
}

const bytesOf = (view: Uint8Array): MovedBytes => ({ buffer: view.buffer as ArrayBuffer, offset: view.byteOffset, length: view.byteLength });

/**
 * The bytes a note stands for: the moved buffer itself, or a copy of its rescue. A note is read
 * after its move was posted (the mover posts first, then writes the note), and a port has a
 * message from the moment it was posted, so it is found without waiting.
 */
export function takeMoved(pipe: number, noteBytes: Uint8Array): Buffer | MovedValue | undefined {
  const pl = pipes.get(pipe);
  if (pl === undefined) return undefined;
  const [id, side, seq] = readNote(noteBytes);
  const key = keyOf(id, side, seq);
  let moved = pl.aside.get(key);
  if (moved === undefined) {
    const lane = pl.lanes.find((l) => l.id === id);
    if (lane !== undefined) drain(pl, lane);
    else drainAll(pl); // a lane this thread was introduced to, whose introduction is not read yet
    moved = pl.aside.get(key);
  }
  if (moved !== undefined) {
    pl.aside.delete(key);
    return moved instanceof MovedValue ? moved : Buffer.from(moved.buffer, moved.offset, moved.length);
  }
  const copy = pl.rescued.get(key);
  if (copy === undefined) return undefined;
  pl.rescued.delete(key);
  const words = new Int32Array(copy, 0, 1);
  if (Atomics.exchange(words, TAKEN, 1) !== 0) return undefined; // another holder read it: cannot happen for one note
  return Buffer.from(new Uint8Array(copy, RESCUE_HEADER));
}

/**
 * Before an end of `pipe` is handed on: every moved message here that is not read yet, copied
 * to shared memory (each holder may read its note now), and the rescues not yet taken.
 */
export function rescue(pipe: number): Rescued[] {
  const pl = pipes.get(pipe);
  if (pl === undefined) return [];
  for (const lane of pl.lanes) drain(pl, lane);
  for (const [key, moved] of pl.aside) {
    // A value is rescued in the form a copied one has: its reader reads it as any value message.
    const bytes = moved instanceof MovedValue ? copiedForm(moved.bytes, moved.buffers) : new Uint8Array(moved.buffer, moved.offset, moved.length);
    const copy = new SharedArrayBuffer(RESCUE_HEADER + bytes.byteLength);
    new Uint8Array(copy, RESCUE_HEADER).set(bytes);
    pl.rescued.set(key, copy);
  }
  pl.aside.clear();
  const out: Rescued[] = [];
  for (const [key, copy] of pl.rescued) {
    if (Atomics.load(new Int32Array(copy, 0, 1), TAKEN) !== 0) pl.rescued.delete(key);
    else out.push([key, copy]);
  }
  return out;
}

/**
 * The lane to `holder` (a heap id, or the ticket of an end still on its way there), drained
 * first: a lane whose other side said bye is let go, never posted to. A lane known only by the
 * ticket of the end its other port went with is the lane to whoever claimed that ticket.
 */
function laneTo(pl: PipeLanes, holder: number, claimedBy: ClaimedBy): Lane | undefined {
  const find = (): Lane | undefined => {
    for (const l of pl.lanes) {
      if (l.over) continue;
      if (l.peer === holder || (l.peer === undefined && l.ticket === holder)) return l;
      if (l.peer === undefined && l.ticket !== undefined && holder > 0 && claimedBy(l.ticket) === holder) {
        l.peer = holder;
        return l;
      }
    }
    return undefined;
  };
  let lane = find();
  if (lane !== undefined) {
    drain(pl, lane);
    if (!lane.over) return lane;
  }
  // A hello, an introduction or a bye may be waiting on any lane.
  drainAll(pl);
  lane = find();
  return lane;
}

/** Drains every lane (one introduced meanwhile is looked at too: it is added at the end), and lets go of lanes that are over. */
function drainAll(pl: PipeLanes): void {
  for (let i = 0; i < pl.lanes.length; i++) drain(pl, pl.lanes[i]!);
  prune(pl);
}

/**
 * Lets go of lanes whose other side said bye or whose thread ended. Liveness first, then a last
 * drain: a move posted before its thread ended is in the port by the time its death shows.
 */
function prune(pl: PipeLanes): void {
  for (let i = pl.lanes.length - 1; i >= 0; i--) {
    const lane = pl.lanes[i]!;
    if (!lane.over && (lane.peer === undefined || isHeapAlive(lane.peer))) continue;
    pl.lanes.splice(i, 1);
    letGo(pl, lane, false);
  }
}

/** Closes this side of a lane (taken out of `pl.lanes` by the caller), after a last drain; `bye` tells the other side first. */
function letGo(pl: PipeLanes, lane: Lane, bye: boolean): void {
  drain(pl, lane);
  if (bye && !lane.over) lane.port.postMessage({ bye: true } satisfies LaneMessage);
  lane.port.close();
}

/** Takes everything the lane's port has: hello, introductions, bye, cancels, and moves whose notes are not read yet. */
function drain(pl: PipeLanes, lane: Lane): void {
  const from: Side = lane.side === 0 ? 1 : 0;
  for (let got = receiveMessageOnPort(lane.port); got !== undefined; got = receiveMessageOnPort(lane.port)) {
    const m = got.message as LaneMessage;
    if ('hello' in m) lane.peer = m.hello;
    else if ('intro' in m) addLane(pl, m.intro.id, m.intro.port, 0, undefined);
    else if ('bye' in m) lane.over = true;
    else if ('cancel' in m) pl.aside.delete(keyOf(lane.id, from, m.cancel));
    else if ('value' in m) pl.aside.set(keyOf(lane.id, from, m.seq), new MovedValue(m.value, m.buffers));
    else pl.aside.set(keyOf(lane.id, from, m.seq), { buffer: m.buffer, offset: m.offset, length: m.length });
  }
}

function note(lane: number, side: Side, seq: number): Uint8Array {
  const bytes = new Uint8Array(NOTE_BYTES);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, lane, true);
  view.setInt32(4, side, true);
  view.setInt32(8, seq, true);
  return bytes;
}

function readNote(bytes: Uint8Array): [id: number, side: Side, seq: number] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return [view.getInt32(0, true), view.getInt32(4, true) === 0 ? 0 : 1, view.getInt32(8, true)];
}
