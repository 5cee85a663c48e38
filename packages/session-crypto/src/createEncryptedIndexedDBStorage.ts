import { encryptStorage, type BaseStorage, type EncryptionOptions } from './createEncryptedStorage'
import type { Globals } from './environment'
import { openSessionDatabase, transact } from './openSessionDatabase'
import type { IndexedDBFactoryLike, SessionStorage } from './types'

/**
 * Options of {@link createEncryptedIndexedDBStorage}.
 * @public
 */
export interface CreateEncryptedIndexedDBStorageOptions extends EncryptionOptions {
  /** The IndexedDB factory. Default: `globalThis.indexedDB`, read at the first operation. */
  indexedDB?: IndexedDBFactoryLike | undefined
}

/**
 * The default `SessionStorage` of the store (SPEC K4). Values are AES-GCM-256 ciphertexts in the
 * `blobs` store of the IndexedDB database `sessionlayer::<origin>`.
 *
 * @remarks
 *
 * The key is generated non-extractable on first use and kept in the same database's `keys` store,
 * never exported. A record there that is no such key (corrupt, extractable, of another algorithm)
 * is replaced.
 *
 * Unreadable ciphertexts read as null and are removed (K5). Concurrent first writes share one key
 * (K6).
 *
 * A missing or failing IndexedDB or WebCrypto rejects the operation with a clear error. Nothing
 * throws synchronously, not even in Node (K7).
 *
 * @param options - origin, IndexedDB factory and WebCrypto overrides
 * @returns the storage
 * @example
 * ```ts
 * const storage = createEncryptedIndexedDBStorage()
 * await storage.setItem('sessionlayer.session', encodeSessionEnvelope(snapshot))
 * const session = await restoreSession(storage, 'sessionlayer.session')
 * ```
 * @public
 */
export function createEncryptedIndexedDBStorage(options: CreateEncryptedIndexedDBStorageOptions = {}): SessionStorage {
  return encryptStorage(options, async (crypto, origin) => {
    const [db, key] = await openSessionDatabase(() => options.indexedDB ?? (globalThis as Globals).indexedDB, origin, crypto)
    const blobs = <T>(mode: IDBTransactionMode, request: (store: IDBObjectStore) => IDBRequest<T>) =>
      transact(db, 'blobs', mode, request)
    // absent → null; a foreign record that is not a string reads as corrupt, and is removed
    const read = (blob: unknown) => (blob === undefined ? null : typeof blob === 'string' ? blob : '')
    const base: BaseStorage = {
      getItem: (k) => blobs('readonly', (s) => s.get(k) as IDBRequest<unknown>).then(read),
      setItem: (k, value) => blobs('readwrite', (s) => s.put(value, k)),
      // With `blob`, only that blob: checked in the removal's own transaction, so a write another
      // tab queued after this tab read the blob again is not lost (K6). Without, whatever is there:
      // an entry another tab removed first is not removed again.
      removeItem: (k, blob) =>
        blobs('readwrite', (s) => {
          const req = s.get(k) as IDBRequest<unknown>
          req.onsuccess = () => (blob === undefined ? req.result !== undefined : read(req.result) === blob) && s.delete(k)
          return req
        }),
    }
    return [base, key]
  })
}
