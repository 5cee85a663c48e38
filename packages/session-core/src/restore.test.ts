import { createEncryptedIndexedDBStorage, encodeSessionEnvelope, type SessionStorage } from '@sessionlayer/session-crypto'
import { createMockProvider } from '@sessionlayer/session-testing'
import { IDBFactory } from 'fake-indexeddb'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMemoryStorage } from './createMemoryStorage'
import { createSessionStore } from './createSessionStore'
import { readSessionState } from './readSessionState'
import type { SessionStoreOptions } from './types'

const KEY = 'sessionlayer.session'
const alice = { partyId: 'alice::1220aa', primary: true }

afterEach(() => {
  vi.useRealTimers()
})

function setup(mock: Parameters<typeof createMockProvider>[0], options: SessionStoreOptions = {}) {
  const provider = createMockProvider(mock)
  const storage = createMemoryStorage()
  const store = createSessionStore(provider, { storage, ...options })
  return { provider, wallet: provider.wallet, storage, store }
}

describe('restore', () => {
  it('C9: restores a live wallet session silently, and never calls connect', async () => {
    const { store, provider } = setup({ connected: true })
    const pending = store.init()
    expect(store.getSnapshot().status).toBe('reconnecting')
    const state = await pending
    expect(state).toMatchObject({ status: 'connected', networkId: 'canton:devnet' })
    expect(state.account?.partyId).toBe('alice::1220aa')
    expect(provider.calls.map((c) => c.method)).toEqual(['status', 'listAccounts'])
  })

  it('C9: restore() while a connect() is in flight waits for it and resolves with its outcome, never with the connecting state', async () => {
    vi.useFakeTimers()
    // the connect request on its way (a wallet that takes a moment), then waiting for the user (an asynchronous wallet)
    for (const mock of [{ latencyMs: 50 }, { connectMode: 'async' as const }, { connectMode: 'manual' as const }]) {
      const { store, wallet } = setup(mock)
      const connecting = store.connect()
      await vi.advanceTimersByTimeAsync(10)
      const outcome = vi.fn()
      void store.restore().then(outcome)
      await vi.advanceTimersByTimeAsync(10)
      expect(outcome).not.toHaveBeenCalled()
      if (mock.connectMode === 'async') wallet.approve()
      else if (mock.connectMode === 'manual') wallet.reject(4001)
      await vi.advanceTimersByTimeAsync(100)
      const state = await connecting
      expect(state.status).toBe(mock.connectMode === 'manual' ? 'disconnected' : 'connected')
      expect(outcome).toHaveBeenCalledWith(state)
      store.destroy()
    }
  })

  it('C9: init is safe to destructure', async () => {
    const { store } = setup({ connected: true })
    const { init } = store
    expect((await init()).status).toBe('connected')
  })

  it('C9: restore() and init() called at once (a double mount) share one probe and resolve with the same state, connected or not', async () => {
    for (const connected of [true, false]) {
      const { store, provider } = setup({ connected })
      const states: unknown[] = []
      store.subscribe((state) => states.push(state))
      const [a, b, c] = await Promise.all([store.init(), store.restore(), store.init()])
      expect(a.status).toBe(connected ? 'connected' : 'disconnected')
      expect(b).toBe(a)
      expect(c).toBe(a)
      expect(a).toBe(store.getSnapshot())
      expect(provider.calls.map((call) => call.method)).toEqual(connected ? ['status', 'listAccounts'] : ['status'])
      // reconnecting, then the outcome: one notification each
      expect(states).toEqual([expect.objectContaining({ status: 'reconnecting' }), a])
      store.destroy()
    }
  })

  it('C9: a wallet that is not connected → disconnected, and the persisted entry is removed', async () => {
    const { store, storage, provider } = setup({ connected: false })
    await storage.setItem(KEY, encodeSessionEnvelope({ account: alice, accounts: [alice], networkId: 'canton:devnet', connectedAt: 1 }))
    const state = await store.restore()
    expect(state.status).toBe('disconnected')
    expect(state.lastError).toBeNull()
    expect(await storage.getItem(KEY)).toBeNull()
    expect(provider.calls.map((c) => c.method)).not.toContain('connect')
  })

  it('C9: a forged persisted entry can never make the store connected', async () => {
    const { store, storage } = setup({ connected: false })
    const mallory = { partyId: 'mallory::1', primary: true }
    await storage.setItem(KEY, encodeSessionEnvelope({ account: mallory, accounts: [mallory], networkId: 'canton:mainnet', connectedAt: Date.now() }))
    const state = await store.restore()
    expect(state).toMatchObject({ status: 'disconnected', account: null })
  })

  it('C9, K2: with the encrypted default storage, a restore ending disconnected keeps a session another tab writes between its last check and the removal', async () => {
    const indexedDB = new IDBFactory()
    const tab = createEncryptedIndexedDBStorage({ indexedDB, origin: 'https://app.example' })
    const other = createEncryptedIndexedDBStorage({ indexedDB, origin: 'https://app.example' })
    const stale = encodeSessionEnvelope({ account: alice, accounts: [alice], networkId: 'canton:devnet', connectedAt: Date.now() - 1000 })
    const fresh = encodeSessionEnvelope({ account: alice, accounts: [alice], networkId: 'canton:devnet', connectedAt: Date.now() })
    await tab.setItem(KEY, stale)
    // the other tab's write lands after this tab read the entry again, just before it removes it
    let racing = true
    const removals: Promise<unknown>[] = []
    const storage: SessionStorage = {
      ...tab,
      removeItem: (...args) => {
        removals.push((racing ? other.setItem(KEY, fresh) : Promise.resolve()).then(() => tab.removeItem(...args)))
        return removals[removals.length - 1]!
      },
    }
    const { store } = setup({ connected: false }, { storage })
    expect((await store.restore()).status).toBe('disconnected')
    await vi.waitFor(() => expect(removals).toHaveLength(1))
    await removals[0]
    expect(await other.getItem(KEY)).toBe(fresh)
    store.destroy()
    // with nothing written meanwhile, the stale entry is removed
    racing = false
    await tab.setItem(KEY, stale)
    const again = setup({ connected: false }, { storage }).store
    expect((await again.restore()).status).toBe('disconnected')
    await vi.waitFor(() => expect(removals).toHaveLength(2))
    await removals[1]
    expect(await other.getItem(KEY)).toBeNull()
    again.destroy()
  })

  it('C9, C15: a restore ending disconnected removes the entry of a storage whose removeItem takes a callback as its second argument (localforage) as it did: the key alone, no failure', async () => {
    const base = createMemoryStorage()
    const failures: unknown[] = []
    // localforage's removeItem(key, callback?): a callback given is called once the removal is done
    const storage: SessionStorage = {
      getItem: (key) => base.getItem(key),
      setItem: (key, value) => base.setItem(key, value),
      removeItem(key: string, callback?: (error: unknown) => void) {
        const done = base.removeItem(key)
        if (callback) done.then(() => callback(null)).catch((error: unknown) => failures.push(error))
        return done
      },
    }
    await storage.setItem(KEY, encodeSessionEnvelope({ account: alice, accounts: [alice], networkId: 'canton:devnet', connectedAt: Date.now() }))
    const { store } = setup({ connected: false }, { storage })
    const errors: unknown[] = []
    store.on('storage:error', (e) => errors.push(e))
    expect((await store.restore()).status).toBe('disconnected')
    await vi.waitFor(async () => expect(await storage.getItem(KEY)).toBeNull())
    expect(failures).toEqual([])
    expect(errors).toEqual([])
    store.destroy()
  })

  it('C9: a restore whose read of the entry failed still removes it once the wallet says it is not connected', async () => {
    const { store, storage } = setup({ connected: false })
    await storage.setItem(KEY, encodeSessionEnvelope({ account: alice, accounts: [alice], networkId: 'canton:devnet', connectedAt: Date.now() }))
    const read = storage.getItem.bind(storage)
    let reads = 0
    storage.getItem = (key) => (reads++ ? read(key) : Promise.reject(new Error('IndexedDB blocked')))
    const failures = vi.fn()
    store.on('storage:error', failures)
    expect((await store.restore()).status).toBe('disconnected')
    expect(failures).toHaveBeenCalledWith(expect.objectContaining({ operation: 'get' }))
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(await read(KEY)).toBeNull()
  })

  it('C9: a wallet that throws on status → disconnected with lastError', async () => {
    const { store, wallet } = setup({ connected: true })
    wallet.failNext('status', { code: -32603, message: 'not injected yet' })
    const state = await store.restore()
    expect(state.status).toBe('disconnected')
    expect(state.lastError).toMatchObject({ code: -32603, message: 'not injected yet' })
  })

  it('C9: without a reconnect policy a failing probe ends the restore with no reconnect event: there was no reconnect to give up', async () => {
    const { store, wallet } = setup({ connected: true })
    const events: unknown[] = []
    for (const type of ['reconnect:scheduled', 'reconnect:attempt', 'reconnect:succeeded', 'reconnect:gaveup'] as const) {
      store.on(type, (event) => events.push([type, event]))
    }
    wallet.failNext('status', { code: -32603, message: 'not injected yet' })
    expect(await store.restore()).toMatchObject({ status: 'disconnected', lastError: { code: -32603 } })
    expect(events).toEqual([])
  })

  it('C9: with a reconnect policy the failing probe is retried on the backoff schedule first', async () => {
    vi.useFakeTimers()
    const { store, wallet } = setup({ connected: true }, { reconnect: { maxAttempts: 3 } })
    const scheduled = vi.fn()
    store.on('reconnect:scheduled', scheduled)
    wallet.failNext('status', { code: -32603, message: 'not injected yet' }, 2)
    const result = store.restore()
    await vi.advanceTimersByTimeAsync(0)
    expect(store.getSnapshot().status).toBe('reconnecting')
    await vi.advanceTimersByTimeAsync(500 + 1000)
    expect((await result).status).toBe('connected')
    expect(scheduled.mock.calls.map((call) => call[0] as unknown)).toEqual([
      { attempt: 1, delayMs: 500 },
      { attempt: 2, delayMs: 1000 },
    ])
  })

  it('C7, C9: a restore whose retried probe succeeds ends its reconnect events with reconnect:succeeded, as a reconnect does', async () => {
    vi.useFakeTimers()
    const { store, wallet } = setup({ connected: true }, { reconnect: { maxAttempts: 3 } })
    const events: unknown[] = []
    for (const type of ['reconnect:scheduled', 'reconnect:attempt', 'reconnect:succeeded', 'reconnect:gaveup'] as const) {
      store.on(type, (event) => events.push([type, event]))
    }
    wallet.failNext('status', { code: -32603, message: 'not injected yet' })
    const result = store.restore()
    await vi.advanceTimersByTimeAsync(500)
    expect((await result).status).toBe('connected')
    expect(events).toEqual([
      ['reconnect:scheduled', { attempt: 1, delayMs: 500 }],
      ['reconnect:attempt', { attempt: 1 }],
      ['reconnect:succeeded', { attempt: 1 }],
    ])
  })

  it('C10: a different party or network than persisted emits changes with source restore and invalidates', async () => {
    const onInvalidate = vi.fn()
    const { store, storage, wallet } = setup({ connected: true }, { onInvalidate })
    wallet.switchParty('bob::1220bb')
    await storage.setItem(KEY, encodeSessionEnvelope({ account: alice, accounts: [alice], networkId: 'canton:mainnet', connectedAt: 1 }))
    const party = vi.fn()
    const network = vi.fn()
    store.on('party:changed', party)
    store.on('network:changed', network)
    await store.restore()
    expect(party).toHaveBeenCalledWith({ previous: 'alice::1220aa', current: 'bob::1220bb', source: 'restore' })
    expect(network).toHaveBeenCalledWith({ previous: 'canton:mainnet', current: 'canton:devnet', source: 'restore' })
    expect(onInvalidate.mock.calls.map(([e]) => (e as { type: string }).type)).toEqual(['party:changed', 'network:changed'])
  })

  it('C10: a restore reconciles against its own read of the entry, not an earlier restore\'s read that answers late (of an entry removed since)', async () => {
    const { store, storage, wallet } = setup({ connected: true })
    await storage.setItem(KEY, encodeSessionEnvelope({ account: { partyId: 'zed::1220ff' }, accounts: [{ partyId: 'zed::1220ff' }], networkId: 'canton:devnet', connectedAt: 1 }))
    // the first read of the entry answers only when let through
    let letThrough!: () => void
    const held = new Promise<void>((resolve) => (letThrough = resolve))
    const getItem = storage.getItem.bind(storage)
    storage.getItem = vi.fn(async (key: string) => {
      const value = await getItem(key)
      if (vi.mocked(storage.getItem).mock.calls.length == 1) await held
      return value
    })
    const party = vi.fn()
    store.on('party:changed', party)
    void store.restore() // its read of the zed session is on its way
    wallet.failNext('disconnect', { code: -32603, message: 'wallet busy' }) // the wallet stays connected
    void store.disconnect() // the entry goes, after that read
    const restored = store.restore() // a second restore, whose read comes after the removal
    letThrough()
    expect((await restored).account?.partyId).toBe('alice::1220aa')
    expect(await storage.getItem(KEY)).not.toBeNull() // re-persisted, alice's session
    expect(party).not.toHaveBeenCalled() // no entry left to reconcile with: no zed → alice change
  })

  it('C10, K1: a persisted empty network id (\'\', as an earlier release wrote a wallet\'s) is no network: the live one is the first, no network:changed, and the session keeps its times', async () => {
    const onInvalidate = vi.fn()
    const { store, storage } = setup({ connected: true }, { onInvalidate })
    await storage.setItem(KEY, JSON.stringify({ version: 1, account: alice, accounts: [alice], networkId: '', connectedAt: 1234 }))
    expect(await readSessionState(storage)).toMatchObject({ status: 'connected', networkId: null, connectedAt: 1234 })
    const network = vi.fn()
    store.on('network:changed', network)
    expect(await store.restore()).toMatchObject({ status: 'connected', networkId: 'canton:devnet', connectedAt: 1234 })
    expect(network).not.toHaveBeenCalled()
    expect(onInvalidate).not.toHaveBeenCalled()
  })

  it('C10: the same party and network restore without change events, keeping connectedAt', async () => {
    const { store, storage } = setup({ connected: true })
    await storage.setItem(KEY, encodeSessionEnvelope({ account: alice, accounts: [alice], networkId: 'canton:devnet', connectedAt: 1234 }))
    const changed = vi.fn()
    store.on('party:changed', changed)
    store.on('network:changed', changed)
    expect((await store.restore()).connectedAt).toBe(1234)
    expect(changed).not.toHaveBeenCalled()
  })

  it('C10: an expired persisted session is not revived: it follows the expiry path', async () => {
    const { store, storage, provider } = setup({ connected: true })
    await storage.setItem(KEY, encodeSessionEnvelope({ account: alice, accounts: [alice], networkId: 'canton:devnet', connectedAt: 1, expiresAt: 2 }))
    const expired = vi.fn()
    store.on('session:expired', expired)
    const state = await store.restore()
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(expired).toHaveBeenCalledWith({ expiredAt: 2, reason: 'ttl' })
    expect(state.status).toBe('disconnected')
    expect(state.lastError?.code).toBe('SESSION_EXPIRED')
    expect(await storage.getItem(KEY)).toBeNull()
    expect(provider.calls.map((c) => c.method)).not.toContain('connect')
  })

  it('C10/C12: a persisted session that expires while the restore asks the wallet is never shown connected', async () => {
    vi.useFakeTimers({ now: 1_000 })
    const { store, storage } = setup({ connected: true, latencyMs: 50 }, { expiry: { ttlMs: 60_000 } })
    await storage.setItem(KEY, encodeSessionEnvelope({ account: alice, accounts: [alice], networkId: 'canton:devnet', connectedAt: 1, expiresAt: 1_020 }))
    const seen: string[] = []
    store.subscribe((state) => seen.push(state.status))
    const expired = vi.fn()
    store.on('session:expired', expired)
    const restored = store.restore()
    await vi.advanceTimersByTimeAsync(200)
    const state = await restored
    expect(state).toMatchObject({ status: 'disconnected', account: null })
    expect(state.lastError?.code).toBe('SESSION_EXPIRED')
    expect(expired).toHaveBeenCalledWith({ expiredAt: 1_020, reason: 'ttl' })
    expect(seen).not.toContain('connected')
    expect(await storage.getItem(KEY)).toBeNull()
  })

  it('C9, C12: a persisted connectedAt in the future (a clock set back since, or a forged entry) is now at the latest: the session ends ttlMs from now at the latest', async () => {
    vi.useFakeTimers({ now: 1_000_000 })
    const { store, storage } = setup({ connected: true }, { expiry: { ttlMs: 60_000 } })
    const later = 1_000_000 + 3_600_000
    await storage.setItem(KEY, encodeSessionEnvelope({ account: alice, accounts: [alice], networkId: 'canton:devnet', connectedAt: later, expiresAt: later + 60_000 }))
    expect(await store.restore()).toMatchObject({ status: 'connected', connectedAt: 1_000_000, expiresAt: 1_060_000 })
    const expired = vi.fn()
    store.on('session:expired', expired)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(expired).toHaveBeenCalledWith({ expiredAt: 1_060_000, reason: 'ttl' })
    store.destroy()
  })

  it('C9: a corrupt entry restores like no entry (and never throws)', async () => {
    const { store, storage } = setup({ connected: true })
    await storage.setItem(KEY, '{"version":99}')
    expect((await store.restore()).status).toBe('connected')
  })
})
