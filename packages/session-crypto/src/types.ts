/**
 * The storage contract of SessionLayer: an async key/value store of strings. Every backend
 * (memory, Web Storage, cookie, encrypted IndexedDB, encrypted middleware) implements it.
 * Operations may reject (quota, unavailable storage); they never throw synchronously.
 * @public
 */
export interface SessionStorage {
  /** The stored value, or null when absent. */
  getItem(key: string): Promise<string | null>
  /** Stores `value` under `key`. */
  setItem(key: string, value: string): Promise<void>
  /** Removes `key` (no-op when absent). */
  removeItem(key: string): Promise<void>
}

/**
 * An account as persisted in the session envelope: the CIP-0103 account fields that describe
 * the party, nothing else (no tokens, no topology transactions).
 * @public
 */
export interface PersistedAccount {
  /** The party id (`hint::fingerprint`). */
  readonly partyId: string
  /** Whether the wallet flags this account as primary. */
  readonly primary?: boolean
  /** The wallet's account status (`initializing`, `initialized`, `allocated`, `removed`, …). */
  readonly status?: string
  /** The party hint. */
  readonly hint?: string
  /** The public key. */
  readonly publicKey?: string
  /** The namespace. */
  readonly namespace?: string
  /** The CAIP-2 network id of the account. */
  readonly networkId?: string
  /** The signing provider id. */
  readonly signingProviderId?: string
  /** Whether the account is disabled. */
  readonly disabled?: boolean
  /** Why the account is disabled. */
  readonly reason?: string
}

/**
 * What the store persists about a connected session.
 * @public
 */
export interface SessionSnapshot {
  /** The active account (primary, else first), or null. */
  readonly account: PersistedAccount | null
  /** Every account the wallet exposed. */
  readonly accounts: readonly PersistedAccount[]
  /** The CAIP-2 network id, or null. */
  readonly networkId: string | null
  /** When the session became connected (ms since epoch). */
  readonly connectedAt: number
  /** When the session expires (ms since epoch), when a TTL applies. */
  readonly expiresAt?: number
}

/**
 * A decoded session envelope of the current version.
 * @public
 */
export interface SessionEnvelope extends SessionSnapshot {
  /** The envelope format version. */
  readonly version: 1
}
