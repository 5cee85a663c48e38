import { unavailable } from './environment'
import type { CryptoKeyLike, IndexedDBFactoryLike, WebCryptoLike } from './types'

/** An open session database and the origin's AES key. @internal */
export type SessionDatabase = readonly [IDBDatabase, CryptoKeyLike]

/** One connection (and key) per IndexedDB factory and origin, shared by every storage instance. */
const connections = new WeakMap<IndexedDBFactoryLike, Map<string, Promise<SessionDatabase>>>()

/**
 * A promise over IndexedDB callbacks; any failure becomes "IndexedDB is unavailable" (K7). An
 * open aborted (AbortError) counts as closed, so that its operation runs again: Chromium aborts
 * the first open after it force-closed a connection as it clears site data (K6, K7). (Whether a
 * failed transaction found its connection closed, `transact` tells.)
 */
const idb = <T>(run: (resolve: (value: T) => void, reject: (reason: unknown) => void) => void): Promise<T> =>
  new Promise(run).catch((error: unknown) => {
    throw Object.assign(unavailable('IndexedDB', error), { closed: (error as Error | null)?.name == 'AbortError' })
  })

/**
 * Runs one request in its own transaction and resolves with its result once the transaction
 * has committed (so a write that aborts later, e.g. on quota, rejects). A transaction still
 * running when the browser force-closes the connection (site data cleared, storage evicted)
 * fails as closed, whichever comes first: its abort (the order the spec gives) or the `close`
 * event (Chromium never completes nor aborts one made just before that event, and the storage's
 * queue would wait for it forever).
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
): Promise<T> => {
  // The connection was closed meanwhile (another tab upgraded or deleted the database, the
  // browser force-closed it, or lost it without a word, as WebKit does): `transaction` throws, or
  // the running transaction fails at `close`. The connection is dropped as at `close`, the error
  // says so, and the operation may run again on a new one.
  let closed = true
  return idb<T>((resolve, reject) => {
    const tx = db.transaction(store, mode)
    closed = false
    const req = request(tx.objectStore(store))
    const settle = ({ type }: Event) => {
      db.removeEventListener('close', settle)
      // A forced close aborts the connection's transactions before its close event: with an
      // AbortError once the connection is marked closing (the spec), so an abort on a connection
      // that refuses new transactions is one; or with an UnknownError while it still takes them
      // (Chromium: "Connection is closing because of: Force close delete origin").
      closed = type == 'close' || tx.error?.name == 'UnknownError'
      try {
        if (type == 'abort') db.transaction(store)
      } catch {
        closed = true
      }
      if (type == 'complete') resolve(req.result)
      else reject(tx.error)
    }
    tx.oncomplete = tx.onabort = settle
    db.addEventListener('close', settle)
  }).catch((error: unknown): never => {
    if (closed) (db.onclose as (() => void) | null)?.()
    throw Object.assign(error as Error, { closed })
  })
}

/**
 * What makes a key usable here: its extractability, algorithm (name and length) and usages, read
 * through the `CryptoKey` getters (a list of keys makes JSON read inherited properties too).
 */
const shape = (key: unknown) => JSON.stringify(key, ['extractable', 'algorithm', 'name', 'length', 'usages'])

/**
 * Opens, once per factory and origin, the database `sessionlayer::<origin>` (stores `keys` and
 * `blobs`) and gets or creates the origin's non-extractable AES-GCM-256 key — race-free: a
 * candidate is generated, then one readwrite transaction reads the key record and stores the
 * candidate only if there is none, or if the record is no key like the candidate (a corrupt
 * value, an extractable key, a key of another algorithm, length or usages: ciphertexts under it
 * read as null anyway), so concurrent first writes in this tab or another all use the one
 * stored key (SPEC K6). A failed open (one unanswered after 10 s too), a
 * connection closed by the browser or by another tab's upgrade or deletion (`close`,
 * `versionchange`), or one whose `transaction` throws (WebKit loses connections without a `close`
 * event), is forgotten and reopened on next use.
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
  const factory = await idb<IndexedDBFactoryLike | undefined>((resolve) => resolve(getFactory()))
  if (!factory) throw unavailable('IndexedDB')
  const open = connections.get(factory) ?? new Map<string, Promise<SessionDatabase>>()
  connections.set(factory, open)
  let connection = open.get(origin)
  if (connection) return connection
  const forget = () => open.get(origin) === connection && open.delete(origin)
  connection = idb<IDBDatabase>((resolve, reject) => {
    // the public type names only the factory's methods; what it opens is IndexedDB
    const req = (factory as IDBFactory).open(`sessionlayer::${origin}`)
    // A failed open (an error, `blocked`, or no answer in time) is never used: the connection it
    // may still bring is closed as it comes. Its upgrade, if any, still makes the stores.
    const fail = (error: unknown) => {
      clearTimeout(timer)
      req.onsuccess = () => req.result.close()
      reject(error)
    }
    // Browsers have shipped opens that fire neither `success`, `error` nor `blocked` (Safari 14.1
    // on a page's first load, some private modes, a database another tab holds in a
    // `versionchange` it never ends): after 10 s, the store's default `requestTimeoutMs`, the open
    // fails (K7). The timer keeps no Node process alive.
    const timer = setTimeout(fail, 1e4, Error('IndexedDB did not answer within 10000 ms'))
    ;(timer as { unref?: () => void }).unref?.()
    req.onupgradeneeded = () => {
      req.result.createObjectStore('keys')
      req.result.createObjectStore('blobs')
    }
    req.onsuccess = () => {
      clearTimeout(timer)
      const db = req.result
      db.onclose = db.onversionchange = () => {
        db.close()
        forget()
      }
      resolve(db)
    }
    req.onerror = () => fail(req.error)
    req.onblocked = fail
  }).then(async (db): Promise<SessionDatabase> => {
    try {
      let key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])
      const candidate = shape(key)
      await transact(db, 'keys', 'readwrite', (keys) => {
        // the stored key if it is one like the candidate; none, or a record no longer fit to use
        // (corrupt, extractable, of another algorithm), gives way to the candidate
        const req = keys.get('key') as IDBRequest<CryptoKeyLike>
        req.onsuccess = () => (shape(req.result) === candidate ? (key = req.result) : keys.put(key, 'key'))
        return req
      })
      return [db, key]
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
