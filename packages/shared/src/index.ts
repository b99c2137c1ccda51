export { RemoteError } from './errors.js';
