import { task } from '@ipc/core';

/** The document's `f(x)`. */
export const f = task(import.meta.url, (x: number) => x * x);
