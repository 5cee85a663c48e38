import { IDBDatabase, IDBFactory } from 'fake-indexeddb'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createEncryptedLocalStorage } from './createEncryptedLocalStorage'
import { createMemoryWebStorage, openRaw, readStore } from './test-storage'

const KEY = 'sessionlayer.session'
const ORIGIN = 'https://app.example'
const NAME = `sessionlayer::${ORIGIN}::${KEY}`
const VALUE = JSON.stringify({ version: 1, account: { partyId: 'alice::1220ab' } })

const setup = (origin = ORIGIN) => {
  const indexedDB = new IDBFactory()
  const localStorage = createMemoryWebStorage()
  return { indexedDB, localStorage, storage: createEncryptedLocalStorage({ indexedDB, localStorage, origin }) }
}

afterEach(() => {
  vi.restoreAllMocks()
  vi.unstubAllGlobals()
})

describe('createEncryptedLocalStorage', () => {
  it('K4: round-trips across fresh instances, under a name that embeds the origin', async () => {
    const { indexedDB, localStorage, storage } = setup()
    await storage.setItem(KEY, VALUE)
    expect([...localStorage.map.keys()]).toEqual([NAME])
    const fresh = createEncryptedLocalStorage({ indexedDB, localStorage, origin: ORIGIN })
    await expect(fresh.getItem(KEY)).resolves.toBe(VALUE)
    await fresh.removeItem(KEY)
    expect(localStorage.map.size).toBe(0)
    await expect(storage.getItem(KEY)).resolves.toBeNull()
  })

  it('K4: localStorage holds only ciphertext — no party id, no key — and the key lives in IndexedDB', async () => {
    const { indexedDB, localStorage, storage } = setup()
    for (let i = 0; i < 25; i++) await storage.setItem(`${KEY}.${i}`, VALUE)
    const values = [...localStorage.map.values()]
    expect(new Set(values).size).toBe(25)
    for (const value of values) {
      expect(value).toMatch(/^sl1\.[A-Za-z0-9+/]{16}\.[A-Za-z0-9+/]+=*$/)
      expect(value).not.toContain('alice')
    }
    expect([...localStorage.map.keys()].every((name) => name.startsWith(`sessionlayer::${ORIGIN}::`))).toBe(true)
    const db = await openRaw(indexedDB, `sessionlayer::${ORIGIN}`)
    const key = (await readStore(db, 'keys')).get('key') as CryptoKey
    db.close()
    expect(key.extractable).toBe(false)
    await expect(crypto.subtle.exportKey('raw', key)).rejects.toThrow()
  })

  it('K5: tampered, swapped and garbage values read as null and are removed', async () => {
    const { localStorage, storage } = setup()
    await storage.setItem('a', VALUE)
    const blob = localStorage.map.get(`sessionlayer::${ORIGIN}::a`)!
    const swapped = `sessionlayer::${ORIGIN}::b`
    localStorage.map.set(swapped, blob)
    await expect(storage.getItem('b')).resolves.toBeNull()
    expect(localStorage.map.has(swapped)).toBe(false)
    for (const value of [`${blob.slice(0, -4)}AAAA`, 'sl2.x.y', '{}']) {
      localStorage.map.set(NAME, value)
      await expect(storage.getItem(KEY)).resolves.toBeNull()
      expect(localStorage.map.has(NAME)).toBe(false)
    }
    await expect(storage.getItem('a')).resolves.toBe(VALUE)
  })

  it('K4: origins sharing one localStorage are isolated', async () => {
    const indexedDB = new IDBFactory()
    const localStorage = createMemoryWebStorage()
    const a = createEncryptedLocalStorage({ indexedDB, localStorage, origin: 'https://a.example' })
    const b = createEncryptedLocalStorage({ indexedDB, localStorage, origin: 'https://b.example' })
    await a.setItem(KEY, 'from a')
    await expect(b.getItem(KEY)).resolves.toBeNull()
    localStorage.map.set(`sessionlayer::https://b.example::${KEY}`, localStorage.map.get(`sessionlayer::https://a.example::${KEY}`)!)
    await expect(b.getItem(KEY)).resolves.toBeNull()
    await expect(a.getItem(KEY)).resolves.toBe('from a')
  })

  it('K6: a write in flight when another tab deletes the database (the key with it) is not lost: it is encrypted again under the key now current', async () => {
    const { indexedDB, localStorage, storage } = setup()
    await storage.setItem(KEY, 'first')
    // another tab deletes the database (a "reset" that clears IndexedDB) while this tab encrypts its next write
    const encrypt = crypto.subtle.encrypt.bind(crypto.subtle)
    let deleted: Promise<unknown> | undefined
    vi.spyOn(crypto.subtle, 'encrypt').mockImplementation(async (...args) => {
      deleted ??= new Promise((resolve, reject) => {
        const req = indexedDB.deleteDatabase(`sessionlayer::${ORIGIN}`)
        req.onsuccess = resolve
        req.onerror = reject
      })
      await deleted
      return encrypt(...args)
    })
    await expect(storage.setItem(KEY, VALUE)).resolves.toBeUndefined()
    vi.restoreAllMocks()
    vi.resetModules()
    const other = (await import('./createEncryptedLocalStorage')).createEncryptedLocalStorage({ indexedDB, localStorage, origin: ORIGIN })
    await expect(other.getItem(KEY)).resolves.toBe(VALUE)
    await expect(storage.getItem(KEY)).resolves.toBe(VALUE)
  })

  it('K6, K7: a connection the browser lost without a close event (WebKit: every transaction throws) is dropped as a write finds it so: the write runs again on a new connection and is kept', async () => {
    const { indexedDB, storage } = setup()
    await storage.setItem(KEY, 'first')
    const open = vi.spyOn(indexedDB, 'open')
    const transaction = IDBDatabase.prototype.transaction
    const lost = new Set<IDBDatabase>() // the connection in use
    vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(function (this: IDBDatabase, ...args) {
      if (!lost.size) lost.add(this)
      if (lost.has(this)) throw new DOMException('The database connection is closing.', 'InvalidStateError')
      return transaction.apply(this, args)
    })
    await expect(storage.setItem(KEY, 'second')).resolves.toBeUndefined()
    expect(open).toHaveBeenCalledTimes(1)
    await expect(storage.getItem(KEY)).resolves.toBe('second')
  })

  it('K7: without localStorage (SSR), creating never throws and operations reject with a clear error', async () => {
    vi.stubGlobal('localStorage', undefined)
    const storage = createEncryptedLocalStorage({ indexedDB: new IDBFactory(), origin: ORIGIN })
    await expect(storage.getItem(KEY)).rejects.toThrow('localStorage is unavailable')
    await expect(storage.setItem(KEY, VALUE)).rejects.toThrow('localStorage is unavailable')
    await expect(storage.removeItem(KEY)).rejects.toThrow('localStorage is unavailable')
  })

  it('K7: without localStorage, the error of each operation has a cause that says so, not a failed read of undefined', async () => {
    vi.stubGlobal('localStorage', undefined)
    const storage = createEncryptedLocalStorage({ indexedDB: new IDBFactory(), origin: ORIGIN })
    for (const operation of [storage.getItem(KEY), storage.setItem(KEY, VALUE), storage.removeItem(KEY)]) {
      const error = await operation.catch((e: unknown) => e)
      expect((error as Error).cause).toMatchObject({ name: 'TypeError', message: 'no localStorage here' })
    }
  })

  it('K7: on a server (neither IndexedDB nor localStorage), operations reject naming IndexedDB, where the key is read first', async () => {
    vi.stubGlobal('indexedDB', undefined)
    vi.stubGlobal('localStorage', undefined)
    const storage = createEncryptedLocalStorage({ origin: ORIGIN })
    await expect(storage.getItem(KEY)).rejects.toThrow('IndexedDB is unavailable')
    await expect(storage.setItem(KEY, VALUE)).rejects.toThrow('IndexedDB is unavailable')
    await expect(storage.removeItem(KEY)).rejects.toThrow('IndexedDB is unavailable')
  })

  it('K7: a throwing localStorage (quota) rejects with the original error as cause', async () => {
    const localStorage = createMemoryWebStorage()
    const quota = new DOMException('exceeded', 'QuotaExceededError')
    localStorage.setItem = () => {
      throw quota
    }
    const storage = createEncryptedLocalStorage({ indexedDB: new IDBFactory(), localStorage, origin: ORIGIN })
    const error = await storage.setItem(KEY, VALUE).catch((e: unknown) => e)
    expect((error as Error).message).toBe('localStorage is unavailable')
    expect((error as Error).cause).toBe(quota)
  })

  it('K7: without IndexedDB for the key, operations reject with a clear error', async () => {
    vi.stubGlobal('indexedDB', undefined)
    const storage = createEncryptedLocalStorage({ localStorage: createMemoryWebStorage(), origin: ORIGIN })
    await expect(storage.setItem(KEY, VALUE)).rejects.toThrow('IndexedDB is unavailable')
  })
})
