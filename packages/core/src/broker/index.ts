export { serve, servedHere, brokerAddress, closeBroker } from './server.js';
export type { BrokerCaller, Served, ServedRef, Serving } from './server.js';
export { connectRemote } from './remote.js';
export type { RemoteObject, RemoteCallOptions } from './remote.js';
export { acknowledged } from './acknowledged.js';
export type { Acknowledged } from './acknowledged.js';
export { BrokerGoneError, UnreachableError } from './errors.js';
