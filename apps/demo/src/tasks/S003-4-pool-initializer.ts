import { currentProcess, task } from '@ipc/core';
import { print } from '../_print.js';

let greeting: string | undefined;

/** Runs once in each worker as it starts (Pool's `initializer`), with `initargs`. */
export const initWorker = task(import.meta.url, (text: string) => {
  greeting = text;
  print(`initializer(${text}) in ${currentProcess().name}`);
});

/** Uses what the initializer left in its worker. */
export const greet = task(import.meta.url, (name: string) => `${greeting ?? '(no initializer ran)'}, ${name}`);
