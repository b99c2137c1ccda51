
/**
 * The broker's messages: one v8-serialized array per frame, its first item
 * the kind. Values (args, results, errors) travel as codec trees, already
 * encoded for the 'process' target.
 */
export const HELLO = 0; // client → home: [HELLO, pid, threadId, callerKey, readsFastForm?]
export const AUTH = 1; // client → home: [AUTH, handle, objectId, token] — handle: the connection's number for this (object, token)
export const CALL = 2; // client → home: [CALL, callId, handle, op, argsTree]
export const CANCEL = 3; // client → home: [CANCEL, callId, why]
export const ACK = 4; // client → home: [ACK, callIds] — replies received
export const NACK = 5; // client → home: [NACK, callIds] — replies refused (their call was cancelled)
export const REPLY = 6; // home → client: [REPLY, callId, ok, tree, needsAck]

/** Why a caller cancelled a call; the home's signal aborts with a matching reason. */
export type CancelWhy = 'timeout' | 'abort';

export type ClientMessage =
  | [typeof HELLO, number, number, string, (boolean | undefined)?]
  | [typeof AUTH, number, string, string]
  | [typeof CALL, number, number, string, unknown]
  | [typeof CANCEL, number, CancelWhy]
  | [typeof ACK | typeof NACK, number[]];

export type ReplyMessage = [typeof REPLY, number, boolean, unknown, boolean];
