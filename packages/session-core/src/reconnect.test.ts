import { inspect } from 'node:util'
import { createChannelHub, createMockLockManager, createMockProvider } from '@sessionlayer/session-testing'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryStorage } from './createMemoryStorage'
import { createSessionStore } from './createSessionStore'
import { computeBackoffDelay, DEFAULT_RETRY_POLICY, resolveRetryPolicy } from './retry'
import type { SessionEventMap, SessionEventType, SessionStoreOptions } from './types'

beforeEach(() => {
  vi.useFakeTimers({ now: 0 })
})
afterEach(() => {
  vi.useRealTimers()
})

/** Lets the wallet's events on their way reach the tab: each arrives on a task of its own, as from a real wallet. */
const walletEvents = () => vi.advanceTimersByTimeAsync(0)

async function connected(options: SessionStoreOptions = { reconnect: true }) {
  const provider = createMockProvider()
  const storage = createMemoryStorage()
  const store = createSessionStore(provider, { storage, ...options })
  const events: [SessionEventType, unknown, number][] = []
  for (const type of ['reconnect:scheduled', 'reconnect:attempt', 'reconnect:succeeded', 'reconnect:gaveup', 'party:changed'] as const) {
    store.on(type, (e: SessionEventMap[typeof type]) => events.push([type, e, Date.now()]))
  }
  await store.connect()
  // the events of the connection (statusChanged, connected) arrive a task after its answer
  await walletEvents()
  return { provider, wallet: provider.wallet, store, events, storage }
}

const probes = (provider: ReturnType<typeof createMockProvider>) => provider.calls.filter((c) => c.method === 'status').length

describe('reconnect', () => {
  it('computeBackoffDelay: exact offsets with the cap, and jitter within [50 %, 100 %]', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, maxDelayMs: 3000 }
    expect([1, 2, 3, 4, 5].map((n) => computeBackoffDelay(policy, n))).toEqual([500, 1000, 2000, 3000, 3000])
    const jittered = { ...policy, jitter: true }
    expect(computeBackoffDelay(jittered, 3, () => 0)).toBe(1000)
    expect(computeBackoffDelay(jittered, 3, () => 0.999999)).toBeCloseTo(2000, 2)
  })

  it('C7: computeBackoffDelay of an attempt before the first (0, negative, NaN) is the first attempt\'s delay, a huge attempt is maxDelayMs, and a zero base stays 0 however far factor^(n-1) overflows: never NaN', () => {
    const policy = DEFAULT_RETRY_POLICY
    expect([0, -1, -1e9, Number.NaN, Number.NEGATIVE_INFINITY].map((n) => computeBackoffDelay(policy, n))).toEqual([500, 500, 500, 500, 500])
    expect([1076, 1e6, Number.MAX_SAFE_INTEGER].map((n) => computeBackoffDelay(policy, n))).toEqual([30_000, 30_000, 30_000])
    // 0 × 2^1075 overflows to 0 × Infinity: a zero delay, not NaN
    const immediate = { ...policy, baseDelayMs: 0, maxAttempts: Infinity }
    expect([1, 2, 1075, 1076, 1e6].map((n) => computeBackoffDelay(immediate, n))).toEqual([0, 0, 0, 0, 0])
    expect(computeBackoffDelay({ ...immediate, jitter: true }, 1e6, () => 0.5)).toBe(0)
    // an endless base times a factor of 0 (Infinity × 0): the later delays are 0, as the factor makes them
    expect([1, 2, 3].map((n) => computeBackoffDelay({ ...policy, baseDelayMs: Infinity, factor: 0 }, n))).toEqual([30_000, 0, 0])
    // a factor below 1 shrinks each delay, down to 0, never below
    expect([1, 2, 3, 1e6].map((n) => computeBackoffDelay({ ...policy, factor: 0.5 }, n))).toEqual([500, 250, 125, 0])
    // jitter: uniformly in [50 %, 100 %] of the nominal delay, also for the capped one
    expect([0, 0.5, 0.999].map((r) => computeBackoffDelay({ ...policy, jitter: true }, 1e6, () => r))).toEqual([15_000, 22_500, 29_985])
  })

  it('C7: computeBackoffDelay of the endless attempt (a `maxAttempts: Infinity` policy\'s worst case) is the limit of its delays: a factor of 1 keeps baseDelayMs (1 ** Infinity is NaN), a growing one reaches maxDelayMs, a shrinking one 0', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, maxAttempts: Infinity }
    const steady = { ...policy, factor: 1 }
    expect([1, 2, 1e6, Number.MAX_SAFE_INTEGER, Infinity].map((n) => computeBackoffDelay(steady, n))).toEqual([500, 500, 500, 500, 500])
    expect(computeBackoffDelay({ ...steady, maxDelayMs: 200 }, Infinity)).toBe(200)
    expect(computeBackoffDelay({ ...steady, baseDelayMs: Infinity }, Infinity)).toBe(30_000)
    expect(computeBackoffDelay({ ...steady, baseDelayMs: 0 }, Infinity)).toBe(0)
    expect(computeBackoffDelay({ ...steady, jitter: true }, Infinity, () => 0.5)).toBe(375)
    // a factor of 1 plus or minus the least a double holds still grows to the cap, shrinks to 0
    expect([2, 1 + 2 ** -52, Infinity].map((factor) => computeBackoffDelay({ ...policy, factor }, Infinity))).toEqual([30_000, 30_000, 30_000])
    expect([0, 0.5, 1 - 2 ** -53].map((factor) => computeBackoffDelay({ ...policy, factor }, Infinity))).toEqual([0, 0, 0])
    expect([0, 1, 2, Infinity].map((factor) => computeBackoffDelay({ ...policy, factor, baseDelayMs: 0 }, Infinity))).toEqual([0, 0, 0, 0])
  })

  it('C7: computeBackoffDelay of an attempt number between 0 and 1 (below the first) is the first attempt\'s delay, never a shorter one', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, factor: 4 }
    expect([0.25, 0.5, 0.999].map((n) => computeBackoffDelay(policy, n))).toEqual([500, 500, 500])
    expect(computeBackoffDelay({ ...policy, jitter: true }, 0.5, () => 1)).toBe(500)
  })

  it('C7: a reconnect that retries at once without end (baseDelayMs 0, maxAttempts Infinity) schedules every attempt after 0 ms, never after NaN ms, also past the 1,075th (2^1075 overflows)', async () => {
    const { store, wallet, events } = await connected({ reconnect: { baseDelayMs: 0, maxAttempts: Infinity } })
    wallet.drop()
    // a delay of 0 ms each: every millisecond runs one attempt
    for (let i = 0; i < 1100; i++) await vi.advanceTimersByTimeAsync(1)
    const delays = events.filter(([t]) => t === 'reconnect:scheduled').map(([, e]) => (e as { attempt: number; delayMs: number }).delayMs)
    expect(delays.length).toBeGreaterThan(1080)
    expect(new Set(delays)).toEqual(new Set([0]))
    expect(store.getSnapshot().status).toBe('reconnecting')
    store.destroy()
  })

  it('C7: with jitter the store waits each drawn delay exactly, uniformly in [50 %, 100 %] of the nominal one, and tells it in reconnect:scheduled', async () => {
    const draws = [0, 0.5, 0.75]
    const random = vi.spyOn(Math, 'random').mockImplementation(() => draws.shift() ?? 0)
    try {
      const { store, wallet, events } = await connected({ reconnect: { jitter: true, maxAttempts: 3 } })
      const start = Date.now()
      wallet.drop()
      await vi.advanceTimersByTimeAsync(250 + 750 + 1750)
      expect(events.map(([type, e, at]) => [type, e, at - start])).toEqual([
        ['reconnect:scheduled', { attempt: 1, delayMs: 250 }, 0],
        ['reconnect:attempt', { attempt: 1 }, 250],
        ['reconnect:scheduled', { attempt: 2, delayMs: 750 }, 250],
        ['reconnect:attempt', { attempt: 2 }, 1000],
        ['reconnect:scheduled', { attempt: 3, delayMs: 1750 }, 1000],
        ['reconnect:attempt', { attempt: 3 }, 2750],
        ['reconnect:gaveup', { attempts: 3, lastError: expect.objectContaining({ code: 4900 }) }, 2750],
      ])
      store.destroy()
    } finally {
      random.mockRestore()
    }
  })

  it('C4, C7: giving up keeps the reason the wallet gave for not being connected', async () => {
    const { store, wallet, events } = await connected({ reconnect: { maxAttempts: 1 } })
    wallet.drop()
    await vi.advanceTimersByTimeAsync(500)
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 4900, message: 'wallet unreachable' } })
    expect(events.find(([t]) => t === 'reconnect:gaveup')?.[1]).toMatchObject({ lastError: { message: 'wallet unreachable' } })
  })

  it('C4, C15: a wallet reason that quotes a credential gives way to the store\'s own words, in lastError, reconnect:gaveup and the message to the other tabs; one that only names a token stays', async () => {
    const reason = 'session refused: Authorization: Bearer secret-token'
    const hub = createChannelHub()
    const { store, provider, events } = await connected({ reconnect: { maxAttempts: 1 }, broadcast: { channelFactory: hub.channelFactory, lockManager: createMockLockManager() } })
    const request = provider.request
    provider.request = (args) => (args.method === 'status' ? Promise.resolve({ connection: { isConnected: false, reason } }) : request(args))
    provider.emit('statusChanged', { connection: { isConnected: false, reason } })
    await vi.advanceTimersByTimeAsync(500)
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 4900, message: 'The wallet is not connected' } })
    expect(events.find(([t]) => t === 'reconnect:gaveup')?.[1]).toMatchObject({ lastError: { message: 'The wallet is not connected' } })
    expect(hub.sent.map((m) => (m.data as { kind: string }).kind)).toContain('gaveup')
    expect(inspect([store.getSnapshot(), events, hub.sent], { depth: Infinity, showHidden: true })).not.toContain('secret')
    // a drop without a reconnect policy, and a declined connect: the same
    const plain = await connected({})
    // (the status read that follows the first drop of a session: this wallet, out of reach, fails it)
    plain.provider.wallet.failNext('status', { code: 4900, message: 'out of reach' })
    plain.provider.emit('statusChanged', { connection: { isConnected: false, reason } })
    expect(plain.store.getSnapshot().lastError).toMatchObject({ code: 4900, message: 'The wallet disconnected' })
    const declined = createMockProvider({ connectMode: 'async' })
    const asking = createSessionStore(declined, { storage: createMemoryStorage() })
    const result = asking.connect()
    await vi.advanceTimersByTimeAsync(0)
    declined.emit('connected', { isConnected: false, reason: `declined, ${reason}` })
    expect((await result).lastError).toMatchObject({ code: 4001, message: 'The wallet declined the connection' })
    plain.provider.emit('connected', { isConnected: true })
    await vi.advanceTimersByTimeAsync(0)
    plain.provider.emit('statusChanged', { connection: { isConnected: false, reason: 'Invalid bearer token' } })
    expect(plain.store.getSnapshot().lastError).toMatchObject({ code: 4900, message: 'Invalid bearer token' })
  })

  it("C4, C15: the session's own access token, quoted by the wallet under no name the store knows (an opaque token in a message, a reason, an error's data), reaches no lastError, reconnect:gaveup or other tab", async () => {
    const token = 'opaque9f8e7d6c5b4a'
    const hub = createChannelHub()
    const broadcast = { channelFactory: hub.channelFactory, lockManager: createMockLockManager() }
    const shapes: [number, string, (provider: ReturnType<typeof createMockProvider>) => void][] = [
      [4100, 'Unknown wallet error', (p) => p.wallet.failNext('status', { code: 4100, message: `Session ${token} has expired` })],
      [4100, 'Unauthorized', (p) => p.wallet.failNext('status', { raw: { code: 4100, message: 'Unauthorized', data: { token } } })],
      [4900, 'The wallet is not connected', (p) => {
        const request = p.request
        p.request = (args) => (args.method === 'status' ? Promise.resolve({ connection: { isConnected: false, reason: `revoked ${token}` } }) : request(args))
      }],
    ]
    for (const [code, message, shape] of shapes) {
      const provider = createMockProvider({ accessToken: token })
      const store = createSessionStore(provider, { storage: createMemoryStorage(), reconnect: { maxAttempts: 1 }, broadcast })
      const events: unknown[] = []
      store.on('reconnect:gaveup', (e) => events.push(e))
      await store.connect()
      await walletEvents()
      shape(provider)
      provider.emit('statusChanged', { connection: { isConnected: false } })
      await vi.advanceTimersByTimeAsync(500)
      const { lastError } = store.getSnapshot()
      // the wallet's code is kept, for the app to tell what happened
      expect(lastError).toMatchObject({ code, message })
      expect(events).toHaveLength(1)
      const sinks = [store.getSnapshot(), events, hub.sent]
      for (const sink of [inspect(sinks, { depth: Infinity, showHidden: true }), inspect(structuredClone(sinks), { depth: Infinity }), JSON.stringify([lastError, lastError?.message, lastError?.cause, hub.sent])]) {
        expect(sink).not.toContain(token)
      }
      store.destroy()
    }
  })

  it('C7: a drop keeps the account visible and attempts at exactly the backoff offsets, probing status silently', async () => {
    const { store, wallet, provider, events } = await connected({ reconnect: { maxDelayMs: 1500, maxAttempts: 4 } })
    const start = Date.now()
    wallet.drop()
    await walletEvents()
    expect(store.getSnapshot().status).toBe('reconnecting')
    expect(store.getSnapshot().account?.partyId).toBe('alice::1220aa')
    await vi.advanceTimersByTimeAsync(500 + 1000 + 1500 + 1500)
    const attempts = events.filter(([t]) => t === 'reconnect:attempt').map(([, e, at]) => [(e as { attempt: number }).attempt, at - start])
    expect(attempts).toEqual([
      [1, 500],
      [2, 1500],
      [3, 3000],
      [4, 4500],
    ])
    expect(events.filter(([t]) => t === 'reconnect:scheduled').map(([, e]) => e)).toEqual([
      { attempt: 1, delayMs: 500 },
      { attempt: 2, delayMs: 1000 },
      { attempt: 3, delayMs: 1500 },
      { attempt: 4, delayMs: 1500 },
    ])
    expect(provider.calls.filter((c) => c.method === 'connect')).toHaveLength(1)
  })

  it('C2, C7: a reconnect that finds the same accounts keeps their objects: the account a selector or a watcher holds is still the current one', async () => {
    const { store, wallet } = await connected()
    const before = store.getSnapshot()
    wallet.drop()
    await vi.advanceTimersByTimeAsync(0)
    wallet.recover()
    await vi.advanceTimersByTimeAsync(500)
    const after = store.getSnapshot()
    expect(after.status).toBe('connected')
    expect(after.accounts).toBe(before.accounts)
    expect(after.account).toBe(before.account)
  })

  it('C7: a backoff delay beyond the 2^31 ms a timer can wait (24.8 days) is kept, as the TTL is (C12)', async () => {
    const day = 24 * 60 * 60 * 1000
    const { store, wallet, events } = await connected({ reconnect: { baseDelayMs: 30 * day, maxDelayMs: 60 * day, maxAttempts: 2 } })
    const start = Date.now()
    wallet.drop()
    await vi.advanceTimersByTimeAsync(30 * day - 1)
    expect(events.filter(([t]) => t === 'reconnect:attempt')).toEqual([])
    expect(store.getSnapshot().status).toBe('reconnecting')
    await vi.advanceTimersByTimeAsync(1)
    expect(events.filter(([t]) => t === 'reconnect:attempt').map(([, e, at]) => [e, at - start])).toEqual([[{ attempt: 1 }, 30 * day]])
    store.destroy()
    expect(vi.getTimerCount()).toBe(0)
    // an endless delay is the longest a timer waits at once: the attempt still runs
    const endless = await connected({ reconnect: { baseDelayMs: Infinity, maxDelayMs: Infinity, maxAttempts: 1 } })
    endless.wallet.drop()
    await vi.advanceTimersByTimeAsync(2 ** 31 - 1)
    expect(endless.events.filter(([t]) => t === 'reconnect:attempt').map(([, e]) => e)).toEqual([{ attempt: 1 }])
    endless.store.destroy()
  })

  it('C7: after maxAttempts failures it gives up: reconnect:gaveup, disconnected, lastError set', async () => {
    const { store, wallet, events } = await connected({ reconnect: { maxAttempts: 3 } })
    wallet.drop()
    await vi.advanceTimersByTimeAsync(500 + 1000 + 2000)
    expect(events.at(-1)?.[0]).toBe('reconnect:gaveup')
    expect(events.at(-1)?.[1]).toMatchObject({ attempts: 3 })
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', account: null, accounts: [] })
    expect(store.getSnapshot().lastError?.code).toBe(4900)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(events.at(-1)?.[0]).toBe('reconnect:gaveup')
  })

  it('C7: a RetryPolicy field that is not a number of 0 or more (NaN, negative) keeps its default: no NaN or negative delays', async () => {
    const policies = [{ baseDelayMs: Number.NaN }, { baseDelayMs: -100 }, { factor: Number.NaN }, { factor: -2 }, { maxDelayMs: Number.NaN }, { maxDelayMs: -1 }, { maxAttempts: Number.NaN }, { maxAttempts: -1 }]
    for (const reconnect of policies) {
      const { wallet, store, events } = await connected({ reconnect })
      wallet.drop()
      await vi.advanceTimersByTimeAsync(500 + 1000 + 2000 + 4000 + 8000)
      expect(events.filter(([t]) => t === 'reconnect:scheduled').map(([, e]) => (e as { delayMs: number }).delayMs)).toEqual([500, 1000, 2000, 4000, 8000])
      expect(events.find(([t]) => t === 'reconnect:gaveup')?.[1]).toMatchObject({ attempts: 5 })
      store.destroy()
    }
  })

  it('C7: a successful attempt restores connected with fresh accounts and network, and re-persists', async () => {
    const { store, wallet, events, storage, provider } = await connected()
    const reads = provider.calls.length
    wallet.drop()
    await storage.removeItem('sessionlayer.session')
    await vi.advanceTimersByTimeAsync(500)
    // the wallet comes back without telling this tab: only the next attempt can find out
    provider.detach()
    wallet.recover()
    wallet.switchNetwork('canton:testnet')
    wallet.switchParty('bob::1220bb')
    expect(store.getSnapshot().status).toBe('reconnecting')
    await vi.advanceTimersByTimeAsync(1000)
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', networkId: 'canton:testnet' })
    expect(store.getSnapshot().account?.partyId).toBe('bob::1220bb')
    expect(events.find(([t]) => t === 'reconnect:succeeded')?.[1]).toEqual({ attempt: 2 })
    // after the connect and the store's own reads (C3: the wallet announces no accounts on connect,
    // and its network only in the events that follow the answer)
    expect(provider.calls.map((c) => c.method).slice(reads)).toEqual(['status', 'status', 'listAccounts'])
    expect(await storage.getItem('sessionlayer.session')).toContain('canton:testnet')
  })

  it('§2.1, C7: maxAttempts: Infinity never gives up: an outage of a day stays reconnecting, probing every maxDelayMs, and the wallet coming back connects the store', async () => {
    const { store, wallet, provider, events } = await connected({ reconnect: { maxAttempts: Infinity, maxDelayMs: 60_000 } })
    wallet.drop()
    await vi.advanceTimersByTimeAsync(86_400_000)
    expect(store.getSnapshot()).toMatchObject({ status: 'reconnecting', account: { partyId: 'alice::1220aa' } })
    expect(events.some(([type]) => type === 'reconnect:gaveup')).toBe(false)
    // 500 ms, 1 s, … up to 60 s, then one a minute: some 1,440 probes in the day
    expect(probes(provider)).toBeGreaterThan(1400)
    wallet.recover()
    await vi.advanceTimersByTimeAsync(0)
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', lastError: null })
    store.destroy()
  })

  it('C7: a reconnect attempt never calls connect, and without a policy a drop disconnects at once', async () => {
    const { store, wallet, provider } = await connected({})
    wallet.drop()
    await walletEvents()
    expect(store.getSnapshot().status).toBe('disconnected')
    expect(store.getSnapshot().lastError?.code).toBe(4900)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(provider.calls.filter((c) => c.method === 'connect')).toHaveLength(1)
  })

  it.each([
    ['its user disconnects the dApp in it', (w: ReturnType<typeof createMockProvider>['wallet']) => w.disconnectFromWallet()],
    ['it disconnects on a request of another tab or app', (w: ReturnType<typeof createMockProvider>['wallet']) => void createMockProvider({ wallet: w }).request({ method: 'disconnect' })],
  ])('C6, C7: a wallet that says its session ended (reason "disconnect": %s) is a sign-out, no drop: disconnected at once with no error, the party and its queries gone, no attempt, the entry removed', async (_, end) => {
    const invalidations: unknown[] = []
    const { store, wallet, provider, events, storage } = await connected({ reconnect: true, onInvalidate: (e) => void invalidations.push(e) })
    const states: string[] = []
    store.subscribe((s) => states.push(s.status))
    end(wallet)
    await vi.advanceTimersByTimeAsync(0)
    expect(states).toEqual(['disconnected'])
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', account: null, accounts: [], lastError: null })
    expect(invalidations).toEqual([{ type: 'disconnected', previous: 'alice::1220aa', current: null, source: 'local' }])
    expect(await storage.getItem('sessionlayer.session')).toBeNull()
    const statusCalls = probes(provider)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(events.filter(([t]) => t.startsWith('reconnect:'))).toEqual([])
    expect(probes(provider)).toBe(statusCalls)
    // the user connects again from the wallet: the store follows, and a later drop reconnects (C8, C19)
    wallet.connectFromWallet()
    await vi.advanceTimersByTimeAsync(0)
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', account: { partyId: 'alice::1220aa' } })
    wallet.drop()
    await walletEvents()
    expect(store.getSnapshot()).toMatchObject({ status: 'reconnecting', account: { partyId: 'alice::1220aa' } })
    expect(events.filter(([t]) => t === 'reconnect:scheduled')).toHaveLength(1)
  })

  it('C7: a drop whose reason is any other word, or none, still reconnects', async () => {
    for (const reason of [undefined, 'wallet unreachable', 'disconnected', 'Disconnect', 'DISCONNECT', ' disconnect', 'disconnect ', 'disconnect: timeout', '']) {
      const { store, wallet, events } = await connected()
      wallet.emitRaw('statusChanged', { connection: { isConnected: false, ...(reason !== undefined && { reason }) } })
      await walletEvents()
      expect(store.getSnapshot()).toMatchObject({ status: 'reconnecting', account: { partyId: 'alice::1220aa' } })
      expect(events.map(([t]) => t)).toEqual(['reconnect:scheduled'])
      store.destroy()
      // without a policy, a drop that keeps the wallet's word as its 4900; the exact 'disconnect' alone is a sign-out
      // (the first drop of a session, after the wallet's words of its connect, is followed by a status read,
      // which this wallet, out of reach, fails: the drop's word stands)
      const bare = await connected({})
      bare.wallet.failNext('status', { code: 4900, message: 'out of reach' })
      bare.wallet.emitRaw('statusChanged', { connection: { isConnected: false, ...(reason !== undefined && { reason }) } })
      await walletEvents()
      expect(bare.store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 4900, message: [undefined, ''].includes(reason) ? 'The wallet disconnected' : reason } })
      bare.store.destroy()
    }
    const { store, wallet } = await connected({})
    wallet.failNext('status', { code: 4900, message: 'out of reach' })
    wallet.emitRaw('statusChanged', { connection: { isConnected: false, reason: 'disconnect' } })
    await walletEvents()
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: null })
  })

  describe('C6, C7: the wallet says its session ended (reason "disconnect") while the store is not connected', () => {
    const ended = { connection: { isConnected: false, reason: 'disconnect' } }
    /** A connect() under way in a wallet of that mode, and the wallet's word that its session ended. */
    const endedWhileConnecting = async (mode: 'manual' | 'async') => {
      const { store, wallet } = await connected({})
      await store.disconnect()
      wallet.setConnectMode(mode)
      const connecting = store.connect()
      await vi.advanceTimersByTimeAsync(0)
      wallet.emitRaw('statusChanged', ended)
      return { store, wallet, connecting }
    }

    it.each([
      ['in the backoff before an attempt', false],
      ['as an attempt finds the wallet back and reads its accounts', true],
    ])('during a reconnect (%s): a sign-out, no give-up: disconnected at once with no error, no further attempt, the party and the entry gone', async (_, back) => {
      const invalidations: unknown[] = []
      const { store, wallet, provider, events, storage } = await connected({ reconnect: true, onInvalidate: (e) => void invalidations.push(e) })
      wallet.drop()
      await vi.advanceTimersByTimeAsync(100)
      if (back) {
        await vi.advanceTimersByTimeAsync(400) // attempt 1 fails (unreachable): attempt 2 is scheduled
        wallet.hangNext('listAccounts')
        wallet.recover() // the wallet is back, connected: the store reads its accounts
        await vi.advanceTimersByTimeAsync(0)
        wallet.disconnectFromWallet() // and its user disconnects the dApp in it
      } else wallet.emitRaw('statusChanged', ended)
      await walletEvents()
      expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', account: null, lastError: null })
      const seen = events.length
      const statusCalls = probes(provider)
      await vi.advanceTimersByTimeAsync(60_000)
      expect(events.slice(seen)).toEqual([])
      expect(events.map(([t]) => t)).not.toContain('reconnect:gaveup')
      expect(probes(provider)).toBe(statusCalls)
      expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: null })
      expect(invalidations).toEqual([{ type: 'disconnected', previous: 'alice::1220aa', current: null, source: 'local' }])
      expect(await storage.getItem('sessionlayer.session')).toBeNull()
    })

    it.each([{}, { reconnect: true }])('C9: during a restore whose wallet said it is connected (its accounts still being read): the restore ends disconnected with no error and no attempt, the entry gone (%o)', async (options) => {
      const { store: first, provider, storage } = await connected({})
      first.destroy()
      const invalidations: unknown[] = []
      const store = createSessionStore(provider, { storage, onInvalidate: (e) => void invalidations.push(e), ...options })
      const scheduled = vi.fn()
      store.on('reconnect:scheduled', scheduled)
      provider.wallet.hangNext('listAccounts')
      const restoring = store.restore()
      await vi.advanceTimersByTimeAsync(0)
      provider.wallet.disconnectFromWallet()
      await vi.advanceTimersByTimeAsync(0)
      expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', account: null, lastError: null })
      expect(await restoring).toMatchObject({ status: 'disconnected', lastError: null })
      await vi.advanceTimersByTimeAsync(60_000)
      expect(scheduled).not.toHaveBeenCalled()
      expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: null })
      expect(invalidations).toEqual([{ type: 'disconnected', previous: 'alice::1220aa', current: null, source: 'restore' }])
      expect(await storage.getItem('sessionlayer.session')).toBeNull()
    })

    it('during a reconnect whose attempt is the first to hear it (the status answer says "disconnect": the event was sent while the wallet was out of reach): a sign-out too, no further attempt, no give-up', async () => {
      const { store, wallet, provider, events } = await connected({ reconnect: true })
      wallet.drop()
      const request = provider.request.bind(provider)
      provider.request = ((args: { method: string }) => (args.method === 'status' ? Promise.resolve({ isConnected: false, reason: 'disconnect' }) : request(args)))
      await vi.advanceTimersByTimeAsync(500) // attempt 1
      expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', account: null, lastError: null })
      await vi.advanceTimersByTimeAsync(60_000)
      expect(events.map(([t]) => t)).toEqual(['reconnect:scheduled', 'reconnect:attempt'])
    })

    it('C9, C10: during a restore that still reads the persisted entry (the wallet said nothing yet), the restore goes on: its probe ends it as any restore that finds the wallet not connected, the app told of the party it had', async () => {
      const { store: first, provider, storage } = await connected({})
      first.destroy()
      let release = () => {}
      const held = new Promise<void>((resolve) => (release = resolve))
      const invalidations: unknown[] = []
      const slow = { ...storage, getItem: async (key: string) => (await held, storage.getItem(key)) }
      const store = createSessionStore(provider, { storage: slow, onInvalidate: (e) => void invalidations.push(e) })
      const restoring = store.restore()
      provider.wallet.disconnectFromWallet()
      await vi.advanceTimersByTimeAsync(0)
      expect(store.getSnapshot().status).toBe('reconnecting')
      release()
      expect(await restoring).toMatchObject({ status: 'disconnected', lastError: null })
      expect(invalidations).toEqual([{ type: 'disconnected', previous: 'alice::1220aa', current: null, source: 'restore' }])
    })

    it('C3: while connect() waits for the wallet\'s answer, the word is the wallet\'s state as it opens its prompt: the user\'s approval connects', async () => {
      const { store, wallet, connecting } = await endedWhileConnecting('manual')
      expect(store.getSnapshot().status).toBe('connecting')
      wallet.approve()
      expect(await connecting).toMatchObject({ status: 'connected', lastError: null })
    })

    it('C3, C4: while an asynchronous wallet waits for the user, the word ends that connect as a failure connect() resolves with (4001)', async () => {
      const { connecting } = await endedWhileConnecting('async')
      // the word reaches the tab a task later; the one of the disconnect() before it, answered
      // already, came first and declined nothing
      await vi.advanceTimersByTimeAsync(0)
      expect(await connecting).toMatchObject({ status: 'disconnected', lastError: { code: 4001 } })
    })

    it('C12: during a re-auth, the hook decides: a hook that resolves with the wallet no longer connected fails the re-auth (REAUTH_FAILED)', async () => {
      let resolve = () => {}
      const { store, wallet } = await connected({ expiry: { ttlMs: 1_000, onReauthRequired: () => new Promise<void>((r) => (resolve = r)) } })
      await vi.advanceTimersByTimeAsync(1_000)
      expect(store.getSnapshot().status).toBe('reconnecting')
      wallet.disconnectFromWallet()
      await vi.advanceTimersByTimeAsync(0)
      expect(store.getSnapshot().status).toBe('reconnecting')
      resolve()
      await vi.advanceTimersByTimeAsync(0)
      expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 'REAUTH_FAILED' } })
    })

    it.each([false, true])('C19: right after the user connected again from the wallet (its accounts read: %s), the word ends that session with no error and no attempt', async (read) => {
      const { store, wallet, events } = await connected({ reconnect: true })
      await store.disconnect()
      if (!read) wallet.hangNext('listAccounts')
      wallet.connectFromWallet()
      await vi.advanceTimersByTimeAsync(0)
      expect(store.getSnapshot().status).toBe(read ? 'connected' : 'disconnected')
      wallet.disconnectFromWallet()
      await vi.advanceTimersByTimeAsync(60_000)
      expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', account: null, lastError: null })
      expect(events.filter(([t]) => t.startsWith('reconnect:'))).toEqual([])
    })
  })

  it('C8: a second drop during an attempt does not start a parallel schedule', async () => {
    const { wallet, provider, events } = await connected()
    wallet.drop()
    wallet.emitRaw('statusChanged', { connection: { isConnected: false } })
    wallet.emitRaw('statusChanged', { connection: { isConnected: false } })
    await vi.advanceTimersByTimeAsync(500)
    wallet.emitRaw('statusChanged', { connection: { isConnected: false } })
    await vi.advanceTimersByTimeAsync(1000)
    expect(events.filter(([t]) => t === 'reconnect:scheduled').map(([, e]) => (e as { attempt: number }).attempt)).toEqual([1, 2, 3])
    expect(probes(provider)).toBe(2)
  })

  it('C8: the wallet recovering by itself cancels the pending attempt', async () => {
    const { store, wallet, provider } = await connected()
    wallet.drop()
    wallet.recover()
    await vi.advanceTimersByTimeAsync(0)
    expect(store.getSnapshot().status).toBe('connected')
    await vi.advanceTimersByTimeAsync(60_000)
    expect(probes(provider)).toBe(0)
  })

  it('C8: the wallet recovering by itself during backoff: the pending attempt never runs, the store is connected with the wallet\'s accounts and network read afresh, and the next drop reconnects again', async () => {
    const { store, wallet, provider, events } = await connected()
    const before = store.getSnapshot()
    wallet.drop()
    await vi.advanceTimersByTimeAsync(200)
    expect(store.getSnapshot()).toMatchObject({ status: 'reconnecting', account: before.account })
    const reads = provider.calls.length
    wallet.switchParty('bob::1220bb')
    wallet.recover()
    await vi.advanceTimersByTimeAsync(0)
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', networkId: 'canton:devnet', lastError: null, account: { partyId: 'bob::1220bb' } })
    expect(store.getSnapshot().accounts.map((a) => a.partyId)).toEqual(['alice::1220aa', 'bob::1220bb'])
    expect(provider.calls.slice(reads).map((c) => c.method)).not.toContain('connect')
    await vi.advanceTimersByTimeAsync(60_000)
    expect(probes(provider)).toBe(0)
    expect(events.map(([type, e]) => [type, e])).toEqual([
      ['reconnect:scheduled', { attempt: 1, delayMs: 500 }],
      ['reconnect:succeeded', { attempt: 1 }],
      ['party:changed', { previous: 'alice::1220aa', current: 'bob::1220bb', source: 'local' }],
    ])
    wallet.drop()
    await walletEvents()
    expect(store.getSnapshot().status).toBe('reconnecting')
    expect(events.at(-1)).toEqual(['reconnect:scheduled', { attempt: 1, delayMs: 500 }, expect.any(Number)])
    store.destroy()
  })

  it('C7, C8: an attempt the wallet\'s return cancelled never ran, so it is no failure: a drop during the check of that return still gets the attempt maxAttempts allows', async () => {
    const { store, wallet, provider, events } = await connected({ reconnect: { maxAttempts: 1 } })
    wallet.drop()
    await walletEvents()
    expect(store.getSnapshot().status).toBe('reconnecting')
    // the wallet is back during the backoff (C8): the store reads its accounts, slowly, and it drops again meanwhile
    wallet.answerLate('listAccounts', 100)
    wallet.recover()
    await vi.advanceTimersByTimeAsync(50)
    wallet.drop()
    await vi.advanceTimersByTimeAsync(60)
    expect(store.getSnapshot()).toMatchObject({ status: 'reconnecting', account: { partyId: 'alice::1220aa' } })
    expect(probes(provider)).toBe(0)
    // the attempt runs at its backoff offset after that drop, probes, and only its failure is the last one
    await vi.advanceTimersByTimeAsync(60_000)
    expect(probes(provider)).toBe(1)
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 4900 } })
    expect(events.map(([type, e, at]) => [type, e, at])).toEqual([
      ['reconnect:scheduled', { attempt: 1, delayMs: 500 }, 0],
      ['reconnect:scheduled', { attempt: 1, delayMs: 500 }, 50],
      ['reconnect:attempt', { attempt: 1 }, 550],
      ['reconnect:gaveup', { attempts: 1, lastError: expect.objectContaining({ code: 4900 }) }, 550],
    ])
  })

  it('C7, C9: restore() during a reconnect probes nothing of its own and resolves with how the reconnect ends, never with the reconnecting state', async () => {
    for (const end of ['recover', 'gaveup', 'cancelReconnect', 'disconnect', 'destroy'] as const) {
      const { store, wallet, provider } = await connected({ reconnect: { maxAttempts: 2 } })
      wallet.drop()
      await vi.advanceTimersByTimeAsync(100) // in the backoff before attempt 1
      const outcome = vi.fn()
      void store.restore().then(outcome)
      await vi.advanceTimersByTimeAsync(10)
      expect(outcome).not.toHaveBeenCalled()
      expect(probes(provider)).toBe(0)
      if (end === 'recover') wallet.recover()
      else if (end === 'gaveup') await vi.advanceTimersByTimeAsync(500 + 1000)
      else if (end === 'cancelReconnect') store.cancelReconnect()
      else if (end === 'disconnect') await store.disconnect()
      else store.destroy()
      await vi.advanceTimersByTimeAsync(10)
      expect(outcome).toHaveBeenCalledTimes(1)
      expect(outcome).toHaveBeenCalledWith(store.getSnapshot())
      expect(store.getSnapshot().status).toBe(end === 'recover' ? 'connected' : end === 'destroy' ? 'reconnecting' : 'disconnected')
      store.destroy()
    }
  })

  it('C8: disconnect() or cancelReconnect() during backoff stops every further attempt', async () => {
    for (const stop of ['disconnect', 'cancelReconnect'] as const) {
      const { store, wallet, provider } = await connected()
      wallet.drop()
      await vi.advanceTimersByTimeAsync(500)
      if (stop === 'disconnect') await store.disconnect()
      else store.cancelReconnect()
      const count = probes(provider)
      await vi.advanceTimersByTimeAsync(120_000)
      expect(probes(provider)).toBe(count)
      expect(store.getSnapshot().status).toBe('disconnected')
      store.destroy()
    }
  })

  it('C8, C14: disconnect() or cancelReconnect() during backoff leaves no attempt timer behind, so nothing keeps a Node process alive', async () => {
    for (const stop of ['disconnect', 'cancelReconnect'] as const) {
      const { store, wallet } = await connected()
      wallet.drop()
      await vi.advanceTimersByTimeAsync(100)
      if (stop === 'disconnect') await store.disconnect()
      else store.cancelReconnect()
      await vi.advanceTimersByTimeAsync(10)
      expect(store.getSnapshot().status).toBe('disconnected')
      expect(vi.getTimerCount()).toBe(0)
      store.destroy()
    }
  })

  it('C8, C9: cancelReconnect() stops the retries of a restore whose probe failed (a wallet not ready yet): disconnected at once with the probe\'s error, the restore resolving so, and no further probe', async () => {
    const provider = createMockProvider({ connected: true })
    provider.wallet.failNext('status', { code: -32603 })
    const store = createSessionStore(provider, { storage: createMemoryStorage(), reconnect: true })
    const scheduled = vi.fn()
    store.on('reconnect:scheduled', scheduled)
    const restored = store.restore()
    await vi.advanceTimersByTimeAsync(0)
    expect(scheduled).toHaveBeenCalledExactlyOnceWith({ attempt: 1, delayMs: 500 })
    expect(store.getSnapshot().status).toBe('reconnecting')
    store.cancelReconnect()
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: -32603 } })
    await expect(restored).resolves.toMatchObject({ status: 'disconnected', lastError: { code: -32603 } })
    await vi.advanceTimersByTimeAsync(60_000)
    expect(probes(provider)).toBe(1)
    store.destroy()
  })

  it('C8, C9: cancelReconnect() keeps the persisted entry, unlike disconnect(): no sign-out, a reload restores from the wallet and reconciles against it', async () => {
    const { store, wallet, storage } = await connected()
    const entry = await storage.getItem('sessionlayer.session')
    expect(entry).not.toBeNull()
    wallet.drop()
    await vi.advanceTimersByTimeAsync(100)
    store.cancelReconnect()
    await vi.advanceTimersByTimeAsync(10)
    expect(store.getSnapshot().status).toBe('disconnected')
    expect(await storage.getItem('sessionlayer.session')).toBe(entry)
  })

  it('C8: cancelReconnect() once the wallet is back, while the store still reads its accounts, leaves it connected with the wallet', async () => {
    const { store, wallet } = await connected()
    wallet.drop()
    await vi.advanceTimersByTimeAsync(100)
    wallet.answerLate('listAccounts', 50)
    wallet.recover()
    store.cancelReconnect() // the click and the wallet's return cross
    await vi.advanceTimersByTimeAsync(60_000)
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', account: { partyId: 'alice::1220aa' }, lastError: null })
  })

  it('C8: a return to connected re-enables reconnect for the next drop', async () => {
    const { store, wallet, events } = await connected()
    wallet.drop()
    wallet.recover()
    await vi.advanceTimersByTimeAsync(0)
    wallet.drop()
    await walletEvents()
    expect(store.getSnapshot().status).toBe('reconnecting')
    expect(events.filter(([t]) => t === 'reconnect:scheduled')).toHaveLength(2)
  })

  it('C7, C11: connect() while reconnecting ends the session the app was shown: onInvalidate once, whether another party connects or the user declines', async () => {
    for (const outcome of ['bob', 'declined'] as const) {
      const onInvalidate = vi.fn()
      const { store, wallet, provider } = await connected({ reconnect: true, onInvalidate })
      wallet.drop()
      await vi.advanceTimersByTimeAsync(600)
      expect(store.getSnapshot().account?.partyId).toBe('alice::1220aa')
      if (outcome === 'declined') wallet.failNext('connect', { code: 4001, message: 'User rejected' })
      else {
        // the wallet is reachable again, with another party, before this tab hears of it
        provider.detach()
        wallet.recover()
        wallet.switchParty('bob::1220bb')
      }
      const state = await store.connect()
      expect(state.account?.partyId ?? null).toBe(outcome === 'bob' ? 'bob::1220bb' : null)
      // alice's party-scoped caches must go, once
      expect(onInvalidate.mock.calls).toEqual([[{ type: 'disconnected', previous: 'alice::1220aa', current: null, source: 'local' }]])
      store.destroy()
    }
  })

  it('C4, C7: connect() while reconnecting that the user declines leaves no entry of the session it ended: disconnected, nothing persisted', async () => {
    const { store, wallet, storage } = await connected({ reconnect: true })
    expect(await storage.getItem('sessionlayer.session')).not.toBeNull()
    wallet.drop()
    await vi.advanceTimersByTimeAsync(600)
    expect(store.getSnapshot().status).toBe('reconnecting')
    wallet.failNext('connect', { code: 4001, message: 'User rejected' })
    expect(await store.connect()).toMatchObject({ status: 'disconnected', lastError: { code: 4001 } })
    await vi.advanceTimersByTimeAsync(60_000)
    expect(store.getSnapshot().status).toBe('disconnected')
    // a reload, or a server render through readSessionState, finds no session the user was shown as ended
    expect(await storage.getItem('sessionlayer.session')).toBeNull()
  })

  it('C7: a reconnect that gives up as the wallet answers a read with 4100 leaves no entry of the session; a late "connected" event of a wallet that left, whose accounts read it refuses so during the backoff, is no failed attempt: the attempt still runs', async () => {
    const { store, wallet, provider, storage, events } = await connected({ reconnect: { maxAttempts: 1 } })
    // the wallet becomes unreachable, its session ends meanwhile (told to no one), and it is back
    wallet.drop()
    wallet.disconnectFromWallet()
    wallet.recover()
    await vi.advanceTimersByTimeAsync(0)
    expect(store.getSnapshot().status).toBe('reconnecting')
    // an event of before the wallet left, delivered late: the store reads the accounts, which a wallet not connected refuses
    provider.emit('statusChanged', { connection: { isConnected: true, isNetworkConnected: true }, network: { networkId: 'canton:devnet' } })
    await vi.advanceTimersByTimeAsync(0)
    expect(store.getSnapshot()).toMatchObject({ status: 'reconnecting', lastError: { code: 4100 } })
    expect(probes(provider)).toBe(0)
    // the attempt that event cancelled runs (C7, C8), and its own read is refused so
    wallet.failNext('status', { code: 4100, message: 'Unauthorized' })
    await vi.advanceTimersByTimeAsync(60_000)
    expect(probes(provider)).toBe(1)
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 4100 } })
    expect(events.filter(([type]) => type === 'reconnect:gaveup').map(([, e]) => e)).toEqual([{ attempts: 1, lastError: expect.objectContaining({ code: 4100 }) }])
    expect(await storage.getItem('sessionlayer.session')).toBeNull()
  })

  it('C3, C7: connect() while reconnecting shows no times of the session it ends while it connects', async () => {
    const { store, wallet } = await connected({ reconnect: true, expiry: { ttlMs: 3_600_000 } })
    expect(store.getSnapshot()).toMatchObject({ connectedAt: 0, expiresAt: 3_600_000 })
    wallet.drop()
    await vi.advanceTimersByTimeAsync(600)
    wallet.hangNext('connect')
    const connecting = store.connect().catch(() => null)
    expect(store.getSnapshot()).toMatchObject({ status: 'connecting', account: null, connectedAt: null, expiresAt: null })
    store.destroy()
    await connecting
  })

  it('C7: a party switch while the wallet was away shows up on reconnect as party:changed', async () => {
    const { store, wallet, events } = await connected()
    wallet.drop()
    wallet.switchParty('bob::1220bb')
    await vi.advanceTimersByTimeAsync(500)
    wallet.recover()
    await vi.advanceTimersByTimeAsync(0)
    expect(store.getSnapshot().account?.partyId).toBe('bob::1220bb')
    expect(events.find(([t]) => t === 'party:changed')?.[1]).toEqual({ previous: 'alice::1220aa', current: 'bob::1220bb', source: 'local' })
  })
})

describe('reconnect policy', () => {
  it('C7: DEFAULT_RETRY_POLICY is frozen: no app or library can change the defaults of every store by writing to it', () => {
    expect(Object.isFrozen(DEFAULT_RETRY_POLICY)).toBe(true)
    expect(() => {
      ;(DEFAULT_RETRY_POLICY as { maxAttempts: number }).maxAttempts = 0
    }).toThrow(TypeError)
    expect(resolveRetryPolicy(true).maxAttempts).toBe(5)
  })

  it('C7: a policy field given as null keeps its default, as an undefined one does, instead of retrying at once or never', () => {
    const nulls = { baseDelayMs: null, factor: null, maxDelayMs: null, maxAttempts: null, jitter: null } as unknown as Partial<typeof DEFAULT_RETRY_POLICY>
    expect(resolveRetryPolicy(nulls)).toEqual(DEFAULT_RETRY_POLICY)
    expect(resolveRetryPolicy({ maxAttempts: 0, maxDelayMs: 100 })).toEqual({ ...DEFAULT_RETRY_POLICY, maxAttempts: 0, maxDelayMs: 100 })
  })

  it('C7: a policy field given as an empty string (a blank setting) keeps its default, as for the other options, instead of retrying at once or never', () => {
    const blanks = { baseDelayMs: '', factor: '', maxDelayMs: '', maxAttempts: '' } as unknown as Partial<typeof DEFAULT_RETRY_POLICY>
    expect(resolveRetryPolicy(blanks)).toEqual(DEFAULT_RETRY_POLICY)
  })

  it('§2.1, C7: a policy field given as a numeric string (a configuration\'s) is its number: no joined texts, a zero base stays 0 however many attempts', () => {
    const fromEnv = { baseDelayMs: '0', factor: '2', maxDelayMs: ' 3000 ', maxAttempts: '1e3' } as unknown as Partial<typeof DEFAULT_RETRY_POLICY>
    const policy = resolveRetryPolicy(fromEnv)
    expect(policy).toEqual({ ...DEFAULT_RETRY_POLICY, baseDelayMs: 0, maxDelayMs: 3000, maxAttempts: 1000 })
    expect(policy.maxDelayMs + 1).toBe(3001)
    expect(computeBackoffDelay(policy, 2000)).toBe(0)
  })

  it('C7: a delay or count field that is no number (true, false, an array) keeps its default, not 1 or 0; jitter takes true and false', () => {
    const flags = { baseDelayMs: true, factor: false, maxDelayMs: [1], maxAttempts: true, jitter: true } as unknown as Partial<typeof DEFAULT_RETRY_POLICY>
    expect(resolveRetryPolicy(flags)).toEqual({ ...DEFAULT_RETRY_POLICY, jitter: true })
    expect(resolveRetryPolicy({ maxAttempts: false, jitter: false } as never)).toEqual(DEFAULT_RETRY_POLICY)
  })
})
