// Test helpers: in-memory storages and raw IndexedDB access (excluded from the build).
import type { SessionStorage } from './types'

/** A `SessionStorage` over a Map, exposing the map for raw inspection. */
export function createMapStorage(): SessionStorage & { map: Map<string, string> } {
  const map = new Map<string, string>()
  return {
    map,
    getItem: (key) => Promise.resolve(map.get(key) ?? null),
    setItem: (key, value) => {
      map.set(key, value)
      return Promise.resolve()
    },
    removeItem: (key) => {
      map.delete(key)
      return Promise.resolve()
    },
  }
}

/** An in-memory Web `Storage`. */
export function createMemoryWebStorage(): Storage & { map: Map<string, string> } {
  const map = new Map<string, string>()
  return {
    map,
    get length() {
      return map.size
    },
    clear: () => map.clear(),
    getItem: (key) => map.get(key) ?? null,
    key: (index) => [...map.keys()][index] ?? null,
    removeItem: (key) => {
      map.delete(key)
    },
    setItem: (key, value) => {
      map.set(key, value)
    },
  }
}

/** Resolves an IndexedDB request. */
export const settle = <T>(req: IDBRequest<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error ?? new Error('request failed'))
  })

/** Opens a database directly (optionally upgrading it), closing on versionchange like a good citizen. */
export function openRaw(
  factory: IDBFactory,
  name: string,
  version?: number,
  upgrade?: (db: IDBDatabase, tx: IDBTransaction) => void,
): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = version === undefined ? factory.open(name) : factory.open(name, version)
    req.onupgradeneeded = () => {
      if (req.transaction) upgrade?.(req.result, req.transaction)
    }
    req.onsuccess = () => {
      req.result.onversionchange = () => req.result.close()
      resolve(req.result)
    }
    req.onerror = () => reject(req.error ?? new Error('open failed'))
  })
}

/** Every record of one object store, by key. */
export async function readStore(db: IDBDatabase, store: string): Promise<Map<IDBValidKey, unknown>> {
  const tx = db.transaction(store)
  const [keys, values] = await Promise.all([settle(tx.objectStore(store).getAllKeys()), settle(tx.objectStore(store).getAll())])
  return new Map(keys.map((key, i) => [key, values[i]]))
}

/** Writes (or with `undefined`, deletes) one record. */
export async function writeRecord(db: IDBDatabase, store: string, key: IDBValidKey, value: unknown): Promise<void> {
  const tx = db.transaction(store, 'readwrite')
  const objectStore = tx.objectStore(store)
  if (value === undefined) await settle(objectStore.delete(key))
  else await settle(objectStore.put(value, key))
}

/**
 * A map storage shaped like localforage's: `removeItem(key, callback?)` calls a callback it is
 * given once the removal is done; what that call throws is kept in `failures`.
 */
export function createCallbackStorage(): SessionStorage & { map: Map<string, string>; failures: unknown[] } {
  const base = createMapStorage()
  const failures: unknown[] = []
  return {
    ...base,
    failures,
    removeItem(key: string, callback?: (error: unknown) => void) {
      const done = base.removeItem(key)
      if (callback) done.then(() => callback(null)).catch((error: unknown) => failures.push(error))
      return done
    },
  }
}
