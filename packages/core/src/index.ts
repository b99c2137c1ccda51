export { IpcError, StateError, SerializationError, TaskReferenceError, EOFError, TimeoutError, WorkerCrashedError, ArgumentError, ModuleNotLoadedError } from './errors.js';
export type { IpcErrorOptions } from './errors.js';
export { task, taskRefOf, requireTaskRef, loadTask } from './task.js';
export type { TaskRef } from './task.js';
export { registerHandle, reduceHandle, notSendable, isReducible, rebuildHandle, rebuildHandleSync } from './handles.js';
export type { ContextKind, ReduceContext, HandleDescriptor, Reducible, Rebuild } from './handles.js';
export { registerErrorClass } from './error-codec.js';
export { encode, decode, decodeSync, decodeLoaded, NOT_LOADED, serialize, deserialize } from './codec.js';
export type { Encoded } from './codec.js';
export { encodePlain, decodePlain } from './plain-codec.js';
export { frameHeader, FrameDecoder, FrameTooLargeError, LARGE_FRAME, DEFAULT_MAX_FRAME } from './framing.js';
export { heapId, heapDeaths, isHeapAlive, markHeapDead, heapDataForWorker, claimHeapId, REGISTRY_KEY, HEAP_ID_KEY } from './heap-registry.js';
export { Process, Thread, cpuCount } from './process.js';
export type { ProcessOptions, ProcessResult } from './process.js';
export { currentProcess, parentProcess, activeChildren, isMainProcess, adoptIdentity } from './current-process.js';
export type { ProcessInfo, ParentProcess } from './current-process.js';
export { Sentinel } from './sentinel.js';
export { getContext } from './context.js';
export type { Context } from './context.js';
export { StreamChannel } from './stream-channel.js';
export type { StreamChannelOptions, CloseReason } from './stream-channel.js';
export { serve, servedHere, brokerAddress, closeBroker, connectRemote, acknowledged, BrokerGoneError, UnreachableError, type BrokerCaller, type Served, type ServedRef, type Serving, type RemoteObject, type RemoteCallOptions, type Acknowledged } from './broker/index.js';
export { waitWord, waitWordSync, wakeWord, checkTimeout, passedTimeout } from './shm/atomic-wait.js';
export { armTimeout, untilOr } from './_timers.js';
export type { WaitResult, WaitOptions } from './shm/atomic-wait.js';
export { RobustMutex, LIVENESS_CHECK_MS } from './shm/robust-mutex.js';
export type { Acquired } from './shm/robust-mutex.js';
export { SharedRing, RingBrokenError, DEFAULT_RING_CAPACITY, isMarkedMessage } from './shm/shared-ring.js';
export type { RingRead, RingReadOptions, RingWrite, RingWaitOptions } from './shm/shared-ring.js';
export { runSync as runSyncSteps, runAsync as runAsyncSteps, deadline as stepsDeadline } from './shm/steps.js';
export type { Steps, WaitStep } from './shm/steps.js';
export { flushBeforeExit, hasPendingWrites, runExitFlushers as flushPendingWrites } from './runtime/exit-flush.js';
export { WriteWindow } from './runtime/write-window.js';

// For the build's own entries (worker.js, child.js, broker-sync-worker.js), which import the built
// index rather than bundling a copy of it: not part of the public API.
/** @internal */
export { runChild as _runChild } from './runtime/_run-child.js';
export { removeSocketDirOf as _removeSocketDirOf, processSocketDir as _processSocketDir } from './broker/_socket-path.js';
/** @internal */
export type { StartSpec as _StartSpec } from './runtime/runner.js';
/** @internal */
export { serveSyncBridge as _serveSyncBridge, type SyncBridgeData as _SyncBridgeData } from './broker/_sync-worker.js';
