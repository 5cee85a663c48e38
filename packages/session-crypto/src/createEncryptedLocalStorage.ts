import { encryptStorage, type BaseStorage, type EncryptionOptions } from './createEncryptedStorage'
import { type Globals, unavailable } from './environment'
import { openSessionDatabase } from './openSessionDatabase'
import type { IndexedDBFactoryLike, SessionStorage, WebStorageLike } from './types'

/**
 * Options of {@link createEncryptedLocalStorage}.
 * @public
 */
export interface CreateEncryptedLocalStorageOptions extends EncryptionOptions {
  /** The Web Storage holding the ciphertexts. Default: `globalThis.localStorage`, read at each operation. */
  localStorage?: WebStorageLike | undefined
  /** The IndexedDB factory holding the key. Default: `globalThis.indexedDB`, read at the first operation. */
  indexedDB?: IndexedDBFactoryLike | undefined
}

/**
 * A `SessionStorage` whose AES-GCM-256 ciphertexts live in `localStorage` under
 * `sessionlayer::<origin>::<key>`, while the non-extractable key stays in IndexedDB (database
 * `sessionlayer::<origin>`, store `keys`) — never in `localStorage` (SPEC K4). Same guarantees
 * as {@link createEncryptedIndexedDBStorage}; a missing or throwing `localStorage` (SSR, quota,
 * privacy settings) rejects the operation with a clear error.
 *
 * @param options - origin, Web Storage, IndexedDB factory and WebCrypto overrides
 * @returns the storage
 * @public
 */
export function createEncryptedLocalStorage(options: CreateEncryptedLocalStorageOptions = {}): SessionStorage {
  return encryptStorage(options, async (crypto, origin) => {
    const [db, key] = await openSessionDatabase(() => options.indexedDB ?? (globalThis as Globals).indexedDB, origin, crypto)
    const run = <T>(k: string, task: (storage: WebStorageLike, name: string) => T) =>
      new Promise<T>((resolve) => {
        const storage = options.localStorage ?? (globalThis as Globals).localStorage
        if (!storage) throw new TypeError('no localStorage here')
        resolve(task(storage, `sessionlayer::${origin}::${k}`))
      }).catch((error: unknown) => {
        throw unavailable('localStorage', error)
      })
    const base: BaseStorage = {
      getItem: (k) => run(k, (s, name) => s.getItem(name)),
      // Only while the key it was encrypted under is still the one in the database. Another tab may
      // have deleted the database (the key with it) while this tab encrypted: its connection was then
      // closed (versionchange) and refuses a transaction, and the write runs again under the key now
      // current instead of leaving a value no key reads (K6). Checked in the write's own task, so no
      // deletion completes in between; a connection lost without a word (WebKit) is dropped too.
      setItem: (k, value) => {
        try {
          db.transaction('keys')
        } catch (error) {
          ;(db.onclose as (() => void) | null)?.()
          return Promise.reject(Object.assign(unavailable('IndexedDB', error), { closed: true }))
        }
        return run(k, (s, name) => s.setItem(name, value))
      },
      // With `blob`, only that blob: checked and removed in one step, so a write another tab made
      // after this tab read the blob is not lost (K6).
      removeItem: (k, blob) =>
        run(k, (s, name) => {
          if (blob === undefined || s.getItem(name) === blob) s.removeItem(name)
        }),
    }
    return [base, key]
  })
}
