import { IDBFactory } from 'fake-indexeddb'
import { describe, expect, it, vi } from 'vitest'
import { createEncryptedIndexedDBStorage } from './createEncryptedIndexedDBStorage'
import { createEncryptedLocalStorage } from './createEncryptedLocalStorage'
import { encodeSessionEnvelope } from './encodeSessionEnvelope'
import { restoreSession } from './restoreSession'
import { createEncryptedStorage } from './createEncryptedStorage'
import { createCallbackStorage, createMapStorage, createMemoryWebStorage } from './test-storage'
import type { SessionSnapshot, SessionStorage } from './types'

const KEY = 'sessionlayer.session'
const ORIGIN = 'https://app.example'
/** The localStorage the tabs of the localStorage cases share. */
const shared = createMemoryWebStorage()
const alice = { partyId: 'alice::1220ab', primary: true }
const snapshot: SessionSnapshot = { account: alice, accounts: [alice], networkId: 'canton:devnet', connectedAt: 1000 }

describe('restoreSession', () => {
  it('K2: resolves the stored envelope', async () => {
    const storage = createMapStorage()
    await storage.setItem(KEY, encodeSessionEnvelope(snapshot))
    await expect(restoreSession(storage, KEY)).resolves.toEqual({ version: 1, ...snapshot })
    expect(storage.map.has(KEY)).toBe(true)
  })

  it('K2: absent → null, nothing removed', async () => {
    const storage = createMapStorage()
    const removeItem = vi.spyOn(storage, 'removeItem')
    await expect(restoreSession(storage, KEY)).resolves.toBeNull()
    expect(removeItem).not.toHaveBeenCalled()
  })

  it('K2: a storage that answers undefined for an absent entry (idb-keyval\'s get, a Map) reads as absent: nothing removed', async () => {
    const map = new Map<string, string>()
    const removeItem = vi.fn(() => Promise.resolve())
    const storage: SessionStorage = { getItem: (k) => Promise.resolve(map.get(k) as string | null), setItem: () => Promise.resolve(), removeItem }
    await expect(restoreSession(storage, KEY)).resolves.toBeNull()
    expect(removeItem).not.toHaveBeenCalled()
  })

  it('K2: corrupt → null and the entry is removed', async () => {
    for (const text of ['{not json', '"a string"', '{"version":1}', '']) {
      const storage = createMapStorage()
      storage.map.set(KEY, text)
      await expect(restoreSession(storage, KEY)).resolves.toBeNull()
      expect(storage.map.has(KEY)).toBe(false)
    }
  })

  it('K2: an entry the storage answers as no string (a custom adapter that gives a fresh object at each read) is corrupt → null and the entry is removed', async () => {
    const map = new Map<string, unknown>([[KEY, 'parsed']])
    const storage = {
      // a new object at each read: never the same one twice
      getItem: (k: string) => Promise.resolve(map.has(k) ? { value: map.get(k) } : null),
      setItem: () => Promise.resolve(),
      removeItem: (k: string) => Promise.resolve(void map.delete(k)),
    } as unknown as SessionStorage
    await expect(restoreSession(storage, KEY)).resolves.toBeNull()
    expect(map.has(KEY)).toBe(false)
  })

  it('K2: unknown (future) version → null and the entry is removed', async () => {
    const storage = createMapStorage()
    storage.map.set(KEY, JSON.stringify({ ...JSON.parse(encodeSessionEnvelope(snapshot)), version: 2 }))
    await expect(restoreSession(storage, KEY)).resolves.toBeNull()
    expect(storage.map.has(KEY)).toBe(false)
  })

  it('K1, K2: a v1 entry whose expiresAt is null (no expiry) is restored, not removed as corrupt, as a v0 one is', async () => {
    for (const version of [1, 0]) {
      const storage = createMapStorage()
      storage.map.set(KEY, JSON.stringify({ version, ...snapshot, expiresAt: null }))
      await expect(restoreSession(storage, KEY, 5000)).resolves.toEqual({ version: 1, ...snapshot })
      expect(storage.map.has(KEY)).toBe(true)
    }
  })

  it('K2: expired (expiresAt <= now) → null and the entry is removed', async () => {
    const storage = createMapStorage()
    await storage.setItem(KEY, encodeSessionEnvelope({ ...snapshot, expiresAt: 5000 }))
    await expect(restoreSession(storage, KEY, 4999)).resolves.toMatchObject({ expiresAt: 5000 })
    expect(storage.map.has(KEY)).toBe(true)
    await expect(restoreSession(storage, KEY, 5000)).resolves.toBeNull()
    expect(storage.map.has(KEY)).toBe(false)
  })

  it('K2: an expired unversioned (v0) snapshot → null and the entry is removed, not revived without its expiry', async () => {
    const storage = createMapStorage()
    storage.map.set(KEY, JSON.stringify({ ...snapshot, expiresAt: 5000 }))
    await expect(restoreSession(storage, KEY, 4999)).resolves.toMatchObject({ version: 1, expiresAt: 5000 })
    await expect(restoreSession(storage, KEY, 5000)).resolves.toBeNull()
    expect(storage.map.has(KEY)).toBe(false)
  })

  it('K2: removing an expired or corrupt entry never deletes a session written after it was read', async () => {
    for (const stale of [encodeSessionEnvelope({ ...snapshot, expiresAt: 5000 }), '{corrupt']) {
      const storage = createMapStorage()
      const fresh = encodeSessionEnvelope({ ...snapshot, connectedAt: 6000 })
      storage.map.set(KEY, stale)
      const getItem = storage.getItem.bind(storage)
      // the store (or another tab) persists a new session right after this read
      storage.getItem = async (key) => {
        const text = await getItem(key)
        await storage.setItem(KEY, fresh)
        return text
      }
      await expect(restoreSession(storage, KEY, 5000)).resolves.toBeNull()
      expect(storage.map.get(KEY)).toBe(fresh)
    }
  })

  it('K2: with the encrypted storage, an expired entry is removed only while it holds what was read: a session another tab writes just before the removal is kept', async () => {
    const indexedDB = new IDBFactory()
    const tab = createEncryptedIndexedDBStorage({ indexedDB, origin: ORIGIN })
    const other = createEncryptedIndexedDBStorage({ indexedDB, origin: ORIGIN })
    const fresh = encodeSessionEnvelope({ ...snapshot, connectedAt: 6000 })
    await tab.setItem(KEY, encodeSessionEnvelope({ ...snapshot, expiresAt: 5000 }))
    // the other tab persists its new session after this one read the expired entry twice
    const racing: SessionStorage = { ...tab, removeItem: (...args) => other.setItem(KEY, fresh).then(() => tab.removeItem(...args)) }
    await expect(restoreSession(racing, KEY, 5000)).resolves.toBeNull()
    await expect(other.getItem(KEY)).resolves.toBe(fresh)
    // with nothing written meanwhile, the expired entry is removed
    await tab.setItem(KEY, encodeSessionEnvelope({ ...snapshot, expiresAt: 5000 }))
    await expect(restoreSession(tab, KEY, 5000)).resolves.toBeNull()
    await expect(other.getItem(KEY)).resolves.toBeNull()
  })

  it.each([
    ['IndexedDB', (indexedDB: IDBFactory, crypto?: Crypto) => createEncryptedIndexedDBStorage({ indexedDB, origin: ORIGIN, crypto })],
    ['localStorage', (indexedDB: IDBFactory, crypto?: Crypto, localStorage = shared) => createEncryptedLocalStorage({ indexedDB, localStorage, origin: ORIGIN, crypto })],
  ])('K2: with the encrypted %s storage, a session another tab writes while the removal checks the entry is kept', async (_, create) => {
    const indexedDB = new IDBFactory()
    let decrypts = 0
    const other = create(indexedDB)
    const fresh = encodeSessionEnvelope({ ...snapshot, connectedAt: 6000 })
    // the third decryption is the removal's check of what the entry holds: the other tab writes then
    const subtle = {
      generateKey: crypto.subtle.generateKey.bind(crypto.subtle),
      encrypt: crypto.subtle.encrypt.bind(crypto.subtle),
      decrypt: (...args: Parameters<SubtleCrypto['decrypt']>) => (++decrypts == 3 ? other.setItem(KEY, fresh) : Promise.resolve()).then(() => crypto.subtle.decrypt(...args)),
    }
    const tab = create(indexedDB, { subtle, getRandomValues: (array: Uint8Array) => crypto.getRandomValues(array) } as unknown as Crypto)
    await tab.setItem(KEY, encodeSessionEnvelope({ ...snapshot, expiresAt: 5000 }))
    await expect(restoreSession(tab, KEY, 5000)).resolves.toBeNull()
    expect(decrypts).toBe(3)
    await expect(other.getItem(KEY)).resolves.toBe(fresh)
  })

  it('K2, K8: a storage whose removeItem takes a callback as its second argument (localforage) is given the key alone, also under the encrypted storage', async () => {
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])
    for (const encrypted of [false, true]) {
      const base = createCallbackStorage()
      const storage = encrypted ? createEncryptedStorage(base, { key, origin: ORIGIN }) : base
      await storage.setItem(KEY, encodeSessionEnvelope({ ...snapshot, expiresAt: 5000 }))
      await expect(restoreSession(storage, KEY, 5000)).resolves.toBeNull()
      await Promise.resolve()
      expect(base.map.size).toBe(0)
      expect(base.failures).toEqual([])
    }
  })

  it('K2: expiry defaults to the current time', async () => {
    const storage = createMapStorage()
    await storage.setItem(KEY, encodeSessionEnvelope({ ...snapshot, expiresAt: Date.now() - 1 }))
    await expect(restoreSession(storage, KEY)).resolves.toBeNull()
    await storage.setItem(KEY, encodeSessionEnvelope({ ...snapshot, expiresAt: Date.now() + 60_000 }))
    await expect(restoreSession(storage, KEY)).resolves.not.toBeNull()
  })

  it('K2: a `now` that is no finite number (NaN, ±Infinity, a string, null, an object) reads at the current time: a valid entry is restored and kept, an expired one still removed', async () => {
    for (const now of [NaN, Infinity, -Infinity, 'soon', null, {}]) {
      const storage = createMapStorage()
      const valid = encodeSessionEnvelope({ ...snapshot, expiresAt: Date.now() + 60_000 })
      await storage.setItem(KEY, valid)
      await expect(restoreSession(storage, KEY, now as number)).resolves.toMatchObject({ version: 1, account: alice })
      expect(storage.map.get(KEY)).toBe(valid)
      storage.map.set(KEY, encodeSessionEnvelope(snapshot))
      await expect(restoreSession(storage, KEY, now as number)).resolves.toMatchObject({ version: 1, account: alice })
      expect(storage.map.has(KEY)).toBe(true)
      await storage.setItem(KEY, encodeSessionEnvelope({ ...snapshot, expiresAt: Date.now() - 1 }))
      await expect(restoreSession(storage, KEY, now as number)).resolves.toBeNull()
      expect(storage.map.has(KEY)).toBe(false)
    }
  })

  it('K2: a storage that throws or rejects → null, never a throw, nothing else happens', async () => {
    const removeItem = vi.fn(() => Promise.resolve())
    const throwing: SessionStorage = {
      getItem: () => {
        throw new Error('SecurityError')
      },
      setItem: () => Promise.resolve(),
      removeItem,
    }
    const rejecting: SessionStorage = { ...throwing, getItem: () => Promise.reject(new Error('blocked')) }
    await expect(restoreSession(throwing, KEY)).resolves.toBeNull()
    await expect(restoreSession(rejecting, KEY)).resolves.toBeNull()
    expect(removeItem).not.toHaveBeenCalled()
  })

  it('K2: a failing removal is swallowed', async () => {
    const failingRemove: SessionStorage = {
      getItem: () => Promise.resolve('corrupt'),
      setItem: () => Promise.resolve(),
      removeItem: () => Promise.reject(new Error('quota')),
    }
    await expect(restoreSession(failingRemove, KEY)).resolves.toBeNull()
    const throwingRemove = {
      ...failingRemove,
      removeItem: () => {
        throw new Error('gone')
      },
    }
    await expect(restoreSession(throwingRemove, KEY)).resolves.toBeNull()
  })
})
