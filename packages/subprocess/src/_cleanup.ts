import { isMainThread } from 'node:worker_threads';

/** What the registry needs of a live child. */
export interface Killable {
  signalForCleanup(sig: NodeJS.Signals): void;
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const live = new Set<Killable>();
let installed = false;
let idle: NodeJS.Timeout | undefined;
// Signal handlers cost a system call each way: kept a moment after the last child, so back-to-back runs reuse them.
const LINGER_MS = 1000;

// The parent is going: nothing can wait any more, so no grace.
function onExit(): void {
  for (const k of live) k.signalForCleanup('SIGKILL');
  live.clear();
}

// Pass the signal on to the children, then let it do what it would have done without us.
function onSignal(sig: NodeJS.Signals): void {
  for (const k of live) k.signalForCleanup(sig);
  live.clear();
  const alone = process.listenerCount(sig) === 1;
  uninstall();
  if (alone) process.kill(process.pid, sig);
}

function install(): void {
  clearTimeout(idle);
  if (installed) return;
  installed = true;
  process.on('exit', onExit);
  if (isMainThread) for (const s of SIGNALS) process.on(s, onSignal);
}

function uninstall(): void {
  clearTimeout(idle);
  if (!installed) return;
  installed = false;
  process.off('exit', onExit);
  if (isMainThread) for (const s of SIGNALS) process.off(s, onSignal);
}

/** Kill this child if the parent exits first. Handlers are installed only while such children live (and a moment after). */
export function track(k: Killable): void {
  install();
  live.add(k);
}

export function untrack(k: Killable): void {
  if (live.delete(k) && live.size === 0) {
    clearTimeout(idle);
    idle = setTimeout(uninstall, LINGER_MS).unref();
  }
}
