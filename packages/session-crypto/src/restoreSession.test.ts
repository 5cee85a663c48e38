import { describe, expect, it, vi } from 'vitest'
import { encodeSessionEnvelope } from './encodeSessionEnvelope'
import { restoreSession } from './restoreSession'
import { createMapStorage } from './test-storage'
import type { SessionSnapshot, SessionStorage } from './types'

const KEY = 'sessionlayer.session'
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

  it('K2: corrupt → null and the entry is removed', async () => {
    for (const text of ['{not json', '"a string"', '{"version":1}', '']) {
      const storage = createMapStorage()
      storage.map.set(KEY, text)
      await expect(restoreSession(storage, KEY)).resolves.toBeNull()
      expect(storage.map.has(KEY)).toBe(false)
    }
  })

  it('K2: unknown (future) version → null and the entry is removed', async () => {
    const storage = createMapStorage()
    storage.map.set(KEY, JSON.stringify({ ...JSON.parse(encodeSessionEnvelope(snapshot)), version: 2 }))
    await expect(restoreSession(storage, KEY)).resolves.toBeNull()
    expect(storage.map.has(KEY)).toBe(false)
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

  it('K2: expiry defaults to the current time', async () => {
    const storage = createMapStorage()
    await storage.setItem(KEY, encodeSessionEnvelope({ ...snapshot, expiresAt: Date.now() - 1 }))
    await expect(restoreSession(storage, KEY)).resolves.toBeNull()
    await storage.setItem(KEY, encodeSessionEnvelope({ ...snapshot, expiresAt: Date.now() + 60_000 }))
    await expect(restoreSession(storage, KEY)).resolves.not.toBeNull()
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
