/**
 * What every primitive of @ipc/sync shares: its state is an Int32Array of
 * shared memory in the process that made it (its home). Threads of that
 * process use the memory directly; another process reaches it through the
 * home's broker, which performs each operation with the caller's heap id as
 * the owner — so a caller that dies is seen as a dead owner, like a thread.
 */
import { connectRemote, heapId, reduceHandle, registerHandle, serve, servedHere, type ContextKind, type HandleDescriptor, type ReduceContext, type RemoteObject, type Served, type ServedRef } from '@ipc/core';

export interface Descriptor {
  /** The memory, for another thread of the home process. */
  sab?: SharedArrayBuffer;
  /** The served reference, for another process. */
  ref?: ServedRef;
  /** What the primitive adds (parties, the condition's lock…). */
  extra?: unknown;
}

interface HomeServed {
  primitive: Primitive;
}

export abstract class Primitive {
  /** Set at home (and in threads of the home process). */
  protected state!: Int32Array;
  /** Set in other processes. */
  protected remote: RemoteObject | undefined;
  private serving: ServedRef | undefined;

  protected constructor(words: number) {
    if (words > 0) this.state = new Int32Array(new SharedArrayBuffer(words * 4));
  }

  /** The type name in the handle registry, e.g. `@ipc/sync.Lock`. */
  protected abstract get handleType(): string;

  /** Does `op` at home for `owner` (a heap id: this heap's, or a remote caller's). */
  protected abstract perform(op: string, args: readonly unknown[], owner: number, signal: AbortSignal): unknown;

  /**
   * A remote caller went away (its heap id is dead from now on). What it held
   * is taken over by the next acquirer, who is told; waking the waiters now
   * spares them the liveness check's delay.
   */
  protected ownerGone(_owner: number): void {}

  /** What the descriptor carries besides the memory or the reference. */
  protected describe(_ctx: ReduceContext): unknown {
    return undefined;
  }

  /** Takes back what `describe` gave. */
  protected adopt(_extra: unknown, _kind: ContextKind): void {}

  [reduceHandle](ctx: ReduceContext): HandleDescriptor {
    const extra = this.describe(ctx);
    const data: Descriptor = ctx.target === 'thread' && this.remote === undefined ? { sab: this.state.buffer as SharedArrayBuffer, extra } : { ref: this.servedRef(), extra };
    return { module: import.meta.url, type: this.handleType, data };
  }

  private servedRef(): ServedRef {
    if (this.remote !== undefined) return this.remote.ref;
    if (this.serving === undefined) {
      const served: HomeServed & Served = {
        primitive: this,
        // 'repr': a copy in another process shows the home's view (owner, waiters…), as Python's proxies do.
        call: (op, args, caller, signal) => (op === 'repr' ? this.toString() : this.perform(op, args, caller.heapId, signal)),
        callerGone: (caller) => this.ownerGone(caller.heapId),
      };
      const { address, id, token } = serve(served);
      this.serving = { address, id, token };
    }
    return this.serving;
  }

  toString(): string {
    return `<${this.handleType.slice(this.handleType.lastIndexOf('.') + 1)}>`;
  }

  /** The home's `toString()`, for a copy in another process. */
  protected remoteRepr(): string {
    return this.remote!.callSync('repr') as string;
  }

  /** This heap's identity as an owner. */
  protected me(): number {
    return heapId();
  }

  /**
   * Registers how a type of primitive is rebuilt from its descriptor. Call it with
   * `this.prototype` in the class's static block: a class that names itself in its
   * body is bundled as `var Lock = class _Lock`, so `Lock.name` (and the repr) said `_Lock`.
   */
  protected static registerType(type: string, proto: object): void {
    registerHandle(type, (raw, kind) => {
      const data = raw as Descriptor;
      if (data.ref !== undefined) {
        const home = servedHere(data.ref) as Partial<HomeServed> | undefined;
        if (home?.primitive !== undefined) return home.primitive;
      }
      const p = Object.create(proto) as Primitive;
      if (data.sab !== undefined) p.state = new Int32Array(data.sab);
      else p.remote = connectRemote(data.ref!);
      p.adopt(data.extra, kind);
      return p;
    });
  }
}
