import type { Process } from '@ipc/core';

/**
 * `await p.join()` that fails the scenario when the child failed: join()
 * resolves undefined then (as Python's does), and the demo must not call a
 * scenario whose child crashed a success.
 */
export async function joinOk<R>(p: Process<unknown[], R>): Promise<Awaited<R>> {
  const result = await p.join();
  if (p.exitCode !== 0) {
    throw new Error(`${p.name} ended with exit code ${String(p.exitCode)}`, { cause: p.error });
  }
  return result as Awaited<R>;
}
