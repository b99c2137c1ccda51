export { Queue, SimpleQueue, JoinableQueue } from './queue.js';
export { LocalQueue } from './local-queue.js';
export { Empty, Full } from './errors.js';
export type { QueueOptions, QueueWaitOptions, QueueWaitSyncOptions, JoinOptions } from './options.js';
