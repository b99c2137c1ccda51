export { BrokenBarrierError, AbandonedLockError } from './errors.js';
