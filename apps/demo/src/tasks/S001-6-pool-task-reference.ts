import { task } from '@ipc/core';

/**
 * The document's advice — "a static method, not a bound method" — in @ipc's
 * terms: a pool task is a module's export registered with `task()`, which any
 * worker can find by its module and place.
 */
export class ProcessTest {
  static workWithPool = task(import.meta.url, (num: number) => num + 10);

  /** A method of an instance: it exists only in this heap, so no worker could find it. */
  bound(num: number): number {
    return num + 10;
  }
}
