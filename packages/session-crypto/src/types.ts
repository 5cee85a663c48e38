/**
 * The storage contract of SessionLayer: an async key/value store of strings. Every backend
 * (memory, Web Storage, cookie, encrypted IndexedDB, encrypted middleware) implements it.
 * Operations may reject (quota, unavailable storage); they never throw synchronously.
 * @public
 */
export interface SessionStorage {
  /** The stored value, or null when absent. */
  getItem(key: string): Promise<string | null>
  /**
   * Stores `value` under `key`. It may resolve with anything (localforage's resolves with the
   * value): only its settling counts, what it resolves with is ignored.
   */
  setItem(key: string, value: string): Promise<unknown>
  /** Removes `key` (no-op when absent). It may resolve with anything, which is ignored. */
  removeItem(key: string): Promise<unknown>
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

/**
 * Web Storage as the storages use it: `localStorage`, `sessionStorage`, or any synchronous
 * string store with the same three methods (an in-memory one on a server). Declared here rather
 * than as the DOM's `Storage` so that these types compile without the DOM lib.
 * @public
 */
export interface WebStorageLike {
  /** The value stored under `key`, or null when absent. */
  getItem(key: string): string | null
  /** Stores `value` under `key`; may throw (quota, privacy settings). */
  setItem(key: string, value: string): void
  /** Removes `key` (no-op when absent). */
  removeItem(key: string): void
}

/**
 * An IndexedDB factory: `globalThis.indexedDB` in browsers, or fake-indexeddb's `indexedDB` (or
 * a `new IDBFactory()` of it) in Node. Declared here rather than as the DOM's `IDBFactory` so
 * that these types compile without the DOM lib; only the factory's own methods are spelled out,
 * and the storages use the full IndexedDB API of the databases it opens.
 * @public
 */
export interface IndexedDBFactoryLike {
  /** Opens a database (`IDBFactory.open`), returning its open request. */
  open(name: string, version?: number): object
  /** Deletes a database (`IDBFactory.deleteDatabase`), returning its request. */
  deleteDatabase(name: string): object
  /** Compares two IndexedDB keys (`IDBFactory.cmp`). */
  cmp(first: unknown, second: unknown): number
}

/**
 * An AES key as WebCrypto hands it out: a `CryptoKey` from `crypto.subtle.generateKey` or
 * `importKey`, in browsers and in Node. Declared here rather than as the DOM's `CryptoKey` so
 * that these types compile without the DOM lib.
 * @public
 */
export interface CryptoKeyLike {
  /** `'secret'` for an AES key. */
  readonly type: 'secret' | 'private' | 'public'
  /** Whether the key material can be exported; the storages generate non-extractable keys. */
  readonly extractable: boolean
  /** The algorithm the key is for (`AES-GCM`). */
  readonly algorithm: { readonly name: string }
  /** What the key may be used for (`encrypt`, `decrypt`). */
  readonly usages: readonly string[]
}

/**
 * The AES-GCM parameters the encrypted storages pass to {@link SubtleCryptoLike.encrypt} and
 * {@link SubtleCryptoLike.decrypt}.
 * @public
 */
export interface AesGcmParamsLike {
  /** `'AES-GCM'`. */
  readonly name: 'AES-GCM'
  /** The 12-byte initialization vector. */
  readonly iv: ArrayBuffer | ArrayBufferView
  /** The data authenticated with the ciphertext (its origin and storage key). */
  readonly additionalData?: ArrayBuffer | ArrayBufferView
}

/**
 * The part of WebCrypto's `SubtleCrypto` the encrypted storages use: AES-GCM-256 key
 * generation, encryption and decryption. `crypto.subtle` satisfies it in browsers and in Node.
 * @public
 */
export interface SubtleCryptoLike {
  /**
   * Generates an AES-GCM-256 key.
   * @param algorithm - `{ name: 'AES-GCM', length: 256 }`
   * @param extractable - whether the key may be exported (the storages ask for `false`)
   * @param keyUsages - `['encrypt', 'decrypt']`
   * @returns the key
   */
  generateKey(
    algorithm: { readonly name: 'AES-GCM'; readonly length: 256 },
    extractable: boolean,
    keyUsages: readonly ('encrypt' | 'decrypt')[],
  ): Promise<CryptoKeyLike>
  /**
   * Encrypts with AES-GCM.
   * @param algorithm - the IV and additional data
   * @param key - the AES key
   * @param data - the plaintext
   * @returns the ciphertext followed by the authentication tag
   */
  encrypt(algorithm: AesGcmParamsLike, key: CryptoKeyLike, data: ArrayBuffer | ArrayBufferView): Promise<ArrayBuffer>
  /**
   * Decrypts with AES-GCM; rejects when the ciphertext or its additional data do not authenticate.
   * @param algorithm - the IV and additional data
   * @param key - the AES key
   * @param data - the ciphertext followed by the authentication tag
   * @returns the plaintext
   */
  decrypt(algorithm: AesGcmParamsLike, key: CryptoKeyLike, data: ArrayBuffer | ArrayBufferView): Promise<ArrayBuffer>
}

/**
 * The WebCrypto implementation the encrypted storages use: `globalThis.crypto` in browsers and
 * in Node 18 and later, or `webcrypto` from `node:crypto`. Declared here rather than as the DOM's
 * `Crypto` so that these types compile without the DOM lib.
 * @public
 */
export interface WebCryptoLike {
  /** AES-GCM key generation, encryption and decryption. */
  readonly subtle: SubtleCryptoLike
  /**
   * Fills a byte array with cryptographically strong random values (the IVs).
   * @param array - the array to fill, over an `ArrayBuffer` (WebCrypto refuses shared memory)
   * @returns the same array
   */
  getRandomValues<T extends Uint8Array & { readonly buffer: ArrayBuffer }>(array: T): T
}
