import { task } from '@ipc/core';
import { print } from '../_print.js';

/** The document's `task(name)`. */
export const nameTask = task(import.meta.url, (name: number) => {
  print(`My name is ${name}`);
  return name;
});
