export { Queue, SimpleQueue, JoinableQueue } from './queue.js';
export { LocalQueue } from './local-queue.js';
export { Empty, Full, ShutDown } from './errors.js';
export type { QueueOptions, QueueWaitOptions, QueueWaitSyncOptions, JoinOptions, ShutdownOptions } from './options.js';
