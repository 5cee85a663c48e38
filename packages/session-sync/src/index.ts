/**
 * Origin-bound multi-tab channel and cross-tab single-flight for SessionLayer.
 *
 * @packageDocumentation
 */

export { createTabLock, getWebLocks, type RunExclusiveOptions, type TabLock, type TabLockOptions, type TryRunResult } from './createTabLock'
export { openSyncChannel, type SyncChannel, type SyncChannelOptions } from './openSyncChannel'
export { syncChannelName } from './syncChannelName'
export type { BroadcastChannelLike, ChannelFactory, LockManagerLike, SyncMessage } from './types'
