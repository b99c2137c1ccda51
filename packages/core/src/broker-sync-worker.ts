import { workerData } from 'node:worker_threads';
import { _serveSyncBridge as serveSyncBridge, type _SyncBridgeData as SyncBridgeData } from './index.js';

// The entry of the helper thread of RemoteObject.callSync: a separate build entry that imports the built index.
serveSyncBridge(workerData as SyncBridgeData);
