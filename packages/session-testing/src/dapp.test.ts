/**
 * A dApp's own tests, written against the public APIs only: the session store of session-core
 * and the test doubles of this package, as an app would write them.
 */
import { createMemoryStorage, createSessionStore, type SessionStore, type SessionStoreOptions } from '@sessionlayer/session-core'
import { createLedgerFetch, getLedgerAuth } from '@sessionlayer/session-core/ledger'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createChannelHub, createMockLockManager, createMockProvider, createMockWallet, type MockProvider } from './index'

const stores: SessionStore[] = []
/** The app's store over a tab; destroyed after each test. */
const appStore = (provider: MockProvider, options: SessionStoreOptions = {}) => {
  const store = createSessionStore(provider, { storage: createMemoryStorage(), ...options })
  stores.push(store)
  return store
}

/** Lets the wallet's events on their way reach the tabs: each arrives on a task, as from a real wallet. */
const walletEvents = async () => {
  if (vi.isFakeTimers()) await vi.advanceTimersByTimeAsync(0)
  else await new Promise((resolve) => setTimeout(resolve, 0))
}

afterEach(() => {
  for (const store of stores.splice(0)) store.destroy()
  vi.useRealTimers()
})

describe('a dApp tested against the mock wallet', () => {
  it('§6, C3: the user approves: the dApp shows the primary party and reaches the Ledger API with the wallet token', async () => {
    const provider = createMockProvider()
    const store = appStore(provider)

    const state = await store.connect()

    expect(state).toMatchObject({ status: 'connected', account: { partyId: 'alice::1220aa' }, networkId: 'canton:devnet' })
    expect(getLedgerAuth(store)?.headers).toEqual({ Authorization: 'Bearer mock-token-1' })
    store.destroy()
    expect(provider.listenerCount()).toBe(0)
  })

  it('§6, C4: the user declines: connect() resolves disconnected with the wallet code 4001, and a retry that the user approves connects', async () => {
    const provider = createMockProvider({ connectMode: 'reject' })
    const store = appStore(provider)

    const declined = await store.connect()

    expect(declined.status).toBe('disconnected')
    expect(declined.lastError?.code).toBe(4001)
    provider.wallet.setConnectMode('approve')
    expect((await store.connect()).status).toBe('connected')
  })

  it('§6, C3: an asynchronous wallet: the dApp gets the userUrl to send the user to, and connects once the user approves there', async () => {
    const provider = createMockProvider({ connectMode: 'async', userUrl: 'https://wallet.example/login/' })
    const store = appStore(provider)
    const pending = vi.fn()
    store.on('connect:pending', pending)

    const connecting = store.connect()
    await vi.waitFor(() => expect(pending).toHaveBeenCalledWith({ userUrl: 'https://wallet.example/login/' }))
    expect(store.getSnapshot().status).toBe('connecting')
    provider.wallet.approve()

    expect((await connecting).status).toBe('connected')
  })

  it('§6, C3: an asynchronous wallet whose user declines there: the dApp ends disconnected with 4001', async () => {
    const provider = createMockProvider({ connectMode: 'async' })
    const store = appStore(provider)
    const pending = vi.fn()
    store.on('connect:pending', pending)

    const connecting = store.connect()
    await vi.waitFor(() => expect(pending).toHaveBeenCalled())
    provider.wallet.reject()

    expect(await connecting).toMatchObject({ status: 'disconnected', lastError: { code: 4001 } })
  })

  it('§6, C7: the wallet drops for a moment: the dApp keeps the party visible while it reconnects on its backoff, and is connected again once the wallet is back', async () => {
    vi.useFakeTimers()
    const provider = createMockProvider()
    const store = appStore(provider, { reconnect: true })
    const scheduled: number[] = []
    store.on('reconnect:scheduled', (e) => scheduled.push(e.delayMs))
    await store.connect()

    provider.wallet.drop()
    await walletEvents()
    expect(store.getSnapshot()).toMatchObject({ status: 'reconnecting', account: { partyId: 'alice::1220aa' } })
    await vi.advanceTimersByTimeAsync(500) // the first attempt finds the wallet still unreachable
    expect(scheduled).toEqual([500, 1000])

    provider.wallet.recover()
    await vi.advanceTimersByTimeAsync(0)
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', account: { partyId: 'alice::1220aa' } })
  })

  it('§6, C11: the user switches party in the wallet: the dApp follows it and tells its listeners', async () => {
    const provider = createMockProvider()
    const store = appStore(provider)
    const changes = vi.fn()
    store.on('party:changed', changes)
    await store.connect()

    provider.wallet.switchParty('bob::1220bb')
    await walletEvents()

    expect(store.getSnapshot().account?.partyId).toBe('bob::1220bb')
    expect(changes).toHaveBeenCalledWith({ previous: 'alice::1220aa', current: 'bob::1220bb', source: 'local' }) // heard by this tab from its wallet, not from another tab (`remote`)
  })

  it('§6, L1: the user signs in again in the wallet: the dApp sends the new token to the Ledger API right away', async () => {
    const provider = createMockProvider()
    const store = appStore(provider)
    const sent: (string | null)[] = []
    const ledgerFetch = createLedgerFetch(store, {
      fetch: (_url, init) => {
        sent.push(new Headers(init?.headers).get('Authorization'))
        return Promise.resolve(new Response('{}'))
      },
    })
    await store.connect()

    provider.wallet.rotateToken({ announce: true })
    await walletEvents()
    await ledgerFetch('/v2/version')

    expect(sent).toEqual(['Bearer mock-token-2'])
  })

  it('§6, M3: two tabs over one wallet: the second tab follows the first one\'s connect, party switch and sign-out', async () => {
    const wallet = createMockWallet()
    const hub = createChannelHub()
    const lockManager = createMockLockManager()
    const storage = createMemoryStorage() // the origin's storage, shared by its tabs
    const tab = () => appStore(createMockProvider({ wallet }), { storage, broadcast: { channelFactory: hub.channelFactory, lockManager } })
    const [a, b] = [tab(), tab()]

    await a.connect()
    await vi.waitFor(() => expect(b.getSnapshot().status).toBe('connected'))
    wallet.switchParty('bob::1220bb')
    await walletEvents()
    expect([a.getSnapshot().account?.partyId, b.getSnapshot().account?.partyId]).toEqual(['bob::1220bb', 'bob::1220bb'])

    await b.disconnect()
    await vi.waitFor(() => expect(a.getSnapshot().status).toBe('disconnected'))
    expect(wallet.state().connected).toBe(false)
    a.destroy()
    b.destroy()
    expect(hub.openCount()).toBe(0)
  })
})
