import { task } from '@ipc/core';

/** The tasks the benchmarks send to workers: as small as can be, so the figures measure @ipc, not the work. */
export const noop = task(import.meta.url, () => undefined);
export const inc = task(import.meta.url, (x: number) => x + 1);
