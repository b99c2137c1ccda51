export { AuthenticationError } from './errors.js';
