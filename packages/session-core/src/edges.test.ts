import { decodeSessionEnvelope } from '@sessionlayer/session-crypto'
import { createMockProvider } from '@sessionlayer/session-testing'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { CIP0103Provider } from './cip0103'
import { createMemoryStorage } from './createMemoryStorage'
import { createSessionStore } from './createSessionStore'
import type { Clock, SessionEventMap, SessionEventType, SessionStore } from './types'

/** Lets the wallet's events on their way reach the tabs: each arrives on a task of its own, as from a real wallet. */
const walletEvents = async () => {
  if (vi.isFakeTimers()) await vi.advanceTimersByTimeAsync(0)
  else await new Promise((resolve) => setTimeout(resolve, 0))
}

// Edges of the behaviour rules that the per-topic files leave out: lone wallet events, the
// first network, a party going away, timeouts of each silent call and their defaults, a wallet
// connecting on its own, queue bounds, chainChanged, an injected clock, typed events.

afterEach(() => {
  vi.useRealTimers()
})

const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0))
}

function record<T extends SessionEventType>(store: SessionStore, type: T): SessionEventMap[T][] {
  const seen: SessionEventMap[T][] = []
  store.on(type, (event) => seen.push(event))
  return seen
}

const ACCOUNT = { partyId: 'alice::1220aa', primary: true }

/** A hand-written wallet: connected, accounts known, but it never says which network (until told). */
function networkless(getActiveNetwork: () => Promise<unknown>) {
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  const provider: CIP0103Provider = {
    request: ({ method }) => {
      if (method === 'connect') return Promise.resolve({ isConnected: true })
      if (method === 'status') return Promise.resolve({ connection: { isConnected: true } })
      if (method === 'listAccounts') return Promise.resolve([ACCOUNT])
      if (method === 'getActiveNetwork') return getActiveNetwork()
      return Promise.resolve(null)
    },
    on: (event, listener) => {
      const set = listeners.get(event) ?? new Set()
      set.add(listener as (payload: unknown) => void)
      listeners.set(event, set)
    },
    removeListener: (event, listener) => {
      listeners.get(event)?.delete(listener as (payload: unknown) => void)
    },
  }
  const emit = (event: string, payload: unknown) => {
    for (const listener of listeners.get(event) ?? []) listener(payload)
  }
  return { provider, emit }
}

/**
 * Every timer path of a store with reconnect and expiry: connect, a wallet drop and its recovery
 * (backoff timers, request timeouts), a disconnect (timers cleared), with no error on the way.
 */
async function connectDropRecoverDisconnect(store: SessionStore, provider: ReturnType<typeof createMockProvider>) {
  const errors: unknown[] = []
  store.on('error', (e) => errors.push(e.error))
  expect(await store.connect()).toMatchObject({ status: 'connected', lastError: null })
  provider.wallet.drop()
  await walletEvents()
  await vi.waitFor(() => {
    expect(store.getSnapshot().status).toBe('reconnecting')
  })
  provider.wallet.recover()
  await vi.waitFor(() => {
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', lastError: null })
  })
  await store.disconnect()
  expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: null })
  expect(errors).toEqual([])
  store.destroy()
}

describe('rule edges', () => {
  it('C3: a lone `connected` event (isConnected: true) completes an asynchronous connect', async () => {
    const provider = createMockProvider({ connectMode: 'async' })
    const store = createSessionStore(provider, { storage: createMemoryStorage() })
    const result = store.connect()
    await flush()
    expect(store.getSnapshot().status).toBe('connecting')
    provider.detach() // only what this test emits reaches the store now
    provider.wallet.approve()
    provider.emit('connected', { isConnected: true })
    const state = await result
    expect(state).toMatchObject({ status: 'connected', account: { partyId: 'alice::1220aa' }, networkId: 'canton:devnet', lastError: null })
    expect(provider.calls.map((c) => c.method)).toEqual(['connect', 'listAccounts', 'getActiveNetwork'])
  })

  it('C3: a lone `connected` event with isConnected: false fails an asynchronous connect', async () => {
    const provider = createMockProvider({ connectMode: 'async' })
    const store = createSessionStore(provider, { storage: createMemoryStorage() })
    const result = store.connect()
    await flush()
    provider.detach()
    provider.emit('connected', { isConnected: false, reason: 'The user closed the wallet' })
    const state = await result
    expect(state).toMatchObject({ status: 'disconnected', account: null, accounts: [] })
    expect(state.lastError).toMatchObject({ code: 4001, message: 'The user closed the wallet' })
  })

  it('C2, C3, C4: an asynchronous connect the user declines, told by statusChanged and then by the connected event, is one error and one change', async () => {
    const provider = createMockProvider({ connectMode: 'async' })
    const store = createSessionStore(provider, { storage: createMemoryStorage() })
    const result = store.connect()
    await flush()
    provider.detach()
    const states: unknown[] = []
    store.subscribe((s) => states.push(s))
    provider.emit('statusChanged', { connection: { isConnected: false, reason: 'rejected' } })
    provider.emit('connected', { isConnected: false, reason: 'rejected' })
    expect((await result).lastError).toMatchObject({ code: 4001, message: 'rejected' })
    expect(states).toEqual([store.getSnapshot()])
  })

  it('C3, C18: a userUrl that would run script in the dApp (javascript:, however spelled) is not handed on by connect:pending; a web or app link is', async () => {
    const urls = {
      'javascript:alert(document.cookie)': undefined,
      ' JavaScript:alert(1)': undefined,
      'java\tscript:alert(1)': undefined,
      'data:text/html,<script>alert(1)</script>': undefined,
      '/approve': undefined,
      'https://wallet.example/approve?id=1': 'https://wallet.example/approve?id=1',
      'canton-wallet://approve/1': 'canton-wallet://approve/1',
    }
    for (const [userUrl, expected] of Object.entries(urls)) {
      const provider = createMockProvider({ connectMode: 'async', userUrl })
      const store = createSessionStore(provider, { storage: createMemoryStorage() })
      const pending = record(store, 'connect:pending')
      void store.connect()
      await flush()
      expect(pending, userUrl).toEqual([expected === undefined ? {} : { userUrl: expected }])
      store.destroy()
    }
  })

  it('C11: a party going away (A → null) is a party change; the first network (null → X) is not a network change', async () => {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- wallets reject with bare objects
    const { provider, emit } = networkless(() => Promise.reject({ code: 4200, message: 'Unsupported' }))
    const store = createSessionStore(provider, { storage: createMemoryStorage() })
    const parties = record(store, 'party:changed')
    const networks = record(store, 'network:changed')
    expect(await store.connect()).toMatchObject({ status: 'connected', networkId: null })
    emit('chainChanged', 'canton:devnet')
    expect(store.getSnapshot().networkId).toBe('canton:devnet')
    expect(networks).toEqual([])
    emit('accountsChanged', [])
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', account: null, accounts: [] })
    expect(parties).toEqual([{ previous: 'alice::1220aa', current: null, source: 'local' }])
  })

  it('chainChanged: a string or a { networkId } payload switches the network; junk is ignored', async () => {
    const { provider, emit } = networkless(() => Promise.resolve({ networkId: 'canton:devnet' }))
    const store = createSessionStore(provider, { storage: createMemoryStorage() })
    const networks = record(store, 'network:changed')
    await store.connect()
    emit('chainChanged', 'canton:testnet')
    emit('chainChanged', { networkId: 'canton:mainnet' })
    for (const junk of [42, null, {}, { networkId: 7 }]) emit('chainChanged', junk)
    expect(store.getSnapshot().networkId).toBe('canton:mainnet')
    expect(networks.map((e) => [e.previous, e.current])).toEqual([
      ['canton:devnet', 'canton:testnet'],
      ['canton:testnet', 'canton:mainnet'],
    ])
  })

  it("C4, C15: an access token a chainChanged's network carries (the official Network's shape, as getActiveNetwork answers) is searched for from then on: a later wallet error or reason that quotes it under no name hands it on neither as message, cause nor reason", async () => {
    const token = 'opaque-chain-6d2a9c41'
    const { provider, emit } = networkless(() => Promise.resolve({ networkId: 'canton:devnet' }))
    const store = createSessionStore(provider, { storage: createMemoryStorage() })
    await store.connect()
    emit('statusChanged', { connection: { isConnected: true } }) // the wallet tells its connection: a drop after it is no word of before it (C7)
    emit('chainChanged', { networkId: 'canton:testnet', ledgerApi: 'https://ledger.testnet.example', accessToken: token })
    expect(store.getSnapshot().networkId).toBe('canton:testnet')
    // the wallet drops the session, with a reason that quotes it: the store's own words are told
    emit('statusChanged', { connection: { isConnected: false, reason: `Session ${token} revoked` } })
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 4900, message: 'The wallet disconnected' } })
    const request = provider.request.bind(provider)
    const refusal = { code: 4100, message: `Session ${token} has expired`, data: { session: token } }
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- wallets reject with bare objects
    provider.request = (args) => (args.method === 'connect' ? Promise.reject(refusal) : request(args))
    const { lastError } = await store.connect()
    expect([lastError?.code, lastError?.message, lastError?.cause]).toEqual([4100, 'Unknown wallet error', undefined])
    store.destroy()
  })

  it('§2.1, C3, C9, C18: a wallet that tells only an empty network id (\'\') is connected on no network (networkId null), as an empty party id is no party', async () => {
    const provider = createMockProvider({ networkId: '' })
    const store = createSessionStore(provider, { storage: createMemoryStorage() })
    expect(await store.connect()).toMatchObject({ status: 'connected', account: { partyId: 'alice::1220aa' }, networkId: null, lastError: null })
    // a wallet that says nothing but '' for its network in status, and in getActiveNetwork
    const { provider: bare } = networkless(() => Promise.resolve(''))
    const request = bare.request.bind(bare)
    bare.request = (args) => (args.method === 'status' ? Promise.resolve({ connection: { isConnected: true }, network: { networkId: '' } }) : request(args))
    const restoring = createSessionStore(bare, { storage: createMemoryStorage() })
    expect(await restoring.restore()).toMatchObject({ status: 'connected', networkId: null, lastError: null })
    const { provider: objects } = networkless(() => Promise.resolve({ networkId: '' }))
    expect(await createSessionStore(objects, { storage: createMemoryStorage() }).connect()).toMatchObject({ status: 'connected', networkId: null, lastError: null })
  })

  it('C11, C18: an empty network id (\'\') in statusChanged or chainChanged is no network: the session keeps its network, no network:changed, no notification', async () => {
    const provider = createMockProvider()
    const store = createSessionStore(provider, { storage: createMemoryStorage() })
    const networks = record(store, 'network:changed')
    await store.connect()
    const before = store.getSnapshot()
    const notified = vi.fn()
    store.subscribe(notified)
    provider.wallet.emitRaw('statusChanged', { connection: { isConnected: true }, network: { networkId: '' } })
    provider.wallet.emitRaw('chainChanged', '')
    provider.wallet.emitRaw('chainChanged', { networkId: '' })
    await flush()
    expect(store.getSnapshot()).toBe(before)
    expect(before.networkId).toBe('canton:devnet')
    expect(networks).toEqual([])
    expect(notified).not.toHaveBeenCalled()
  })

  it('C17: listAccounts that never answers ends a restore with TIMEOUT', async () => {
    vi.useFakeTimers()
    const provider = createMockProvider({ connected: true })
    provider.wallet.hangNext('listAccounts')
    const store = createSessionStore(provider, { storage: createMemoryStorage(), requestTimeoutMs: 2_000 })
    const restored = store.restore()
    await vi.advanceTimersByTimeAsync(1_999)
    expect(store.getSnapshot().status).toBe('reconnecting')
    await vi.advanceTimersByTimeAsync(1)
    expect(await restored).toMatchObject({ status: 'disconnected', lastError: { code: 'TIMEOUT' } })
  })

  it('C17: getActiveNetwork that never answers is bounded too: the session connects without a network', async () => {
    vi.useFakeTimers()
    const { provider } = networkless(() => new Promise(() => undefined))
    const store = createSessionStore(provider, { storage: createMemoryStorage(), requestTimeoutMs: 2_000 })
    const connected = store.connect()
    await vi.advanceTimersByTimeAsync(1_999)
    expect(store.getSnapshot().status).toBe('connecting')
    await vi.advanceTimersByTimeAsync(1)
    expect(await connected).toMatchObject({ status: 'connected', account: { partyId: 'alice::1220aa' }, networkId: null })
  })

  it('C17: the defaults are 10 s for a silent call and 5 min for connect', async () => {
    vi.useFakeTimers()
    const silent = createMockProvider({ connected: true })
    silent.wallet.hangNext('status')
    const a = createSessionStore(silent, { storage: createMemoryStorage() })
    const restored = a.restore()
    await vi.advanceTimersByTimeAsync(9_999)
    expect(a.getSnapshot().status).toBe('reconnecting')
    await vi.advanceTimersByTimeAsync(1)
    expect((await restored).lastError?.code).toBe('TIMEOUT')
    const person = createMockProvider({ connectMode: 'manual' })
    const b = createSessionStore(person, { storage: createMemoryStorage() })
    const connecting = b.connect()
    await vi.advanceTimersByTimeAsync(299_999)
    expect(b.getSnapshot().status).toBe('connecting')
    await vi.advanceTimersByTimeAsync(1)
    expect((await connecting).lastError?.code).toBe('TIMEOUT')
  })

  it('C19: a wallet connecting on its own is persisted, and a later drop reconnects', async () => {
    vi.useFakeTimers()
    const provider = createMockProvider()
    const storage = createMemoryStorage()
    const store = createSessionStore(provider, { storage, reconnect: true })
    const scheduled = record(store, 'reconnect:scheduled')
    provider.wallet.connectFromWallet()
    await vi.advanceTimersByTimeAsync(0)
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', account: { partyId: 'alice::1220aa' } })
    expect(decodeSessionEnvelope(await storage.getItem('sessionlayer.session'))?.account?.partyId).toBe('alice::1220aa')
    provider.wallet.drop()
    await walletEvents()
    expect(store.getSnapshot().status).toBe('reconnecting')
    expect(scheduled).toEqual([{ attempt: 1, delayMs: 500 }])
    provider.wallet.recover()
    await vi.advanceTimersByTimeAsync(0)
    expect(store.getSnapshot().status).toBe('connected')
  })

  it('C13: by default 32 operations wait during a re-auth and the 33rd is refused at once; one already running is not run again', async () => {
    vi.useFakeTimers()
    let finishReauth = () => undefined as void
    const provider = createMockProvider()
    const store = createSessionStore(provider, {
      storage: createMemoryStorage(),
      expiry: {
        ttlMs: 60_000,
        onReauthRequired: () =>
          new Promise<void>((resolve) => {
            finishReauth = resolve
          }),
      },
    })
    await store.connect()
    let runs = 0
    let release = () => undefined as void
    const running = store.enqueue(async () => {
      runs++
      await new Promise<void>((resolve) => {
        release = resolve
      })
      return 'running'
    })
    await vi.advanceTimersByTimeAsync(60_000)
    expect(store.getSnapshot().status).toBe('reconnecting')
    const order: number[] = []
    const held = Array.from({ length: 32 }, (_, i) => store.enqueue(() => order.push(i)))
    await expect(store.enqueue(() => 'one too many')).rejects.toMatchObject({ code: 'QUEUE_FULL' })
    release()
    finishReauth()
    await vi.advanceTimersByTimeAsync(0)
    await Promise.all(held)
    expect(await running).toBe('running')
    expect(runs).toBe(1)
    expect(order).toEqual(Array.from({ length: 32 }, (_, i) => i))
    expect(store.getSnapshot().status).toBe('connected')
  })

  it('§2.1, C17: without a clock option the store looks up the global timers and Date.now at call time: fake timers installed after it was made drive its timeouts, backoff and times', async () => {
    const provider = createMockProvider()
    const store = createSessionStore(provider, { storage: createMemoryStorage(), reconnect: { maxAttempts: 1 } })
    vi.useFakeTimers({ now: 7_000 })
    provider.wallet.hangNext('status')
    const restoring = store.restore()
    const settled = vi.fn()
    void restoring.then(settled)
    await vi.advanceTimersByTimeAsync(9_999)
    expect(settled).not.toHaveBeenCalled()
    // the default requestTimeoutMs (10 000 ms) on the fake clock, then one retry 500 ms later that also hangs
    provider.wallet.hangNext('status')
    await vi.advanceTimersByTimeAsync(1 + 500 + 10_000)
    expect(await restoring).toMatchObject({ status: 'disconnected', lastError: { code: 'TIMEOUT' } })
    expect((await store.connect()).connectedAt).toBe(Date.now())
    expect(Date.now()).toBe(7_000 + 20_500)
    await walletEvents() // the connection's events, on their way to the tab
    store.destroy()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('clock: an injected clock drives expiry, without any global timer', async () => {
    let now = 5_000_000
    const timers = new Map<number, { due: number; fn: () => void }>()
    let ids = 0
    const clock: Clock = {
      now: () => now,
      setTimeout: (fn, ms) => {
        timers.set(++ids, { due: now + ms, fn })
        return ids
      },
      clearTimeout: (handle) => {
        timers.delete(handle as number)
      },
    }
    const store = createSessionStore(createMockProvider(), { storage: createMemoryStorage(), clock, expiry: { ttlMs: 1_000 } })
    expect((await store.connect()).expiresAt).toBe(5_001_000)
    now += 1_000
    for (const [id, t] of [...timers]) {
      if (t.due > now) continue
      timers.delete(id)
      t.fn()
    }
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 'SESSION_EXPIRED' } })
  })

  it('C7, C12, clock: a backoff longer than a timer can wait, whose end the clock has passed when its timer fires (the system slept), runs at once: the injected clock is never handed a negative delay', async () => {
    const day = 24 * 60 * 60 * 1000
    let now = 5_000_000
    const delays: number[] = []
    const timers = new Map<number, { due: number; fn: () => void }>()
    let ids = 0
    const clock: Clock = {
      now: () => now,
      setTimeout: (fn, ms) => {
        delays.push(ms)
        timers.set(++ids, { due: now + ms, fn })
        return ids
      },
      clearTimeout: (handle) => {
        timers.delete(handle as number)
      },
    }
    const fire = () => {
      for (const [id, t] of [...timers]) {
        if (t.due > now) continue
        timers.delete(id)
        t.fn()
      }
    }
    const provider = createMockProvider()
    const store = createSessionStore(provider, { storage: createMemoryStorage(), clock, reconnect: { baseDelayMs: 30 * day, maxDelayMs: 30 * day, maxAttempts: 1 } })
    const attempts = record(store, 'reconnect:attempt')
    await store.connect()
    await flush()
    provider.wallet.drop()
    await flush()
    expect(store.getSnapshot().status).toBe('reconnecting')
    // the backoff's first timer ends after 2^31 - 1 ms, by when the clock has gone 40 days on
    now += 40 * day
    fire()
    expect(attempts).toEqual([])
    fire()
    expect(attempts).toEqual([{ attempt: 1 }])
    expect(delays.filter((ms) => !(ms >= 0))).toEqual([])
    store.destroy()
  })

  it('clock: the platform\'s own timers handed over as they are ({ now: Date.now, setTimeout, clearTimeout }) are called on the global object, as a browser requires', async () => {
    const { setTimeout: realSet, clearTimeout: realClear } = globalThis
    // a browser's own timers throw "Illegal invocation" when called on any object but the global one
    const onGlobal = (self: unknown) => {
      if (self !== undefined && self !== globalThis) throw new TypeError('Illegal invocation')
    }
    vi.stubGlobal('setTimeout', function (this: unknown, fn: () => void, ms?: number) {
      onGlobal(this)
      return realSet(fn, ms)
    })
    vi.stubGlobal('clearTimeout', function (this: unknown, handle?: ReturnType<typeof realSet>) {
      onGlobal(this)
      realClear(handle)
    })
    try {
      const provider = createMockProvider()
      const store = createSessionStore(provider, { storage: createMemoryStorage(), clock: { now: Date.now, setTimeout, clearTimeout }, reconnect: { baseDelayMs: 1 }, expiry: { ttlMs: 60_000 } })
      await connectDropRecoverDisconnect(store, provider)
    } finally {
      vi.unstubAllGlobals()
    }
  })

  it('C17: the platform\'s own timers handed over in a clock stay called on the global object once fake timers or an error monitor replaced the global ones', async () => {
    const { setTimeout: realSet, clearTimeout: realClear } = globalThis
    // a browser's own timers: host functions (`[native code]`) that throw "Illegal invocation" on any other this
    const host = <F extends (...args: never[]) => unknown>(run: F) =>
      new Proxy(run, {
        apply(target, self, args: Parameters<F>) {
          if (self !== undefined && self !== globalThis) throw new TypeError('Illegal invocation')
          return target(...args)
        },
      })
    vi.stubGlobal('setTimeout', host((fn: () => void, ms?: number) => realSet(fn, ms)))
    vi.stubGlobal('clearTimeout', host((handle?: ReturnType<typeof realSet>) => realClear(handle)))
    try {
      const provider = createMockProvider()
      const store = createSessionStore(provider, { storage: createMemoryStorage(), clock: { now: Date.now, setTimeout, clearTimeout }, reconnect: { baseDelayMs: 1 }, expiry: { ttlMs: 60_000 } })
      // installed after the store was made: fake timers, an error monitor's wrappers
      const platformSet = setTimeout
      const platformClear = clearTimeout
      vi.stubGlobal('setTimeout', (fn: () => void, ms?: number) => platformSet(fn, ms))
      vi.stubGlobal('clearTimeout', (handle?: ReturnType<typeof realSet>) => {
        platformClear(handle)
      })
      await connectDropRecoverDisconnect(store, provider)
    } finally {
      vi.unstubAllGlobals()
    }
  })

  it('events are typed per type: a payload field of another event does not type-check', () => {
    const store = createSessionStore(createMockProvider(), { storage: createMemoryStorage() })
    // @ts-expect-error -- party:changed carries previous/current/source, not attempt
    const off = store.on('party:changed', (e) => e.attempt)
    store.on('reconnect:scheduled', (e) => e.delayMs.toFixed())
    off()
    store.destroy()
  })
})
