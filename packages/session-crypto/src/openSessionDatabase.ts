import { unavailable } from './environment'
import type { CryptoKeyLike, IndexedDBFactoryLike, WebCryptoLike } from './types'

/** An open session database and the origin's AES key. @internal */
export type SessionDatabase = readonly [IDBDatabase, CryptoKeyLike]

/** One connection (and key) per IndexedDB factory and origin, shared by every storage instance. */
const connections = new WeakMap<IndexedDBFactoryLike, Map<string, Promise<SessionDatabase>>>()

/** A promise over IndexedDB callbacks; any failure becomes "IndexedDB is unavailable" (K7). */
const idb = <T>(run: (resolve: (value: T) => void, reject: (reason: unknown) => void) => void): Promise<T> =>
  new Promise(run).catch((error: unknown) => {
    throw unavailable('IndexedDB', error)
  })

/**
 * Runs one request in its own transaction and resolves with its result once the transaction
 * has committed (so a write that aborts later, e.g. on quota, rejects).
 *
 * @param db - the database
 * @param store - the object store
 * @param mode - the transaction mode
 * @param request - issues the request
 * @returns the request's result
 * @internal
 */
export const transact = <T>(
  db: IDBDatabase,
  store: 'keys' | 'blobs',
  mode: IDBTransactionMode,
  request: (store: IDBObjectStore) => IDBRequest<T>,
): Promise<T> =>
  idb<T>((resolve, reject) => {
    const tx = db.transaction(store, mode)
    const req = request(tx.objectStore(store))
    tx.oncomplete = () => resolve(req.result)
    tx.onabort = () => reject(tx.error)
  }).catch((error: unknown): never => {
    // `transaction` on a connection closed meanwhile (another tab upgraded or deleted the
    // database) throws InvalidStateError: the error says so, and the operation may run again.
    throw Object.assign(error as Error, { closed: ((error as Error).cause as { name?: unknown } | undefined)?.name === 'InvalidStateError' })
  })

/**
 * Opens, once per factory and origin, the database `sessionlayer::<origin>` (stores `keys` and
 * `blobs`) and gets or creates the origin's non-extractable AES-GCM-256 key — race-free: a
 * candidate is generated, then one readwrite transaction reads the key record and adds the
 * candidate only if there is none, so concurrent first writes in this tab or another all use
 * the one stored key (SPEC K6). A failed open, or a connection closed by the browser or by
 * another tab's upgrade or deletion (`close`, `versionchange`), is forgotten and reopened on
 * next use.
 *
 * @param getFactory - reads the IndexedDB factory (reading `indexedDB` throws where storage is denied)
 * @param origin - the origin
 * @param crypto - the WebCrypto implementation
 * @returns the database and key
 * @internal
 */
export async function openSessionDatabase(
  getFactory: () => IndexedDBFactoryLike | undefined,
  origin: string,
  crypto: WebCryptoLike,
): Promise<SessionDatabase> {
  const factory = await idb<IndexedDBFactoryLike | undefined>((resolve) => {
    resolve(getFactory())
  })
  if (!factory) throw unavailable('IndexedDB')
  const open = connections.get(factory) ?? new Map<string, Promise<SessionDatabase>>()
  connections.set(factory, open)
  let connection = open.get(origin)
  if (connection) return connection
  const forget = () => open.get(origin) === connection && open.delete(origin)
  connection = idb<IDBDatabase>((resolve, reject) => {
    // the public type names only the factory's methods; what it opens is IndexedDB
    const req = (factory as IDBFactory).open(`sessionlayer::${origin}`)
    req.onupgradeneeded = () => {
      req.result.createObjectStore('keys')
      req.result.createObjectStore('blobs')
    }
    req.onsuccess = () => {
      const db = req.result
      db.onclose = db.onversionchange = () => {
        db.close()
        forget()
      }
      resolve(db)
    }
    req.onerror = () => reject(req.error)
    req.onblocked = reject
  }).then(async (db): Promise<SessionDatabase> => {
    try {
      const candidate = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])
      const stored = await transact(db, 'keys', 'readwrite', (keys) => {
        const req = keys.get('key') as IDBRequest<CryptoKeyLike | undefined>
        req.onsuccess = () => req.result ?? keys.add(candidate, 'key')
        return req
      })
      return [db, stored ?? candidate]
    } catch (error) {
      // no key (quota, no AES-GCM): the next operation opens anew, so this connection is closed,
      // not left open beside each new one
      db.close()
      throw error
    }
  })
  connection.catch(forget)
  open.set(origin, connection)
  return connection
}
