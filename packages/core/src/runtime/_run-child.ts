import { decode, encode } from '../codec.js';
import type { ContextKind } from '../handles.js';
import { Process } from '../process.js';
import type { ChildMessage, StartSpec } from './runner.js';
import { children, self } from './current.js';
import { runExitFlushers } from './exit-flush.js';

interface Payload {
  kind: 'instance' | 'target';
  self: Process | undefined;
  target: ((...args: unknown[]) => unknown) | undefined;
  args: unknown[];
  kwargs: Record<string, unknown> | undefined;
}

/**
 * The child's side, for either backend: rebuild the process object, run it,
 * send back its result (or its error, whose stack is printed on stderr as
 * Python prints the traceback), and give the exit code.
 */
export async function runChild(spec: StartSpec, kind: ContextKind, send: (msg: ChildMessage) => void): Promise<number> {
  self.name = spec.name;
  self.daemon = spec.daemon;
  self.isMain = false;
  self.parent = spec.parent;
  self.identity = spec.identity;
  let proc: Process;
  try {
    const payload = (await decode(spec.self, kind)) as Payload;
    proc = payload.kind === 'instance' && payload.self !== undefined ? payload.self : (Object.create(Process.prototype) as Process);
    Process._adopt(proc, { name: spec.name, daemon: spec.daemon, target: payload.target, args: payload.args, kwargs: payload.kwargs, context: kind });
    self.process = proc;
  } catch (err) {
    return fail(kind, err, send);
  }
  let failed: number | undefined;
  try {
    const value: unknown = await proc.run();
    await runExitFlushers();
    let tree: unknown;
    try {
      tree = encode(value, kind, 'result').tree;
    } catch (err) {
      failed = fail(kind, err, send);
    }
    if (failed === undefined) send({ type: 'result', value: tree });
  } catch (err) {
    await runExitFlushers();
    failed = fail(kind, err, send);
  }
  // Whether run() returned or threw: Python's child waits for its non-daemon children either way
  // (_bootstrap's `finally`, then util._exit_function), so an error does not cut them short.
  await joinNonDaemonChildren();
  return failed ?? codeOnReturn();
}

/**
 * The exit code of a child whose run() returned: 0, or the `process.exitCode` it set — Node's way
 * to end with a code without cutting the program short (Python's `sys.exit(n)` is `process.exit(n)`).
 */
function codeOnReturn(): number {
  const code = Number(process.exitCode ?? 0);
  return Number.isInteger(code) ? code : 0;
}

/** Python's child waits for its own non-daemon children before it exits (`util._exit_function`). */
async function joinNonDaemonChildren(): Promise<void> {
  for (;;) {
    const left = [...children].filter((c) => c.isAlive() && !(c as unknown as Process).daemon) as unknown as Process[];
    if (left.length === 0) return;
    await Promise.all(left.map((c) => c.join()));
  }
}

function fail(kind: ContextKind, err: unknown, send: (msg: ChildMessage) => void): number {
  const text = err instanceof Error ? (err.stack ?? String(err)) : String(err);
  // Its name now, as Python's `self.name`: run() may have renamed it.
  process.stderr.write(`Process ${self.name}:\n${text}\n`);
  try {
    send({ type: 'error', error: encode(err, kind, 'error').tree });
  } catch {
    send({ type: 'error', error: encode(new Error(String(err)), kind, 'error').tree });
  }
  return 1;
}
