export { SubprocessError } from './errors.js';
