// The runnable examples of the docs (a store set up with the mock wallet), run as the pages show
// them, with what each page says they do checked.
import * as crypto from '@sessionlayer/session-crypto'
import * as sync from '@sessionlayer/session-sync'
import * as testing from '@sessionlayer/session-testing'
import * as fakeIndexedDB from 'fake-indexeddb'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { docBlock, runDocBlock } from '../test/docBlocks'
import * as core from './index'
import * as ledger from './ledger'
import type { SessionStore, SessionStoreOptions } from './types'

/** The modules a block imports, recording the stores and mock providers it makes. */
function modules() {
  const stores: SessionStore[] = []
  const options: (SessionStoreOptions | undefined)[] = []
  const providers: testing.MockProvider[] = []
  return {
    stores,
    options,
    providers,
    modules: {
      '@sessionlayer/session-core': { ...core, createSessionStore: (...args: Parameters<typeof core.createSessionStore>) => (options.push(args[1]), stores[stores.push(core.createSessionStore(...args)) - 1]!) },
      '@sessionlayer/session-core/ledger': ledger,
      '@sessionlayer/session-crypto': crypto,
      '@sessionlayer/session-testing': { ...testing, createMockProvider: (...args: Parameters<typeof testing.createMockProvider>) => providers[providers.push(testing.createMockProvider(...args)) - 1]! },
    },
  }
}

/** Runs the block of `page` that contains `marker`; resolves with the one store and provider it made, and what it logged. */
async function run(page: string, marker: string, scope: Record<string, unknown> = {}, more: Record<string, object> = {}) {
  const { stores, options, providers, modules: imports } = modules()
  const logs: string[] = []
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logs.push(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' ')))
  const exports = await runDocBlock(docBlock(page, marker), { ...imports, ...more }, scope)
  expect(stores).toHaveLength(1)
  // the mock provider the block made or was given, if any
  const provider = providers[0] ?? (scope.provider as testing.MockProvider | undefined)
  return {
    store: stores[0]!,
    options,
    logs,
    exports,
    get provider() {
      if (!provider) throw new Error('the block made no mock provider')
      return provider
    },
    get wallet() {
      return this.provider.wallet
    },
  }
}

/** Lets the wallet's events on their way reach the tabs: each arrives on a task of its own, as from a real wallet. */
const walletEvents = () => vi.advanceTimersByTimeAsync(0)

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 })
})
afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
  vi.unstubAllGlobals()
})

describe('docs/getting-started/node.md', () => {
  it('C3, C7, C11: the script logs what its comments say, and the wallet coming back ends the reconnect with reconnect:succeeded', async () => {
    let done = false
    const script = run('docs/getting-started/node.md', 'provider.wallet.drop()').finally(() => (done = true))
    // the wallet's return reaches the store a task after the script's wait (a timer of 0 ms set in
    // a timer's callback, which fake timers run 1 ms later)
    await vi.advanceTimersByTimeAsync(150 + 1)
    expect(done).toBe(true)
    const { logs, store } = await script
    await vi.advanceTimersByTimeAsync(1) // the wallet's word of the sign-out, on its way to the destroyed store (sent from a timer's task: 1 ms later)
    expect(logs).toEqual([
      'connecting - -',
      'connected alice::1220aa canton:devnet',
      'connected bob::1220bb canton:devnet',
      'reconnecting bob::1220bb canton:devnet',
      '  retry #1 in 100 ms',
      // the failed probe sets lastError: a change of the state
      'reconnecting bob::1220bb canton:devnet',
      '  retry #2 in 200 ms',
      'connected bob::1220bb canton:devnet',
      'disconnected - -',
    ])
    expect(vi.getTimerCount()).toBe(0)
    expect(store.getSnapshot()).toBe(core.DISCONNECTED_STATE)
  })
})

describe('docs/guides/reconnect-and-expiry.md', () => {
  const page = 'docs/guides/reconnect-and-expiry.md'

  it('§2.1, C7: the reconnect example logs the default policy and its delays, and a drop it cannot reconnect shows every jittered retry, then the give-up with 4900', async () => {
    const toast = vi.fn()
    const { logs, store, wallet } = await run(page, "store.on('reconnect:scheduled'", { toast })
    expect(logs).toEqual([JSON.stringify({ baseDelayMs: 500, factor: 2, maxDelayMs: 30000, maxAttempts: 5, jitter: false }), JSON.stringify([500, 1000, 2000, 4000, 8000])])
    const delays: number[] = []
    store.on('reconnect:scheduled', ({ delayMs }) => void delays.push(delayMs))
    await store.connect()
    wallet.drop()
    await walletEvents()
    expect(store.getSnapshot()).toMatchObject({ status: 'reconnecting', account: { partyId: 'alice::1220aa' } })
    await vi.advanceTimersByTimeAsync(10 * 60_000)
    // merged over DEFAULT_RETRY_POLICY: 8 attempts, each in [50 %, 100 %] of min(500 × 2^(n−1), 30 000)
    expect(delays).toHaveLength(8)
    delays.forEach((delay, n) => {
      const nominal = Math.min(500 * 2 ** n, 30_000)
      expect(delay).toBeGreaterThanOrEqual(nominal / 2)
      expect(delay).toBeLessThanOrEqual(nominal)
    })
    expect(toast.mock.calls.map(([text]) => text as string)).toEqual([...delays.map((delay, n) => `Wallet unreachable: retry #${n + 1} in ${Math.round(delay / 1000)} s`), 'Gave up after 8 attempts (4900)'])
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', account: null, lastError: { code: 4900 } })
    store.destroy()
  })

  it('C8: in the reconnect example, the wallet coming back by itself during the backoff ends the reconnect: the store is connected again and toasts Reconnected', async () => {
    const toast = vi.fn()
    const { store, wallet, provider } = await run(page, "store.on('reconnect:scheduled'", { toast })
    await store.connect()
    wallet.drop()
    await walletEvents()
    toast.mockClear()
    const probes = () => provider.calls.filter(({ method }) => method === 'status').length
    const before = probes()
    wallet.recover()
    await walletEvents()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(toast.mock.calls).toEqual([['Reconnected']])
    expect(probes()).toBe(before)
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', account: { partyId: 'alice::1220aa' }, lastError: null })
    store.destroy()
  })

  it('C12: the expiry example ends an idle session 30 minutes after the last pointerdown, and toasts the reason', async () => {
    const toast = vi.fn()
    const document = new EventTarget()
    const { store } = await run(page, "document.addEventListener('pointerdown'", { toast, document })
    await store.connect()
    await vi.advanceTimersByTimeAsync(20 * 60_000)
    document.dispatchEvent(new Event('pointerdown'))
    await vi.advanceTimersByTimeAsync(30 * 60_000 - 1)
    expect(store.getSnapshot().status).toBe('connected')
    await vi.advanceTimersByTimeAsync(1)
    const expiredAt = 1_000_000 + 50 * 60_000
    expect(toast.mock.calls).toEqual([[`Session expired (idle) at ${new Date(expiredAt).toLocaleTimeString()}`]])
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 'SESSION_EXPIRED' } })
    store.destroy()
  })

  it('C12: the expiry example ends a session kept active 8 hours after it connected, reason ttl', async () => {
    const toast = vi.fn()
    const document = new EventTarget()
    const { store, wallet } = await run(page, "document.addEventListener('pointerdown'", { toast, document })
    await store.connect()
    expect(store.getSnapshot().expiresAt).toBe(1_000_000 + 8 * 3_600_000)
    for (let minutes = 0; minutes < 8 * 60 - 20; minutes += 20) {
      await vi.advanceTimersByTimeAsync(20 * 60_000)
      document.dispatchEvent(new Event('pointerdown'))
    }
    expect(store.getSnapshot().status).toBe('connected')
    await vi.advanceTimersByTimeAsync(20 * 60_000)
    expect(toast.mock.calls).toEqual([[`Session expired (ttl) at ${new Date(1_000_000 + 8 * 3_600_000).toLocaleTimeString()}`]])
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 'SESSION_EXPIRED' } })
    expect(wallet.state().connected).toBe(false)
    store.destroy()
  })

  /** The re-auth example, its session expired (TTL 1 h), with three signatures submitted meanwhile. */
  async function reauth() {
    let answer!: (yes: boolean) => void
    const askUserToSignInAgain = vi.fn<(signal: AbortSignal) => Promise<boolean>>(() => new Promise((resolve) => (answer = resolve)))
    const { store, wallet, exports } = await run(page, 'async onReauthRequired({ signal })', { askUserToSignInAgain })
    const sign = exports.sign as (message: string) => Promise<{ signature: string }>
    await store.connect()
    await vi.advanceTimersByTimeAsync(3_600_000)
    expect(askUserToSignInAgain).toHaveBeenCalledTimes(1)
    expect(store.getSnapshot()).toMatchObject({ status: 'reconnecting', account: { partyId: 'alice::1220aa' } })
    const signed = ['a', 'b', 'c'].map((message) => sign(message).then((result) => ({ result }), (error: unknown) => ({ error })))
    const signal = askUserToSignInAgain.mock.calls[0]![0]
    return { store, wallet, sign, signed, signal, answer }
  }

  it('C12, C13: the re-auth example — the user signs in again: connected with a fresh TTL, and the signatures submitted meanwhile run after it, in submission order', async () => {
    const { store, wallet, signed, answer } = await reauth()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(wallet.calls.filter(({ method }) => method === 'signMessage')).toEqual([])
    answer(true)
    expect(await Promise.all(signed)).toEqual(['a', 'b', 'c'].map((message) => ({ result: { signature: `mock-signature:${message}` } })))
    expect(wallet.calls.filter(({ method }) => method === 'signMessage').map(({ params }) => params)).toEqual([{ message: 'a' }, { message: 'b' }, { message: 'c' }])
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', lastError: null, expiresAt: 1_000_000 + 3_600_000 + 60_000 + 3_600_000 })
    store.destroy()
  })

  it('C6, C13: the re-auth example — the user chooses Sign out: disconnected with no error, the hook\'s signal aborted, the signatures rejected with REAUTH_FAILED, "The session ended before the operation ran" and no cause', async () => {
    const { store, wallet, signed, signal, answer } = await reauth()
    answer(false)
    const outcomes = await Promise.all(signed)
    for (const outcome of outcomes) expect(outcome).toEqual({ error: expect.objectContaining({ code: 'REAUTH_FAILED', message: 'The session ended before the operation ran', cause: null }) })
    expect(signal.aborted).toBe(true)
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', account: null, lastError: null })
    expect(wallet.state().connected).toBe(false)
    store.destroy()
  })

  it('C12, C13: the re-auth example — the user declines in the wallet (4001): the re-auth fails, REAUTH_FAILED with that error as cause, for the session and the signatures', async () => {
    const { store, wallet, signed, answer } = await reauth()
    wallet.failNext('connect', { code: 4001 })
    answer(true)
    const outcomes = await Promise.all(signed)
    for (const outcome of outcomes) expect(outcome).toEqual({ error: expect.objectContaining({ code: 'REAUTH_FAILED', cause: expect.objectContaining({ code: 4001 }) }) })
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 'REAUTH_FAILED', cause: { code: 4001 } } })
    store.destroy()
  })

  it('C12, C13: the re-auth example — a prompt left unanswered fails the re-auth 5 minutes after the expiry, with a TIMEOUT cause, and aborts the signal', async () => {
    const { store, signed, signal } = await reauth()
    await vi.advanceTimersByTimeAsync(300_000 - 1)
    expect(store.getSnapshot().status).toBe('reconnecting')
    expect(signal.aborted).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(signal.aborted).toBe(true)
    for (const outcome of await Promise.all(signed)) expect(outcome).toEqual({ error: expect.objectContaining({ code: 'REAUTH_FAILED', cause: expect.objectContaining({ code: 'TIMEOUT' }) }) })
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 'REAUTH_FAILED', cause: { code: 'TIMEOUT' } } })
    store.destroy()
  })

  it('C13: the re-auth example holds 16 signatures during a re-auth; the 17th rejects at once with QUEUE_FULL, and destroy() rejects those held with DESTROYED', async () => {
    const { store, sign, signed } = await reauth()
    const more = Array.from({ length: 13 }, (_, n) => sign(`m${n}`).catch((error: unknown) => error))
    await expect(sign('one too many')).rejects.toMatchObject({ code: 'QUEUE_FULL' })
    store.destroy()
    for (const outcome of await Promise.all(signed)) expect(outcome).toEqual({ error: expect.objectContaining({ code: 'DESTROYED' }) })
    for (const error of await Promise.all(more)) expect(error).toMatchObject({ code: 'DESTROYED' })
  })

  it('C12: the idle timeout lives with the open pages: a page opened again after its deadline passed with every page closed restores the session, and counts the idle time from that restore', async () => {
    const storage = core.createMemoryStorage()
    const wallet = testing.createMockWallet()
    const page = () => core.createSessionStore(testing.createMockProvider({ wallet }), { storage, expiry: { idleTimeoutMs: 60_000 } })
    const first = page()
    await first.connect()
    await vi.advanceTimersByTimeAsync(30_000)
    first.destroy()
    // five minutes later, past the idle deadline of 1_090_000
    await vi.advanceTimersByTimeAsync(300_000)
    const again = page()
    const expired = vi.fn()
    again.on('session:expired', expired)
    expect(await again.restore()).toMatchObject({ status: 'connected', account: { partyId: 'alice::1220aa' }, lastError: null })
    await vi.advanceTimersByTimeAsync(59_999)
    expect(expired).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(expired).toHaveBeenCalledExactlyOnceWith({ expiredAt: 1_000_000 + 330_000 + 60_000, reason: 'idle' })
    again.destroy()
  })

  it('C7: without a reconnect policy a drop makes the store disconnected with lastError 4900, as the table says', async () => {
    const provider = testing.createMockProvider()
    const store = core.createSessionStore(provider, { storage: core.createMemoryStorage() })
    await store.connect()
    provider.wallet.drop()
    await vi.advanceTimersByTimeAsync(0)
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', account: null, lastError: { code: 4900 } })
    store.destroy()
  })
})

describe('docs/guides/multi-tab.md', () => {
  it('M1, C11, C6: the set-up works single-tab in Node (no channel on a server), and onInvalidate logs each change with its type and a local source', async () => {
    const { store, wallet, logs } = await run('docs/guides/multi-tab.md', "broadcast: true, // or { channelFactory?, lockManager? }")
    await store.connect()
    wallet.switchParty('bob::1220bb')
    wallet.switchNetwork('canton:testnet')
    await walletEvents()
    await store.disconnect()
    expect(logs).toEqual(['drop caches: party:changed (local)', 'drop caches: network:changed (local)', 'drop caches: disconnected (local)'])
    store.destroy()
  })
})

describe('docs/guides/ledger-api.md', () => {
  it('L1, L2: activeContracts() reads the ledger end, then posts the active party\'s filter to the Ledger API of the live session, with its bearer token; not connected, it throws', async () => {
    const sent: { url: string; method: string; authorization: string | null; body: unknown }[] = []
    vi.stubGlobal('fetch', async (input: string, init?: RequestInit) => {
      sent.push({ url: input, method: init?.method ?? 'GET', authorization: new Headers(init?.headers).get('Authorization'), body: typeof init?.body == 'string' ? JSON.parse(init.body) : null })
      return Response.json(input.endsWith('/ledger-end') ? { offset: 42 } : [{ contractEntry: {} }])
    })
    const { store, exports } = await run('docs/guides/ledger-api.md', 'export async function activeContracts()')
    const activeContracts = exports.activeContracts as () => Promise<unknown>
    await expect(activeContracts()).rejects.toThrow('Not connected')
    await store.connect()
    await expect(activeContracts()).resolves.toEqual([{ contractEntry: {} }])
    expect(sent).toEqual([
      { url: 'http://127.0.0.1:7575/v2/state/ledger-end', method: 'GET', authorization: 'Bearer mock-token-1', body: null },
      {
        url: 'http://127.0.0.1:7575/v2/state/active-contracts',
        method: 'POST',
        authorization: 'Bearer mock-token-1',
        body: { activeAtOffset: 42, eventFormat: { filtersByParty: { 'alice::1220aa': { cumulative: [] } }, verbose: false } },
      },
    ])
    store.destroy()
  })
})

describe('docs/guides/persistence.md', () => {
  it('K8, C15: the per-tab storage keeps the session encrypted in sessionStorage, and its envelope is read back through that storage', async () => {
    const entries = new Map<string, string>()
    vi.stubGlobal('sessionStorage', { getItem: (key: string) => entries.get(key) ?? null, setItem: (key: string, value: string) => void entries.set(key, value), removeItem: (key: string) => void entries.delete(key) })
    const warn = vi.spyOn(console, 'warn')
    const { store, options } = await run('docs/guides/persistence.md', 'const perTab: SessionStorage = createEncryptedStorage(')
    await store.connect()
    await vi.waitFor(() => expect(entries.size).toBe(1))
    const stored = entries.get('sessionlayer.session')!
    expect(stored).not.toContain('alice')
    expect(warn).not.toHaveBeenCalled()
    // what the store persisted, read back through the example's storage: the session envelope
    const perTab = options[0]!.storage!
    expect(crypto.decodeSessionEnvelope(await perTab.getItem('sessionlayer.session'))).toMatchObject({ account: { partyId: 'alice::1220aa' }, networkId: 'canton:devnet' })
    store.destroy()
  })

  it('§2.5: without a sessionStorage (a server), each operation of the per-tab storage fails as a storage:error, and the session goes on', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const { store } = await run('docs/guides/persistence.md', 'const perTab: SessionStorage = createEncryptedStorage(')
    expect((await store.connect()).status).toBe('connected')
    await vi.waitFor(() => expect(warn.mock.calls.map(([text]) => text as string)).toContain('session storage set failed'))
    expect(store.getSnapshot().status).toBe('connected')
    store.destroy()
  })
})

describe('docs/guides/persistence.md#storage-backends', () => {
  it('C9, K2: a storage that answers undefined for an absent entry (idb-keyval\'s get, a Map) is read as holding none — by the store, readSessionState and restoreSession — with no storage:error', async () => {
    const map = new Map<string, string>()
    const storage = { getItem: (key: string) => Promise.resolve(map.get(key)), setItem: (key: string, value: string) => Promise.resolve(void map.set(key, value)), removeItem: (key: string) => Promise.resolve(void map.delete(key)) }
    const failures: unknown[] = []
    const absent = core.createSessionStore(testing.createMockProvider(), { storage: storage as unknown as core.SessionStoreOptions['storage'] })
    absent.on('storage:error', (e) => void failures.push(e))
    expect(await absent.restore()).toMatchObject({ status: 'disconnected', lastError: null })
    await expect(core.readSessionState(storage as never)).resolves.toBe(core.DISCONNECTED_STATE)
    await expect(crypto.restoreSession(storage as never, 'sessionlayer.session')).resolves.toBeNull()
    const wallet = testing.createMockWallet({ connected: true })
    const live = core.createSessionStore(testing.createMockProvider({ wallet }), { storage: storage as unknown as core.SessionStoreOptions['storage'] })
    live.on('storage:error', (e) => void failures.push(e))
    expect(await live.restore()).toMatchObject({ status: 'connected', account: { partyId: 'alice::1220aa' } })
    await vi.advanceTimersByTimeAsync(0)
    expect(crypto.decodeSessionEnvelope(map.get('sessionlayer.session') ?? null)).toMatchObject({ account: { partyId: 'alice::1220aa' } })
    expect(failures).toEqual([])
    absent.destroy()
    live.destroy()
  })
})

describe('packages/session-core/README.md', () => {
  it('C2, C3, C6, C11: the first example logs what its comments say', async () => {
    const script = run('packages/session-core/README.md', "provider.wallet.switchParty('bob::1220bb')\nawait new Promise")
    await vi.advanceTimersByTimeAsync(0) // the block's wait for the wallet's event
    const { logs, store } = await script
    expect(logs).toEqual(['connecting -', 'connected alice::1220aa', 'connected bob::1220bb', 'disconnected -'])
    expect(store.getSnapshot()).toBe(core.DISCONNECTED_STATE)
  })
})

/** The query clients the examples made. */
const clients: QueryClient[] = []

/** A stand-in for TanStack Query's `QueryClient`: what the examples call on it. */
class QueryClient {
  readonly calls: [string, unknown][] = []
  constructor() {
    clients.push(this)
  }
  invalidateQueries(filters: unknown) {
    this.calls.push(['invalidate', filters])
    return Promise.resolve()
  }
  removeQueries(filters: unknown) {
    this.calls.push(['remove', filters])
  }
}

describe('docs/guides/tanstack-query.md', () => {
  it('§2.1, C6, C11, C12: without the bindings, onInvalidate invalidates the session queries on a party or network switch and removes them on a sign-out or an expiry', async () => {
    const { store, wallet } = await run('docs/guides/tanstack-query.md', 'const filters = { queryKey: [SESSION_QUERY_KEY_ROOT] }', {}, { '@tanstack/react-query': { QueryClient } })
    const queryClient = clients.at(-1)!
    await store.connect()
    wallet.switchParty('bob::1220bb')
    wallet.switchNetwork('canton:testnet')
    await walletEvents()
    await store.disconnect()
    const filters = { queryKey: ['sessionlayer'] }
    expect(queryClient.calls).toEqual([['invalidate', filters], ['invalidate', filters], ['remove', filters]])
    store.destroy()
  })

  it('keepSessionData keeps the previous data while the previous key names the same network and party, and none after a switch', async () => {
    const { keepSessionData } = (await runDocBlock(docBlock('docs/guides/tanstack-query.md', 'export function keepSessionData('), { '@sessionlayer/session-react/query': core })) as {
      keepSessionData: (session: core.SessionKeySource) => (data: unknown, query: { queryKey: readonly unknown[] } | undefined) => unknown
    }
    const alice = { networkId: 'canton:devnet', account: { partyId: 'alice::1220aa' } }
    const keep = keepSessionData(alice)
    expect(keep('page 1', { queryKey: core.sessionQueryKey(alice, 'holdings', 1) })).toBe('page 1')
    expect(keep('bob', { queryKey: core.sessionQueryKey({ ...alice, account: { partyId: 'bob::1220bb' } }, 'holdings', 1) })).toBeUndefined()
    expect(keep('testnet', { queryKey: core.sessionQueryKey({ ...alice, networkId: 'canton:testnet' }, 'holdings', 1) })).toBeUndefined()
    expect(keep('other', { queryKey: ['todos', 'canton:devnet', 'alice::1220aa'] })).toBeUndefined()
    expect(keep('none', undefined)).toBeUndefined()
  })
})

describe('docs/migration/partylayer.md', () => {
  const page = 'docs/migration/partylayer.md'
  const marker = "reconnect: true, // was: reconnect: { baseDelayMs: 500"

  it('§2.1: computeBackoffDelay is not rounded to whole milliseconds: a fractional delay, a jittered one, stays as computed', () => {
    expect(core.computeBackoffDelay({ ...core.DEFAULT_RETRY_POLICY, baseDelayMs: 333, factor: 1.5 }, 3)).toBe(749.25)
    expect(core.computeBackoffDelay({ ...core.DEFAULT_RETRY_POLICY, jitter: true }, 2, () => 0.123)).toBe(1000 * (0.5 + 0.123 / 2))
  })

  it('C4, C11: the typical store of before and after logs a party switch with its source, and a declined connect by its code', async () => {
    const declined = await run(page, marker, { provider: testing.createMockProvider({ connectMode: 'reject' }) }, { '@tanstack/react-query': { QueryClient } })
    expect(declined.logs).toEqual(['declined'])
    declined.store.destroy()
    const { store, wallet, logs } = await run(page, marker, { provider: testing.createMockProvider() }, { '@tanstack/react-query': { QueryClient } })
    const queryClient = clients.at(-1)!
    wallet.switchParty('bob::1220bb')
    await walletEvents()
    expect(logs).toEqual(['party alice::1220aa → bob::1220bb (local)'])
    await vi.advanceTimersByTimeAsync(3_600_000)
    expect(logs).toEqual(['party alice::1220aa → bob::1220bb (local)', 'expired (ttl)'])
    // onInvalidate: invalidated on the switch, removed on the expiry
    expect(queryClient.calls).toEqual([
      ['invalidate', { queryKey: ['sessionlayer'] }],
      ['remove', { queryKey: ['sessionlayer'] }],
    ])
    store.destroy()
  })
})

describe('docs/reference.md#methods', () => {
  it('C2: subscribe(listener) calls listener(state, previous) once per real change: previous is the snapshot the change replaced, state the one getSnapshot() returns from then on', async () => {
    const provider = testing.createMockProvider()
    const store = core.createSessionStore(provider, { storage: core.createMemoryStorage() })
    const calls: [core.SessionState, core.SessionState, core.SessionState][] = []
    let before = store.getSnapshot()
    store.subscribe((state, previous) => {
      calls.push([state, previous, before])
      before = store.getSnapshot()
    })
    await store.connect()
    provider.wallet.switchParty('bob::1220bb')
    await walletEvents()
    await store.disconnect()
    expect(calls.map(([state]) => `${state.status} ${state.account?.partyId ?? '-'}`)).toEqual(['connecting -', 'connected alice::1220aa', 'connected bob::1220bb', 'disconnected -'])
    for (const [state, previous, shown] of calls) {
      expect(previous).toBe(shown)
      expect(state).not.toBe(previous)
    }
    expect(calls.at(-1)![0]).toBe(store.getSnapshot())
    store.destroy()
  })
})

describe('docs/reference.md#events', () => {
  it('§2.2: the invalidate event carries what onInvalidate receives, each time it is called, just before it', async () => {
    const provider = testing.createMockProvider()
    const heard: [string, unknown][] = []
    const store = core.createSessionStore(provider, { storage: core.createMemoryStorage(), expiry: { ttlMs: 60_000 }, onInvalidate: (event) => void heard.push(['onInvalidate', event]) })
    store.on('invalidate', (event) => void heard.push(['invalidate', event]))
    await store.connect()
    provider.wallet.switchParty('bob::1220bb')
    provider.wallet.switchNetwork('canton:testnet')
    await walletEvents()
    await store.disconnect()
    await walletEvents() // the wallet's word of the sign-out, before the user connects again
    await store.connect()
    await vi.advanceTimersByTimeAsync(60_000)
    const events = [
      { type: 'party:changed', previous: 'alice::1220aa', current: 'bob::1220bb', source: 'local' },
      { type: 'network:changed', previous: 'canton:devnet', current: 'canton:testnet', source: 'local' },
      { type: 'disconnected', previous: 'bob::1220bb', current: null, source: 'local' },
      { type: 'expired', previous: 'bob::1220bb', current: null, source: 'local' },
    ]
    expect(heard).toEqual(events.flatMap((event) => [['invalidate', event], ['onInvalidate', event]]))
    store.destroy()
  })
})

describe('docs/guides/nextjs.md#the-4-kb-cookie-limit', () => {
  const hex = (n: number) => n.toString(16).padStart(2, '0').repeat(32)
  const hints = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'niaj', 'olivia', 'peggy', 'rupert', 'sybil', 'trent', 'victor', 'walter', 'xavier', 'yvonne', 'zoe', 'amy']
  /** `n` accounts with Canton party ids (`<hint>::1220` + 64 hex digits), with every field of the official wallet or only partyId, primary and status. */
  const accounts = (n: number, every: boolean) =>
    hints.slice(0, n).map((hint, i) => {
      const account = { partyId: `${hint}::1220${hex(i)}`, primary: i === 0, status: 'allocated' }
      return every ? { ...account, hint, publicKey: hex(i + 1), namespace: `1220${hex(i)}`, networkId: 'canton:devnet', signingProviderId: 'participant' } : account
    })

  it.each([
    [7, true],
    [22, false],
  ])('§2.5: %i accounts fit in the cookie of the guide\'s wrapper (maxAge 8 h; every official field: %s), one more is rejected with a SessionError -32602 naming the size, and the previous cookie expires', async (n, every) => {
    const cookies: string[] = []
    const storage = core.createCookieStorage({ maxAge: 8 * 3600, adapter: { get: () => null, set: (cookie) => void cookies.push(cookie) } })
    const envelope = (list: ReturnType<typeof accounts>) => crypto.encodeSessionEnvelope({ account: list[0]!, accounts: list, networkId: 'canton:devnet', connectedAt: 1767225600000, expiresAt: 1767254400000 })
    await storage.setItem('sessionlayer.session', envelope(accounts(n, every)))
    expect(cookies).toHaveLength(1)
    const error = await storage.setItem('sessionlayer.session', envelope(accounts(n + 1, every))).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(core.SessionError)
    expect(error).toMatchObject({ code: -32602, message: expect.stringMatching(/ would be \d+ bytes, over the 4096-byte limit$/) })
    expect(cookies).toHaveLength(2)
    expect(cookies[1]).toMatch(/^sessionlayer\.sessionlayer\.session=[^;]*; .*Max-Age=0$/)
  })
})

/** What the block of `page` that contains `marker` logs, each call as its arguments (objects as they are). */
async function logsOf(page: string, marker: string, imports: Record<string, object>) {
  const logs: unknown[][] = []
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logs.push(args))
  await runDocBlock(docBlock(page, marker), imports)
  return logs
}

describe('the READMEs\' first examples', () => {
  it('§6: the test kit\'s mock wallet logs what the comments say', async () => {
    vi.useRealTimers() // the block waits a task for the wallet's event
    const logs = await logsOf('packages/session-testing/README.md', "console.log('primary:'", { '@sessionlayer/session-testing': testing })
    expect(logs).toEqual([
      [[expect.objectContaining({ partyId: 'alice::1220aa', primary: true }), expect.objectContaining({ partyId: 'bob::1220bb', primary: false })]],
      ['primary:', 'bob::1220bb'],
      [{ networkId: 'canton:devnet', ledgerApi: 'http://127.0.0.1:7575', accessToken: 'mock-token-1' }],
      [{ code: 4900, message: 'Disconnected' }],
    ])
  })

  it('K2, K3: session-crypto\'s example restores the party it persisted, and reconciles it against another live party', async () => {
    // fake-indexeddb answers on its own timers
    vi.useRealTimers()
    const logs = await logsOf('packages/session-crypto/README.md', 'console.log(session?.account?.partyId)', { '@sessionlayer/session-crypto': crypto, 'fake-indexeddb': fakeIndexedDB })
    expect(logs).toEqual([['alice::1220f00d'], [{ matches: false, diffs: [{ field: 'account', persisted: 'alice::1220f00d', live: 'bob::1220beef' }] }]])
  })

  it('M1, M2: session-sync\'s example delivers tab A\'s message to tab B only, and runs the locked function', async () => {
    const logs = await logsOf('packages/session-sync/README.md', "tabA.post('party', { current: 'alice::1' })", { '@sessionlayer/session-sync': sync, '@sessionlayer/session-testing': testing })
    await vi.advanceTimersByTimeAsync(0)
    expect(logs).toEqual([['party', { current: 'alice::1' }, 'from', expect.any(String)]])
  })
})

describe('docs/state-machine.md#errors', () => {
  it('the describe() example words each state, and toSessionError keeps a wallet error\'s code as a SessionError', async () => {
    const logs: unknown[][] = []
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logs.push(args))
    const { describe: words } = (await runDocBlock(docBlock('docs/state-machine.md', 'export function describe(state: SessionState)'), { '@sessionlayer/session-core': core })) as { describe: (state: core.SessionState) => string }
    expect(logs).toEqual([[true]])
    const state = (lastError: core.SessionError | null) => ({ ...core.DISCONNECTED_STATE, lastError })
    expect(words(core.DISCONNECTED_STATE)).toBe('disconnected')
    expect(words(state(core.toSessionError({ code: 4001, message: 'User rejected' })))).toBe('You declined the request in your wallet.')
    expect(words(state(new core.SessionError('The wallet did not answer', 'TIMEOUT')))).toBe('The wallet did not answer.')
    expect(words(state(new core.SessionError('The session expired', 'SESSION_EXPIRED')))).toBe('Your session expired. Connect again.')
    expect(words(state(core.toSessionError({ code: 4100, message: 'Unauthorized' })))).toBe('Unauthorized')
  })
})

describe('docs/guides/react-router.md, astro.md: the store module', () => {
  const page = 'docs/guides/react-router.md'
  const marker = '/** The page\'s one store. The server\'s copy is never restored: it stays disconnected. */'

  it('C9, §1: on the server (no window) the module\'s store is never restored and holds nothing open: restored is the disconnected state', async () => {
    const { store, exports } = await run(page, marker)
    await expect(exports.restored).resolves.toBe(core.DISCONNECTED_STATE)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(store.getSnapshot()).toBe(core.DISCONNECTED_STATE)
    expect(vi.getTimerCount()).toBe(0)
    store.destroy()
  })

  it('C4, C9: in a browser without a wallet the restore ends disconnected at once, with the stub\'s error, and connect() resolves with it in lastError; with reconnect, the restore would show reconnecting for 15.5 s', async () => {
    vi.stubGlobal('document', { cookie: '' })
    const { store, exports } = await run(page, marker, { window: {} })
    const scheduled = vi.fn()
    store.on('reconnect:scheduled', scheduled)
    const error = { code: 'UNKNOWN', message: 'No Canton wallet in this browser' }
    await expect(exports.restored).resolves.toMatchObject({ status: 'disconnected', lastError: error })
    await expect(store.connect()).resolves.toMatchObject({ status: 'disconnected', lastError: error })
    expect(scheduled).not.toHaveBeenCalled()
    // the stub, with reconnect on: the restore probe retried on the default schedule
    const retried = core.createSessionStore(store.getProvider(), { storage: core.createMemoryStorage(), reconnect: true })
    const restored = retried.restore()
    await vi.advanceTimersByTimeAsync(15_499)
    expect(retried.getSnapshot().status).toBe('reconnecting')
    await vi.advanceTimersByTimeAsync(1)
    await expect(restored).resolves.toMatchObject({ status: 'disconnected', lastError: error })
    store.destroy()
    retried.destroy()
  })
})

describe('docs/getting-started/react.md, vue.md, core.md: a browser without a wallet extension', () => {
  it('C9, C17: with a provider that never answers, the restore stays reconnecting for 75.5 s (TIMEOUT from 10 s) with reconnect: true, and a connect waits 5 minutes', async () => {
    // what `DappSyncProvider` over `WindowTransport` is where no extension listens to the page
    const silent: core.CIP0103Provider = { request: () => new Promise(() => {}), on: () => undefined, removeListener: () => undefined }
    const store = core.createSessionStore(silent, { storage: core.createMemoryStorage(), reconnect: true, broadcast: true })
    const restored = store.init()
    await vi.advanceTimersByTimeAsync(9_999)
    expect(store.getSnapshot()).toMatchObject({ status: 'reconnecting', lastError: null })
    await vi.advanceTimersByTimeAsync(1)
    expect(store.getSnapshot()).toMatchObject({ status: 'reconnecting', lastError: { code: 'TIMEOUT' } })
    await vi.advanceTimersByTimeAsync(75_499 - 10_000)
    expect(store.getSnapshot().status).toBe('reconnecting')
    await vi.advanceTimersByTimeAsync(1)
    await expect(restored).resolves.toMatchObject({ status: 'disconnected', lastError: { code: 'TIMEOUT' } })
    const connected = store.connect()
    await vi.advanceTimersByTimeAsync(5 * 60_000 - 1)
    expect(store.getSnapshot().status).toBe('connecting')
    await vi.advanceTimersByTimeAsync(1)
    await expect(connected).resolves.toMatchObject({ status: 'disconnected', lastError: { code: 'TIMEOUT' } })
    store.destroy()
  })
})
