/**
 * v8's codec for a value that moves some ArrayBuffers instead of copying them (`send(value,
 * { transfer })` through a lane). The buffers travel beside the bytes, in a MessagePort's
 * transfer list; in the bytes, a bare buffer is v8's own reference to a transferred buffer, and a
 * view of one (a Buffer, a typed array, a DataView) is written as [buffer, type, offset, length]
 * where Node's serializer would copy its bytes. Other views are written as Node writes them, so a
 * Buffer comes back a Buffer, as with `v8.serialize`.
 */
import { DefaultDeserializer, DefaultSerializer, serialize } from 'node:v8';

type View = ArrayBufferView;
type ViewClass = (new (buffer: ArrayBuffer, offset: number, length: number) => View) & { BYTES_PER_ELEMENT?: number };

const VIEWS: readonly ViewClass[] = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array, DataView];
const BUFFER = 0xff;
/** The first word of every host object here: written as Node writes it, or a view of a moved buffer. */
const AS_NODE = 0;
const MOVED_VIEW = 1;

/** Node's own ways to write and read a view (not in its types: they are the documented hooks `_writeHostObject` / `_readHostObject`). */
const nodeWrite = (DefaultSerializer.prototype as unknown as { _writeHostObject: (this: DefaultSerializer, view: View) => void })._writeHostObject;
const nodeRead = (DefaultDeserializer.prototype as unknown as { _readHostObject: (this: DefaultDeserializer) => unknown })._readHostObject;

class MovingSerializer extends DefaultSerializer {
  constructor(private readonly moved: ReadonlyMap<ArrayBufferLike, number>) {
    super();
  }

  _writeHostObject(view: View): void {
    const at = this.moved.get(view.buffer);
    if (at === undefined) {
      this.writeUint32(AS_NODE);
      nodeWrite.call(this, view);
      return;
    }
    this.writeUint32(MOVED_VIEW);
    this.writeUint32(at);
    this.writeUint32(Buffer.isBuffer(view) ? BUFFER : VIEWS.findIndex((c) => view instanceof c));
    this.writeUint32(view.byteOffset);
    this.writeUint32(view.byteLength);
  }
}

class MovingDeserializer extends DefaultDeserializer {
  constructor(
    bytes: Uint8Array,
    private readonly buffers: readonly ArrayBuffer[],
  ) {
    super(bytes);
  }

  _readHostObject(): unknown {
    if (this.readUint32() === AS_NODE) return nodeRead.call(this);
    const buffer = this.buffers[this.readUint32()]!;
    const type = this.readUint32();
    const offset = this.readUint32();
    const length = this.readUint32();
    if (type === BUFFER) return Buffer.from(buffer, offset, length);
    const View = VIEWS[type]!;
    return new View(buffer, offset, length / (View.BYTES_PER_ELEMENT ?? 1));
  }
}

/** `tree` as bytes, every view of `buffers` and the buffers themselves by reference to their place in `buffers`. */
export function serializeMoving(tree: unknown, buffers: readonly ArrayBuffer[]): Buffer {
  const s = new MovingSerializer(new Map(buffers.map((b, i) => [b, i])));
  s.writeHeader();
  buffers.forEach((b, i) => s.transferArrayBuffer(i, b));
  s.writeValue(tree);
  return s.releaseBuffer();
}

export function deserializeMoving(bytes: Uint8Array, buffers: readonly ArrayBuffer[]): unknown {
  const d = new MovingDeserializer(bytes, buffers);
  d.readHeader();
  buffers.forEach((b, i) => d.transferArrayBuffer(i, b));
  return d.readValue();
}

/** A moved value in the form a copied one has (v8's, as @ipc/core's `serialize` writes): for a reader that cannot take the buffers. */
export function copiedForm(bytes: Uint8Array, buffers: readonly ArrayBuffer[]): Buffer {
  return serialize(deserializeMoving(bytes, buffers));
}
