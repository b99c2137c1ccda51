import { fork, spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { existsSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { deserialize, serialize } from 'node:v8';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  acknowledged,
  BrokerGoneError,
  brokerAddress,
  closeBroker,
  connectRemote,
  decode,
  frameHeader,
  FrameDecoder,
  isHeapAlive,
  serve,
  servedHere,
  StateError,
  TimeoutError,
  UnreachableError,
  type BrokerCaller,
  type IpcError,
  type Served,
  type ServedRef,
} from '@ipc/core';

const childScript = fileURLToPath(new URL('./fixtures/broker-child.mjs', import.meta.url));
const homeScript = fileURLToPath(new URL('./fixtures/broker-home.mjs', import.meta.url));
const plainScript = fileURLToPath(new URL('./fixtures/broker-script.mjs', import.meta.url));

/** A served object that records what happens to it and says so with events. */
class Recorder extends EventEmitter implements Served {
  items = ['a', 'b', 'c'];
  returned: string[] = [];
  delivered: string[] = [];
  seen: unknown[] = [];
  gone: BrokerCaller[] = [];

  call(op: string, args: readonly unknown[], caller: BrokerCaller, signal: AbortSignal): unknown {
    switch (op) {
      case 'echo':
        return args;
      case 'who':
        return caller;
      case 'failState':
        throw new StateError('bad state here');
      case 'failRange':
        throw Object.assign(new RangeError('out of range'), { code: 'E_RANGE', cause: new TypeError('inner') });
      case 'order':
        this.seen.push(args[0]);
        return args[0];
      case 'wait':
        this.emit('waiting', caller);
        return new Promise((_, reject) => {
          signal.addEventListener('abort', () => {
            this.emit('aborted', signal.reason);
            reject(signal.reason as Error);
          });
        });
      case 'later':
        return new Promise((resolve) => setTimeout(() => resolve('done'), 200));
      case 'take':
        return this.take();
      case 'slowTake':
        // Ignores the signal: its item must still come back when the caller has given up.
        return new Promise((resolve) => setTimeout(() => resolve(this.take()), 300));
      default:
        throw new Error(`unknown op ${op}`);
    }
  }

  callerGone(caller: BrokerCaller): void {
    this.gone.push(caller);
    this.emit('gone', caller);
  }

  private take(): unknown {
    const item = this.items.shift();
    this.emit('took', item);
    return acknowledged(
      item,
      () => {
        this.items.unshift(item!);
        this.returned.push(item!);
        this.emit('returned', item);
      },
      () => {
        this.delivered.push(item!);
        this.emit('delivered', item);
      },
    );
  }
}

interface Answer {
  ok: boolean;
  value: unknown;
  errorClass: string | undefined;
}

const started = new Set<ChildProcess>();
const allPids: number[] = [];

/** A forked remote caller, driven over its IPC channel. */
function startChild() {
  const proc = fork(childScript, [], { stdio: 'inherit', serialization: 'advanced' });
  started.add(proc);
  allPids.push(proc.pid!);
  let seq = 0;
  const waiting = new Map<number, (a: Answer) => void>();
  proc.on('message', (msg: { seq: number; ok: boolean; tree: unknown; errorClass?: string }) => {
    void decode(msg.tree, 'process').then((value) => waiting.get(msg.seq)?.({ ok: msg.ok, value, errorClass: msg.errorClass }));
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return {
    proc,
    exited,
    ask(msg: Record<string, unknown>): Promise<Answer> {
      const id = ++seq;
      return new Promise<Answer>((resolve, reject) => {
        waiting.set(id, resolve);
        proc.once('exit', () => reject(new Error('the child exited before answering')));
        proc.send({ ...msg, seq: id });
      });
    },
  };
}

/** Waits for an event, bounded so that a test fails rather than hangs. */
async function next<T>(emitter: EventEmitter, event: string): Promise<T> {
  const [value] = (await once(emitter, event, { signal: AbortSignal.timeout(10_000) })) as [T];
  return value;
}

function plainRef(served: ServedRef): ServedRef {
  return { address: served.address, id: served.id, token: served.token };
}

afterEach(async () => {
  for (const proc of started) {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await once(proc, 'exit');
    }
  }
  started.clear();
});

afterAll(() => {
  closeBroker();
  expect(brokerAddress()).toBeUndefined();
  // No process left behind: every child (and grandchild, which its child waited for) has ended.
  for (const pid of allPids) expect(() => process.kill(pid, 0)).toThrow();
});

describe('broker: serving an object to other processes', () => {
  it('values and errors round-trip with their class and code', async () => {
    const obj = new Recorder();
    const ref = serve(obj);
    const child = startChild();
    const values = [1, 'two', null, 10n ** 20n, { a: [1, { b: new Date(3) }] }, new Map([[1, 'x']]), new Set([2]), new Uint8Array([1, 2])];
    const echo = await child.ask({ cmd: 'call', ref: plainRef(ref), op: 'echo', args: values });
    expect(echo).toEqual({ ok: true, value: values, errorClass: undefined });

    const state = await child.ask({ cmd: 'call', ref: plainRef(ref), op: 'failState' });
    expect(state.ok).toBe(false);
    expect(state.errorClass).toBe('StateError');
    expect(state.value).toBeInstanceOf(StateError);
    expect((state.value as StateError).code).toBe('ERR_IPC_STATE');
    expect((state.value as Error).message).toBe('bad state here');

    const range = await child.ask({ cmd: 'call', ref: plainRef(ref), op: 'failRange' });
    expect(range.errorClass).toBe('RangeError');
    expect(range.value).toBeInstanceOf(RangeError);
    expect((range.value as { code: string }).code).toBe('E_RANGE');
    expect((range.value as Error).cause).toBeInstanceOf(TypeError);
    ref.unserve();
  });

  it('the caller is one heap of another process, with a live heap id', async () => {
    const obj = new Recorder();
    const ref = serve(obj);
    const child = startChild();
    const pid = (await child.ask({ cmd: 'pid' })).value;
    const who = (await child.ask({ cmd: 'call', ref: plainRef(ref), op: 'who' })).value as BrokerCaller;
    expect(who.pid).toBe(pid);
    expect(who.threadId).toBe(0);
    expect(isHeapAlive(who.heapId)).toBe(true);
    // The sync helper thread calls as the same caller.
    const whoSync = (await child.ask({ cmd: 'call', ref: plainRef(ref), op: 'who', sync: true })).value as BrokerCaller;
    expect(whoSync).toEqual(who);
    ref.unserve();
  });

  it('a reference crosses as plain data; unserve() makes the object unreachable', async () => {
    const obj = new Recorder();
    const ref = serve(obj);
    expect(Object.keys(ref).sort()).toEqual(['address', 'id', 'token']);
    expect(servedHere(plainRef(ref))).toBe(obj);
    expect(servedHere({ ...plainRef(ref), token: '00' })).toBeUndefined();
    const child = startChild();
    expect((await child.ask({ cmd: 'call', ref: plainRef(ref), op: 'echo', args: [1] })).value).toEqual([1]);
    ref.unserve();
    const after = await child.ask({ cmd: 'call', ref: plainRef(ref), op: 'echo' });
    expect(after.value).toBeInstanceOf(UnreachableError);
    expect((after.value as Error).message).toMatch(/no longer served/);
  });

  it('a wrong token is refused, and the connection keeps working for the right one', async () => {
    const obj = new Recorder();
    const ref = serve(obj);
    const child = startChild();
    const bad = await child.ask({ cmd: 'call', ref: { ...plainRef(ref), token: 'ab'.repeat(16) }, op: 'echo', args: [1] });
    expect(bad.ok).toBe(false);
    expect(bad.errorClass).toBe('UnreachableError');
    expect((bad.value as IpcError).code).toBe('ERR_IPC_UNREACHABLE');
    expect((bad.value as Error).message).toMatch(/token given for it is wrong/);
    const unknown = await child.ask({ cmd: 'call', ref: { ...plainRef(ref), id: '999999' }, op: 'echo' });
    expect((unknown.value as Error).message).toMatch(/not served/);
    expect((await child.ask({ cmd: 'call', ref: plainRef(ref), op: 'echo', args: [2] })).value).toEqual([2]);
    // And a wrong token after the right one harms neither.
    expect((await child.ask({ cmd: 'call', ref: { ...plainRef(ref), token: 'zz' }, op: 'echo' })).value).toBeInstanceOf(UnreachableError);
    expect((await child.ask({ cmd: 'call', ref: plainRef(ref), op: 'echo', args: [3] })).value).toEqual([3]);
    ref.unserve();
  });

  it('calls sent in one tick start in the order sent', async () => {
    const obj = new Recorder();
    const ref = serve(obj);
    const child = startChild();
    const args = Array.from({ length: 50 }, (_, i) => i);
    expect((await child.ask({ cmd: 'calls', ref: plainRef(ref), op: 'order', args })).value).toEqual(args);
    expect(obj.seen).toEqual(args);
    ref.unserve();
  });

  it('args and results may hold tasks: their modules load first, and calls still start in order', async () => {
    const obj = new Recorder();
    const ref = serve(obj);
    const child = startChild();
    const answer = await child.ask({ cmd: 'taskCalls', ref: plainRef(ref), op: 'order' });
    expect(answer.value).toEqual({ sameFunction: true, rest: [1, 2] });
    expect(obj.seen).toHaveLength(3);
    expect((obj.seen[0] as (x: number) => number)(3)).toBe(9);
    expect(obj.seen.slice(1)).toEqual([1, 2]);
    ref.unserve();
  });

  it('callSync blocks the child until the reply: values, errors, timeout', async () => {
    const obj = new Recorder();
    const ref = serve(obj);
    const child = startChild();
    expect((await child.ask({ cmd: 'call', ref: plainRef(ref), op: 'echo', args: [1, { a: 2 }], sync: true })).value).toEqual([1, { a: 2 }]);
    const err = await child.ask({ cmd: 'call', ref: plainRef(ref), op: 'failState', sync: true });
    expect(err.errorClass).toBe('StateError');
    const aborted = next<unknown>(obj, 'aborted');
    const t0 = performance.now();
    const late = await child.ask({ cmd: 'call', ref: plainRef(ref), op: 'wait', sync: true, timeout: 300 });
    const elapsed = performance.now() - t0;
    expect(late.errorClass).toBe('TimeoutError');
    expect(elapsed).toBeGreaterThanOrEqual(180);
    expect(elapsed).toBeLessThan(3000);
    expect(await aborted).toBeInstanceOf(TimeoutError);
    // The bridge keeps working after a timeout.
    expect((await child.ask({ cmd: 'call', ref: plainRef(ref), op: 'echo', args: [5], sync: true })).value).toEqual([5]);
    ref.unserve();
  });

  it('a timeout rejects with TimeoutError and aborts the operation at home', async () => {
    const obj = new Recorder();
    const ref = serve(obj);
    const child = startChild();
    const aborted = next<unknown>(obj, 'aborted');
    const answer = await child.ask({ cmd: 'call', ref: plainRef(ref), op: 'wait', timeout: 300, timed: true });
    expect(answer.errorClass).toBe('TimeoutError');
    expect((answer.value as TimeoutError).code).toBe('ERR_IPC_TIMEOUT');
    const ms = (answer.value as { ms: number }).ms;
    expect(ms).toBeGreaterThanOrEqual(180);
    expect(ms).toBeLessThan(3000);
    expect(await aborted).toBeInstanceOf(TimeoutError);
    ref.unserve();
  });

  it("an abort rejects with the signal's reason and aborts the operation at home", async () => {
    const obj = new Recorder();
    const ref = serve(obj);
    const child = startChild();
    const aborted = next<IpcError>(obj, 'aborted');
    const answer = await child.ask({ cmd: 'call', ref: plainRef(ref), op: 'wait', abortAfter: 200, timed: true });
    expect(answer.errorClass).toBe('RangeError');
    expect((answer.value as Error).message).toBe('stopped by the caller');
    const ms = (answer.value as { ms: number }).ms;
    expect(ms).toBeGreaterThanOrEqual(120);
    expect(ms).toBeLessThan(2000);
    expect((await aborted).code).toBe('ERR_IPC_ABORTED');
    ref.unserve();
  });

  it('a caller SIGKILLed mid-call: its operation is aborted, callerGone is called and its heap id is dead', async () => {
    const obj = new Recorder();
    const ref = serve(obj);
    const child = startChild();
    const waiting = next<BrokerCaller>(obj, 'waiting');
    await child.ask({ cmd: 'fire', ref: plainRef(ref), op: 'wait' });
    const caller = await waiting;
    expect(isHeapAlive(caller.heapId)).toBe(true);
    const aborted = next<IpcError>(obj, 'aborted');
    const gone = next<BrokerCaller>(obj, 'gone');
    child.proc.kill('SIGKILL');
    expect((await aborted).code).toBe('ERR_IPC_CALLER_GONE');
    expect(await gone).toEqual(caller);
    expect(isHeapAlive(caller.heapId)).toBe(false);
    ref.unserve();
  });

  it('an item whose reply the caller never acknowledged comes back when the caller is killed', async () => {
    const obj = new Recorder();
    const ref = serve(obj);
    const frozen = startChild();
    // Connected first: a call on a connection still connecting would not leave before the freeze.
    await frozen.ask({ cmd: 'call', ref: plainRef(ref), op: 'echo' });
    const took = next<string>(obj, 'took');
    await frozen.ask({ cmd: 'callThenFreeze', ref: plainRef(ref), op: 'take' });
    expect(await took).toBe('a');
    // Let the reply go out (written on the next tick) before the caller dies unacknowledging.
    await new Promise((r) => setImmediate(r));
    const returned = next<string>(obj, 'returned');
    frozen.proc.kill('SIGKILL');
    expect(await returned).toBe('a');
    expect(obj.items).toEqual(['a', 'b', 'c']);
    expect(obj.delivered).toEqual([]);

    // A caller that received its item keeps it, even when it then goes away; its acknowledgement tells the home.
    const child = startChild();
    const delivered = next<string>(obj, 'delivered');
    expect((await child.ask({ cmd: 'call', ref: plainRef(ref), op: 'take' })).value).toBe('a');
    expect(await delivered).toBe('a');
    const gone = next<BrokerCaller>(obj, 'gone');
    child.proc.disconnect();
    await gone;
    expect(obj.returned).toEqual(['a']);
    expect(obj.items).toEqual(['b', 'c']);
    ref.unserve();
  });

  it('an item taken with callSync by a process that exits at once stays delivered (its acknowledgement is not lost)', async () => {
    const obj = new Recorder();
    obj.items.push('d', 'e');
    const ref = serve(obj);
    // The helper thread that sends the acknowledgement must not be cut short by the exit (it was, 14 times
    // in 20, with the CPUs busy).
    for (const item of ['a', 'b', 'c', 'd', 'e']) {
      const child = startChild();
      const delivered = next<string>(obj, 'delivered');
      const gone = next<BrokerCaller>(obj, 'gone');
      child.proc.send({ seq: 0, cmd: 'callSyncThenExit', ref: plainRef(ref), op: 'take', spinners: 3 });
      expect(await delivered).toBe(item);
      await gone;
      await child.exited;
      expect(child.proc.exitCode).toBe(0);
    }
    expect(obj.returned).toEqual([]);
    expect(obj.items).toEqual([]);
    ref.unserve();
  });

  it('the item of a reply that comes after its call was given up on goes back', async () => {
    const obj = new Recorder();
    const ref = serve(obj);
    const child = startChild();
    // The home finishes after the timeout: the broker knows the call was cancelled.
    let returned = next<string>(obj, 'returned');
    const slow = await child.ask({ cmd: 'call', ref: plainRef(ref), op: 'slowTake', timeout: 50 });
    expect(slow.errorClass).toBe('TimeoutError');
    expect(await returned).toBe('a');
    // The reply was already on its way when the caller gave up: the caller refuses it.
    returned = next<string>(obj, 'returned');
    const busy = await child.ask({ cmd: 'callBusy', ref: plainRef(ref), op: 'take' });
    expect(busy.value).toBeInstanceOf(TimeoutError);
    expect(await returned).toBe('a');
    expect(obj.items).toEqual(['a', 'b', 'c']);
    ref.unserve();
  });

  it('a grandchild reaches the same home through a reference passed on', async () => {
    const obj = new Recorder();
    const ref = serve(obj);
    const child = startChild();
    const childPid = (await child.ask({ cmd: 'pid' })).value;
    const answer = (await child.ask({ cmd: 'grandchild', ref: plainRef(ref), op: 'who' })).value as { grandchildPid: number; reply: { ok: boolean; tree: unknown } };
    expect(answer.reply.ok).toBe(true);
    const who = (await decode(answer.reply.tree, 'process')) as BrokerCaller;
    expect(who.pid).toBe(answer.grandchildPid);
    expect(who.pid).not.toBe(childPid);
    ref.unserve();
  });

  it('a pending call keeps a program alive until its reply; an idle connection does not', async () => {
    const obj = new Recorder();
    const ref = serve(obj);
    const proc = spawn(process.execPath, [plainScript, JSON.stringify(plainRef(ref)), 'later'], { stdio: ['ignore', 'pipe', 'inherit'] });
    started.add(proc);
    allPids.push(proc.pid!);
    let out = '';
    proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const [code] = (await once(proc, 'exit', { signal: AbortSignal.timeout(10_000) })) as [number];
    expect(code).toBe(0);
    expect(out.trim()).toBe('"done"');
    ref.unserve();
  });

  it('a peer that does not speak the protocol loses its connection and harms nothing else', async () => {
    const obj = new Recorder();
    const ref = serve(obj);
    const remote = connectRemote(plainRef(ref));
    expect(await remote.call('echo', [1])).toEqual([1]);
    const garbage = [
      Buffer.concat([frameHeader(3), Buffer.from('abc')]),
      Buffer.concat([frameHeader(9), serialize([4, 12345])]), // an ack before any hello
      Buffer.concat([frameHeader(serialize([0, 1, 0, 'k']).length), serialize([0, 1, 0, 'k']), frameHeader(serialize([4, 7]).length), serialize([4, 7])]),
      Buffer.from([0xff, 0xff, 0xff, 0xf0]),
      // The compact form (see _fast-form.ts), malformed, after a proper hello: a truncated call, an ack of the wrong length, an unknown form.
      ...[Buffer.from([0xc2, 1, 0, 0, 0]), Buffer.from([0xc4, 2, 0, 0, 0, 7, 0, 0, 0]), Buffer.from([0x01, 0])].map((body) =>
        Buffer.concat([frameHeader(serialize([0, 1, 0, 'k']).length), serialize([0, 1, 0, 'k']), frameHeader(body.length), body]),
      ),
    ];
    for (const bytes of garbage) {
      const sock = createConnection(ref.address);
      sock.on('error', () => undefined);
      sock.end(bytes);
      await once(sock, 'close', { signal: AbortSignal.timeout(10_000) });
    }
    expect(await remote.call('echo', [2])).toEqual([2]);
    ref.unserve();
  });

  it('bytes cross a call and its reply as they went in — Buffer as Buffer, Uint8Array as Uint8Array, empty ones too — whatever the op is called', async () => {
    const obj = new Recorder();
    const ref = serve(obj);
    const remote = connectRemote(plainRef(ref));
    const args = [Buffer.from('buffer'), new Uint8Array([1, 2, 3]), Buffer.alloc(0), new Uint8Array(0), Buffer.alloc(100_000, 9)];
    const back = (await remote.call('echo', args)) as Uint8Array[];
    expect(back.map((b) => b.constructor.name)).toEqual(['Buffer', 'Uint8Array', 'Buffer', 'Uint8Array', 'Buffer']);
    expect(back.map((b) => Buffer.from(b).toString('hex'))).toEqual(args.map((b) => Buffer.from(b).toString('hex')));
    // Scalars beside bytes, and a scalar or bytes alone as the result: the compact form too.
    const mixed = [1.5, -0, Number.NaN, true, false, null, undefined, Buffer.from('b'), 2 ** 53];
    expect(await remote.call('echo', mixed)).toEqual(mixed);
    expect(Object.is(((await remote.call('echo', [-0])) as number[])[0], -0)).toBe(true);
    expect(await remote.call('order', [42])).toBe(42);
    expect(await remote.call('order', [null])).toBeNull();
    const alone = (await remote.call('order', [new Uint8Array([5, 6])])) as Uint8Array;
    expect([alone.constructor.name, ...alone]).toEqual(['Uint8Array', 5, 6]);
    // Holes and extra properties of an array are kept, as v8's form keeps them.
    // eslint-disable-next-line no-sparse-arrays -- the hole is the point
    const holey = (await remote.call('echo', [1, , 3])) as unknown[];
    expect([holey.length, 1 in holey, holey[2]]).toEqual([3, false, 3]);
    const noted = (await remote.call('echo', Object.assign([1, 2], { note: 'kept' }))) as unknown[] & { note?: string };
    expect(noted.note).toBe('kept');
    // Other typed arrays, mixed trees, and ops of any name go v8's way, unchanged.
    expect(await remote.call('echo', [new Int32Array([-1, 2]), 'x'])).toEqual([new Int32Array([-1, 2]), 'x']);
    const longOp = `é${'x'.repeat(300)}`;
    await expect(remote.call(longOp, [Buffer.from('a')])).rejects.toThrow(`unknown op ${longOp}`);
    await expect(remote.call('ünïcödé', [])).rejects.toThrow("unknown op ünïcödé");
    remote.close();
    ref.unserve();
  });

  it("a caller whose hello does not say it reads the compact form (an older @ipc/core) gets v8's form; one that says so gets the compact one", async () => {
    const obj = new Recorder();
    const ref = serve(obj);
    const frame = (message: unknown): Buffer => {
      const body = serialize(message);
      return Buffer.concat([frameHeader(body.length), body]);
    };
    for (const saysFast of [false, true]) {
      const sock = createConnection(ref.address);
      sock.on('error', () => undefined);
      const hello = saysFast ? [0, process.pid, 0, `compat-${String(saysFast)}`, true] : [0, process.pid, 0, `compat-${String(saysFast)}`];
      sock.write(Buffer.concat([frame(hello), frame([1, 1, ref.id, ref.token]), frame([2, 1, 1, 'echo', [Buffer.from('hi')]])]));
      const decoder = new FrameDecoder();
      let reply: Buffer | undefined;
      for await (const chunk of sock) {
        reply = decoder.push(chunk as Buffer)[0];
        if (reply !== undefined) break;
      }
      expect(reply![0]).toBe(saysFast ? 0xc6 : 0xff);
      if (!saysFast) expect((deserialize(reply!) as unknown[])[3]).toEqual([Buffer.from('hi')]);
      sock.destroy();
    }
    ref.unserve();
  });

  it('bad arguments fail at the call', async () => {
    expect(() => serve({} as Served)).toThrow(/call/);
    expect(() => connectRemote({ address: 1 } as unknown as ServedRef)).toThrow(/address, id, token/);
    const obj = new Recorder();
    const ref = serve(obj);
    const remote = connectRemote(plainRef(ref));
    await expect(remote.call('echo', [], { timeout: -1 })).rejects.toThrow(/timeout/);
    await expect(remote.call('echo', [() => 1])).rejects.toThrow(/args\[0\]/);
    // This heap's own object: async calls work, a blocking call would deadlock and says so.
    expect(await remote.call('echo', [7])).toEqual([7]);
    expect(() => remote.callSync('echo')).toThrow(StateError);
    remote.close();
    await expect(remote.call('echo')).rejects.toThrow(StateError);
    ref.unserve();
  });
});

describe('broker: the home going away', () => {
  it('a home process that dies fails pending and later calls with BrokerGoneError naming its address', async () => {
    const home = fork(homeScript, [], { stdio: 'inherit' });
    started.add(home);
    allPids.push(home.pid!);
    const [ref] = (await once(home, 'message', { signal: AbortSignal.timeout(10_000) })) as [ServedRef];
    const remote = connectRemote(ref);
    expect(await remote.call('echo', [1])).toEqual([1]);
    const pending = remote.call('hang');
    home.kill('SIGKILL');
    const err = (await pending.catch((e: unknown) => e)) as BrokerGoneError;
    expect(err).toBeInstanceOf(BrokerGoneError);
    expect(err.code).toBe('ERR_IPC_BROKER_GONE');
    expect(err.message).toContain(ref.address);
    await expect(remote.call('echo')).rejects.toBeInstanceOf(BrokerGoneError);
    expect(() => remote.callSync('echo')).toThrow(BrokerGoneError);
    // A SIGKILLed home cannot clean up after itself.
    rmSync(dirname(ref.address), { recursive: true, force: true });
  });

  it('callSync fails with BrokerGoneError when the home exits; an exiting home removes its socket', async () => {
    const home = fork(homeScript, [], { stdio: 'inherit' });
    started.add(home);
    allPids.push(home.pid!);
    const exited = once(home, 'exit');
    const [ref] = (await once(home, 'message', { signal: AbortSignal.timeout(10_000) })) as [ServedRef];
    expect(existsSync(ref.address)).toBe(true);
    const remote = connectRemote(ref);
    expect(() => remote.callSync('exitSoon', [100], { timeout: 10_000 })).toThrow(BrokerGoneError);
    await exited;
    expect(existsSync(dirname(ref.address))).toBe(false);
  });

  it('closeBroker(): a child waiting on the home fails with BrokerGoneError, and the home lets go of it', async () => {
    const obj = new Recorder();
    const ref = serve(obj);
    const child = startChild();
    const waiting = next<BrokerCaller>(obj, 'waiting');
    const answer = child.ask({ cmd: 'call', ref: plainRef(ref), op: 'wait' });
    const caller = await waiting;
    const gone = next<BrokerCaller>(obj, 'gone');
    closeBroker();
    const failed = await answer;
    expect(failed.errorClass).toBe('BrokerGoneError');
    expect((failed.value as BrokerGoneError).address).toBe(ref.address);
    expect(await gone).toEqual(caller);
    expect(isHeapAlive(caller.heapId)).toBe(false);
    expect(existsSync(ref.address)).toBe(false);
    // Later calls fail at once; a new serve() starts a new broker.
    expect((await child.ask({ cmd: 'call', ref: plainRef(ref), op: 'echo' })).errorClass).toBe('BrokerGoneError');
    const again = serve(obj);
    expect(again.address).not.toBe(ref.address);
    expect((await child.ask({ cmd: 'call', ref: plainRef(again), op: 'echo', args: [1] })).value).toEqual([1]);
    again.unserve();
  });
});
