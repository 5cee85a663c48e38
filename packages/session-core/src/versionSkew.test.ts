import { createEncryptedIndexedDBStorage, decodeSessionEnvelope } from '@sessionlayer/session-crypto'
import { createChannelHub, createMockProvider, createMockWallet } from '@sessionlayer/session-testing'
import { IDBFactory } from 'fake-indexeddb'
import { describe, expect, it, vi } from 'vitest'
import { createMemoryStorage } from './createMemoryStorage'
import { createSessionStore } from './createSessionStore'
import type { SessionStore } from './types'

// Tabs of two releases of a dApp open at once (a deploy, a rollback) share the channel and the
// persisted entry: what this release does with what a later one sends and writes.

const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0))
}
const CHANNEL = 'sessionlayer.session.sync::null::sessionlayer.session'
const KEY = 'sessionlayer.session'

/** A connected tab of this release, and a raw end of its channel that speaks as another release's tab. */
async function connectedTab() {
  const hub = createChannelHub()
  const storage = createMemoryStorage()
  const wallet = createMockWallet()
  const provider = createMockProvider({ wallet })
  const store = createSessionStore(provider, { storage, broadcast: { channelFactory: hub.channelFactory, lockManager: null } })
  const errors = vi.fn()
  const storageErrors = vi.fn()
  store.on('error', errors)
  store.on('storage:error', storageErrors)
  await store.connect()
  await flush()
  let seq = 0
  const raw = hub.channelFactory(CHANNEL)
  const send = (kind: string, data: unknown = {}, extra: Record<string, unknown> = {}) =>
    raw.postMessage({ v: 1, kind, seq: ++seq, tabId: 'newer-tab', at: Date.now(), ch: CHANNEL, data, ...extra })
  return { store, provider, storage, errors, storageErrors, send }
}

const status = (store: SessionStore) => store.getSnapshot().status

describe('version skew: messages of another release', () => {
  it('M2: a later protocol version (v: 2), unknown kinds and data of another shape are ignored quietly; the tab keeps syncing', async () => {
    const { store, errors, storageErrors, send } = await connectedTab()
    const before = store.getSnapshot()
    send('disconnected', {}, { v: 2 })
    send('handoff', { to: 'x' })
    send('party', { current: { partyId: 'bob::1' } })
    send('network', {})
    send('expiry', { expiredAt: 'soon', reason: 'ttl' })
    send('gaveup', { attempts: 'x' })
    send('attempt', { attempt: -1 })
    send('activity', { ago: 'x' })
    send('connected', { connectedAt: 'x', expiresAt: {} })
    await flush()
    expect(store.getSnapshot()).toBe(before)
    expect(errors).not.toHaveBeenCalled()
    expect(storageErrors).not.toHaveBeenCalled()
    // still listening: a sign-out in that tab signs this one out (M3)
    send('disconnected')
    await flush()
    expect(status(store)).toBe('disconnected')
    expect(errors).not.toHaveBeenCalled()
  })

  it('M2, M3: a message with fields a later release added (at the top, or in its data) is still applied', async () => {
    const { store, errors, send } = await connectedTab()
    send('disconnected', { reason: 'user', by: { tab: 'newer-tab' } }, { sid: 'abc', ttl: 3 })
    await flush()
    expect(status(store)).toBe('disconnected')
    expect(errors).not.toHaveBeenCalled()
  })

  it('M6, C7: where each tab runs its own reconnect attempts (no Web Locks), a give-up told on the channel ends none of them: only a leader\'s attempts are followed', async () => {
    vi.useFakeTimers({ now: 1_000_000 })
    try {
      const hub = createChannelHub()
      const storage = createMemoryStorage()
      const wallet = createMockWallet()
      const store = createSessionStore(createMockProvider({ wallet }), {
        storage,
        reconnect: { baseDelayMs: 1_000, maxAttempts: 5 },
        broadcast: { channelFactory: hub.channelFactory, lockManager: null },
      })
      const gaveup = vi.fn()
      store.on('reconnect:gaveup', gaveup)
      await store.connect()
      await vi.advanceTimersByTimeAsync(0)
      wallet.drop()
      await vi.advanceTimersByTimeAsync(0)
      expect(status(store)).toBe('reconnecting')
      const raw = hub.channelFactory(CHANNEL)
      let seq = 0
      for (const data of [{ attempts: 3, code: 4900, message: 'The wallet did not reconnect', keep: 1 }, {}]) {
        raw.postMessage({ v: 1, kind: 'gaveup', seq: ++seq, tabId: 'other-tab', at: Date.now(), ch: CHANNEL, data })
      }
      await vi.advanceTimersByTimeAsync(0)
      expect(status(store)).toBe('reconnecting')
      expect(gaveup).not.toHaveBeenCalled()
      wallet.recover()
      await vi.advanceTimersByTimeAsync(1_000)
      expect(status(store)).toBe('connected')
      expect(await storage.getItem(KEY)).not.toBeNull()
      store.destroy()
    } finally {
      vi.useRealTimers()
    }
  })
})

describe('version skew: a persisted entry of a later release', () => {
  const NEWER = JSON.stringify({ version: 2, session: { party: 'alice::1220', network: 'canton:devnet' }, expiresAt: Date.now() + 60_000 })

  it('C9: restore over an entry of a later envelope version follows the live wallet: connected, no error, nothing lost to the newer tabs but what this release rewrites', async () => {
    const storage = createMemoryStorage()
    await storage.setItem(KEY, NEWER)
    const store = createSessionStore(createMockProvider({ connected: true }), { storage })
    const errors = vi.fn()
    store.on('error', errors)
    store.on('storage:error', errors)
    await store.restore()
    await flush()
    expect(status(store)).toBe('connected')
    expect(store.getSnapshot().lastError).toBeNull()
    expect(errors).not.toHaveBeenCalled()
    // this release writes what it reads: a version-1 envelope of the live session
    expect(decodeSessionEnvelope(await storage.getItem(KEY))?.version).toBe(1)
  })

  it('C9: restore over an entry of a later version with the wallet not connected: disconnected, and the entry goes, as any ended session\'s', async () => {
    const storage = createMemoryStorage()
    await storage.setItem(KEY, NEWER)
    const store = createSessionStore(createMockProvider(), { storage })
    await store.restore()
    await flush()
    expect(status(store)).toBe('disconnected')
    expect(await storage.getItem(KEY)).toBeNull()
  })
})

describe('version skew: the session database of a later release', () => {
  it('C15, K7: a database a later release laid out anew (no `keys` / `blobs` store) is a storage:error, never a broken session', async () => {
    const indexedDB = new IDBFactory()
    await new Promise<void>((resolve) => {
      const req = indexedDB.open('sessionlayer::https://app.example', 2)
      req.onupgradeneeded = () => req.result.createObjectStore('vault')
      req.onsuccess = () => {
        req.result.close()
        resolve()
      }
    })
    const storage = createEncryptedIndexedDBStorage({ indexedDB, origin: 'https://app.example' })
    const store = createSessionStore(createMockProvider({ connected: true }), { storage })
    const failures: { operation: string; error: unknown }[] = []
    store.on('storage:error', (e) => failures.push(e))
    await store.restore()
    expect(status(store)).toBe('connected')
    // the write's failure comes from IndexedDB's own tasks, later on a loaded machine
    await vi.waitFor(() => expect(failures.map((f) => f.operation)).toEqual(['get', 'set']), { timeout: 5_000 })
    expect((failures[0]?.error as Error).message).toBe('IndexedDB is unavailable')
    await store.disconnect()
    expect(status(store)).toBe('disconnected')
    store.destroy()
  })
})
