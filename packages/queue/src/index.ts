export { Empty, Full } from './errors.js';
