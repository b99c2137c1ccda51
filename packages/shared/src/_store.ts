/**
 * Where the elements of a Value or an Array live. In the heap that made them
 * and in threads of its process: a SharedArrayBuffer, read and written in
 * place. In another process (Node cannot map memory between processes): a
 * remote store that performs each read and write at the memory's home,
 * through @ipc/core's broker, blocking on a helper thread so that `.value`
 * stays a plain property.
 */
import { connectRemote, serve, servedHere, type ReduceContext, type RemoteObject, type Served, type ServedRef } from '@ipc/core';
import { cellsOf, checkTypecode, type Cells, type Stored, type Typecode } from './_typecodes.js';

/** The descriptor part that names the memory. */
export interface StoreData {
  readonly typecode: Typecode;
  readonly length: number;
  readonly sab?: SharedArrayBuffer;
  readonly ref?: ServedRef;
}

interface HomeServed extends Served {
  readonly store: Store;
}

export class Store {
  private serving: ServedRef | undefined;

  private constructor(
    readonly typecode: Typecode,
    readonly length: number,
    /** Set at home and in threads of the home's process. */
    readonly cells: Cells | undefined,
    /** Set in other processes. */
    private readonly remote: RemoteObject | undefined,
  ) {}

  static create(typecode: Typecode, length: number): Store {
    return new Store(typecode, length, cellsOf(typecode, length), undefined);
  }

  static rebuild(data: StoreData): Store {
    const typecode = checkTypecode(data.typecode);
    if (data.sab !== undefined) return new Store(typecode, data.length, cellsOf(typecode, data.length, data.sab), undefined);
    const home = servedHere(data.ref!) as Partial<HomeServed> | undefined;
    if (home?.store !== undefined) return home.store;
    return new Store(typecode, data.length, undefined, connectRemote(data.ref!));
  }

  get isRemote(): boolean {
    return this.remote !== undefined;
  }

  read(i: number): Stored {
    return this.cells !== undefined ? this.cells[i]! : (this.remote!.callSync('get', [i]) as Stored);
  }

  write(i: number, v: Stored): void {
    if (this.cells !== undefined) this.cells[i] = v;
    else this.remote!.callSync('set', [i, v]);
  }

  readRange(start: number, end: number): Stored[] {
    if (this.cells === undefined) return this.remote!.callSync('getRange', [start, end]) as Stored[];
    const out: Stored[] = [];
    for (let i = start; i < end; i++) out.push(this.cells[i]!);
    return out;
  }

  writeRange(start: number, values: readonly Stored[]): void {
    if (this.cells === undefined) {
      this.remote!.callSync('setRange', [start, values]);
      return;
    }
    for (let i = 0; i < values.length; i++) this.cells[start + i] = values[i]!;
  }

  describe(ctx: ReduceContext): StoreData {
    if (ctx.target === 'thread' && this.cells !== undefined) return { typecode: this.typecode, length: this.length, sab: this.cells.buffer as SharedArrayBuffer };
    return { typecode: this.typecode, length: this.length, ref: this.servedRef() };
  }

  private servedRef(): ServedRef {
    if (this.remote !== undefined) return this.remote.ref;
    if (this.serving === undefined) {
      const served: HomeServed = { store: this, call: (op, args) => this.perform(op, args) };
      const { address, id, token } = serve(served);
      this.serving = { address, id, token };
    }
    return this.serving;
  }

  /** One operation for another process, done here at the memory's home. Indices were checked by the caller. */
  private perform(op: string, args: readonly unknown[]): unknown {
    const n = (k: number): number => {
      const v = args[k];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > this.length) throw new RangeError(`bad index ${String(v)} for ${op}`);
      return v;
    };
    switch (op) {
      case 'get':
        return this.read(n(0));
      case 'set':
        return this.write(n(0), args[1] as Stored);
      case 'getRange':
        return this.readRange(n(0), n(1));
      case 'setRange':
        return this.writeRange(n(0), args[1] as Stored[]);
      default:
        throw new RangeError(`no operation ${op} on shared memory`);
    }
  }
}
