// On globalThis, so the ESM and CommonJS copies of this package in one heap agree.
const KEY = Symbol.for('@ipc/pool.runningSignal');
const store = globalThis as unknown as Record<symbol, (() => AbortSignal) | undefined>;

/**
 * Inside a task run by a pool: the AbortSignal of the running task, aborted
 * when the caller's `signal` aborts or its `timeout` passes. A task that
 * ignores it is stopped by replacing its worker after a grace period.
 * Outside a pool task: a signal that never aborts.
 */
export function taskSignal(): AbortSignal {
  return store[KEY]?.() ?? new AbortController().signal;
}

/**
 * @internal The running task's signal, made only if the task asks for it
 * (an AbortController per tiny task is a measurable cost).
 */
export function setRunningSignal(provider: (() => AbortSignal) | undefined): void {
  store[KEY] = provider;
}
