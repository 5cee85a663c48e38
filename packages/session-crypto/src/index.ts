/**
 * Session envelope and encryption at rest for SessionLayer.
 *
 * @packageDocumentation
 */

export { createEncryptedIndexedDBStorage, type CreateEncryptedIndexedDBStorageOptions } from './createEncryptedIndexedDBStorage'
export { createEncryptedLocalStorage, type CreateEncryptedLocalStorageOptions } from './createEncryptedLocalStorage'
export { createEncryptedStorage, type CreateEncryptedStorageOptions } from './createEncryptedStorage'
export { decodeSessionEnvelope } from './decodeSessionEnvelope'
export { encodeSessionEnvelope } from './encodeSessionEnvelope'
export type { EncryptionOptions } from './createEncryptedStorage'
export { migrateSessionEnvelope } from './migrateSessionEnvelope'
export { reconcileSession, type LiveSession, type SessionDiff, type SessionReconciliation } from './reconcileSession'
export { restoreSession } from './restoreSession'
export { toPersistedAccount } from './toPersistedAccount'
export { CURRENT_SESSION_ENVELOPE_VERSION } from './toSessionEnvelope'
export type {
  AesGcmParamsLike,
  CryptoKeyLike,
  IndexedDBFactoryLike,
  PersistedAccount,
  SessionEnvelope,
  SessionSnapshot,
  SessionStorage,
  SubtleCryptoLike,
  WebCryptoLike,
  WebStorageLike,
} from './types'
