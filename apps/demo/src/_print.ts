import { writeSync } from 'node:fs';
import { format } from 'node:util';

/**
 * `print()` for code that runs in workers and children. Straight to fd 1: a
 * worker thread's console.log is relayed by the main thread later, out of
 * order with the parent's lines.
 */
export function print(...parts: unknown[]): void {
  writeSync(1, `${format(...parts)}\n`);
}
