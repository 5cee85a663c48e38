/**
 * The framework-agnostic session store for CIP-0103 wallets.
 *
 * @packageDocumentation
 */
export { createSessionStore } from './createSessionStore'
export { DISCONNECTED_STATE, RECONNECTING_STATE } from './machine'
export { DEFAULT_RETRY_POLICY, computeBackoffDelay } from './retry'
export type { RetryPolicy } from './retry'
export { SessionError, toSessionError } from './SessionError'
export type { SessionErrorCode } from './SessionError'
export { createMemoryStorage } from './createMemoryStorage'
export { readSessionState } from './readSessionState'
export { SESSION_QUERY_KEY_ROOT, sessionQueryKey } from './sessionQueryKey'
export type { SessionKeySource } from './sessionQueryKey'
export type {
  BroadcastOptions,
  ChangeEvent,
  ChangeSource,
  Clock,
  ExpiryOptions,
  InvalidateEvent,
  ReauthEvent,
  SessionEventMap,
  SessionEventType,
  SessionState,
  SessionStatus,
  SessionStore,
  SessionStoreOptions,
} from './types'
export type {
  CIP0103Account,
  CIP0103ConnectResult,
  CIP0103Network,
  CIP0103ProviderInfo,
  CIP0103RequestArgs,
  CIP0103Session,
  CIP0103StatusEvent,
  CIP0103Provider,
} from './cip0103'
export type { SessionStorage, WebStorageLike } from '@sessionlayer/session-crypto'
export type { ChannelFactory, LockManagerLike } from '@sessionlayer/session-sync'
export { createWebStorage } from './createWebStorage'
export { createCookieStorage } from './createCookieStorage'
export type { CookieAdapter, CookieStorageOptions } from './createCookieStorage'
