export { BrokenPoolError, CancelledError, InvalidStateError } from './errors.js';
