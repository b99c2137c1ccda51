import type { ChildProcess } from 'node:child_process';
import { nodeChildProcess } from '../_builtins.js';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, ChildRunner, ExitInfo, StartSpec } from './runner.js';
import { removeSocketDirOf } from '../broker/_socket-path.js';

const CHILD_PATH = fileURLToPath(new URL('./child.js', import.meta.url));

/** A child in a forked Node process, talking over the IPC channel with v8's serialization. */
export class ForkRunner implements ChildRunner {
  readonly kind = 'process' as const;
  readonly threadId = 0;
  private readonly child: ChildProcess;
  private exited = false;

  constructor(spec: StartSpec) {
    // execArgv defaults to this process's, so loaders work in the child too.
    this.child = nodeChildProcess().fork(CHILD_PATH, [], { serialization: 'advanced', stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
    this.child.once('exit', () => (this.exited = true));
    // A child ended by a signal never ran its exit handler: its broker's directory is left to us.
    this.child.once('close', () => {
      if (this.child.pid !== undefined) removeSocketDirOf(this.child.pid);
    });
    this.child.on('error', () => undefined);
    this.child.send({ type: 'start', spec });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  onMessage(listener: (msg: ChildMessage) => void): void {
    this.child.on('message', (msg) => listener(msg as ChildMessage));
  }

  onExit(listener: (info: ExitInfo) => void): void {
    // 'close', not 'exit': messages sent just before exiting may still be in flight at 'exit'.
    this.child.once('close', (code, signal) => listener({ code, signal }));
  }

  signal(sig: 'SIGTERM' | 'SIGKILL'): void {
    if (!this.exited) this.child.kill(sig);
  }

  setRef(ref: boolean): void {
    const channel = this.child.channel as { ref?: () => void; unref?: () => void } | null | undefined;
    if (ref) {
      this.child.ref();
      channel?.ref?.();
    } else {
      this.child.unref();
      channel?.unref?.();
    }
  }
}
