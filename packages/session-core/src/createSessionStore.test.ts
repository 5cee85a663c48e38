import { decodeSessionEnvelope } from '@sessionlayer/session-crypto'
import { createChannelHub, createMockLockManager, createMockProvider } from '@sessionlayer/session-testing'
import { inspect } from 'node:util'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { stubPage } from '../test/page'
import { createMemoryStorage } from './createMemoryStorage'
import { createSessionStore } from './createSessionStore'
import { DISCONNECTED_STATE } from './machine'
import { SessionError } from './SessionError'
import type { Clock, SessionState, SessionStoreOptions } from './types'

const flush = () => new Promise((resolve) => setTimeout(resolve, 0))
/** Lets the wallet's events on their way reach the tabs: each arrives on a task of its own, as from a real wallet. */
const walletEvents = async () => {
  if (vi.isFakeTimers()) await vi.advanceTimersByTimeAsync(0)
  else await flush()
}
/**
 * Carries the wallet's answers as an extension's port does, behind the events the wallet sent
 * before them (connect's statusChanged and connected reach the tab before its answer, and what the
 * wallet sends as the tab hears them): each answer waits two tasks. Real timers only.
 */
const extensionPort = (provider: ReturnType<typeof createMockProvider>) => {
  const request = provider.request
  provider.request = (args) =>
    request(args).finally(async () => {
      await flush()
      await flush()
    })
  return provider
}

function setup(options: SessionStoreOptions = {}, mock: Parameters<typeof createMockProvider>[0] = {}) {
  const provider = createMockProvider(mock)
  const storage = createMemoryStorage()
  const store = createSessionStore(provider, { storage, ...options })
  const states: SessionState[] = []
  store.subscribe((state) => states.push(state))
  return { provider, wallet: provider.wallet, storage, store, states }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('createSessionStore', () => {
  it('C1: starts disconnected with a frozen snapshot', () => {
    const { store } = setup()
    expect(store.getSnapshot()).toBe(DISCONNECTED_STATE)
    expect(Object.isFrozen(store.getSnapshot())).toBe(true)
  })

  it('C1, C2: every snapshot a subscriber is given (connecting, connected, reconnecting, disconnected) is frozen with its accounts array, and getSnapshot() returns that same reference until the next change', async () => {
    vi.useFakeTimers()
    const { store, wallet, states } = setup({ reconnect: { maxAttempts: 1 } })
    const seen: boolean[] = []
    store.subscribe((state) => seen.push(store.getSnapshot() === state && store.getSnapshot() === store.getSnapshot()))
    await store.connect()
    wallet.switchParty('bob::1220bb')
    wallet.drop()
    await vi.advanceTimersByTimeAsync(500)
    expect(states.map((s) => s.status)).toEqual(['connecting', 'connected', 'connected', 'reconnecting', 'disconnected'])
    for (const s of states) {
      expect(Object.isFrozen(s) && Object.isFrozen(s.accounts) && s.accounts.every((a) => Object.isFrozen(a))).toBe(true)
    }
    expect(seen).toEqual(states.map(() => true))
    expect(store.getSnapshot()).toBe(states.at(-1))
    store.destroy()
  })

  it('misuse: a missing provider, or one without request / on / removeListener, throws a coded error at once', () => {
    expect(() => createSessionStore(undefined as never)).toThrow(expect.objectContaining({ code: 'INVALID_PROVIDER' }) as Error)
    const { request, on, removeListener } = createMockProvider()
    for (const provider of [{ on, removeListener }, { request, removeListener }, { request, on }]) {
      expect(() => createSessionStore(provider as never)).toThrow(expect.objectContaining({ code: 'INVALID_PROVIDER' }) as Error)
    }
  })

  it('misuse, §2.1: a clock without now, setTimeout or clearTimeout throws a SessionError -32602 at once, as an invalid option, and leaves no listener or channel behind', () => {
    const clock = { now: () => 0, setTimeout: () => 0, clearTimeout: () => undefined }
    for (const [bad, message] of [
      [{ ...clock, now: undefined }, 'clock.now as a function: got undefined'],
      [{ ...clock, setTimeout: undefined }, 'clock.setTimeout as a function: got undefined'],
      [{ ...clock, clearTimeout: 5 }, 'clock.clearTimeout as a function: got number'],
      [{}, 'clock.now as a function: got undefined'],
      [42, 'clock.now as a function: got undefined'],
    ] as const) {
      const provider = createMockProvider()
      const hub = createChannelHub()
      expect(() => createSessionStore(provider, { storage: createMemoryStorage(), clock: bad as never, broadcast: { channelFactory: hub.channelFactory } })).toThrow(
        expect.objectContaining({ name: 'SessionError', code: -32602, message: `createSessionStore needs ${message}` }) as Error,
      )
      expect(provider.listenerCount()).toBe(0)
      expect(hub.openCount()).toBe(0)
    }
    createSessionStore(createMockProvider(), { storage: createMemoryStorage(), clock }).destroy()
  })

  it('misuse, §2.1: a yes/no option given as a string — \'false\' from a configuration, which would count as true — throws a SessionError -32602 naming the option, and leaves no listener or channel behind; booleans, absent values, options objects and the documented truthiness of other values stay', () => {
    for (const option of ['persistSnapshot', 'reconnect', 'broadcast'] as const) {
      for (const value of ['false', 'true', '']) {
        const provider = createMockProvider()
        const hub = createChannelHub()
        const options = { storage: createMemoryStorage(), broadcast: { channelFactory: hub.channelFactory }, [option]: value }
        expect(() => createSessionStore(provider, options as SessionStoreOptions), `${option}: '${value}'`).toThrow(
          expect.objectContaining({ name: 'SessionError', code: -32602, message: `createSessionStore needs ${option} as a boolean: got string` }) as Error,
        )
        expect(provider.listenerCount()).toBe(0)
        expect(hub.openCount()).toBe(0)
      }
    }
    for (const value of [true, false, null, undefined] as never[]) {
      createSessionStore(createMockProvider(), { storage: createMemoryStorage(), persistSnapshot: value, reconnect: value, broadcast: value }).destroy()
    }
    const hub = createChannelHub()
    createSessionStore(createMockProvider(), { storage: createMemoryStorage(), persistSnapshot: 0 as never, reconnect: { maxAttempts: 1 }, broadcast: { channelFactory: hub.channelFactory } }).destroy()
  })

  it('C14, C18: a provider whose on() throws for an event fails with INVALID_PROVIDER and leaves no listener, timer, channel or read behind', async () => {
    vi.useFakeTimers()
    for (const refused of ['statusChanged', 'connected', 'accountsChanged', 'chainChanged']) {
      const provider = createMockProvider()
      const on = provider.on.bind(provider)
      const failure = new Error(`${refused} is not supported`)
      // the events before the refused one are added: they must not stay on the wallet
      provider.on = (event, listener) => {
        if (event === refused) throw failure
        return on(event, listener)
      }
      const hub = createChannelHub()
      const storage = createMemoryStorage()
      const getItem = vi.spyOn(storage, 'getItem')
      const options: SessionStoreOptions = {
        storage,
        reconnect: true,
        expiry: { ttlMs: 60_000, idleTimeoutMs: 10_000 },
        broadcast: { channelFactory: hub.channelFactory, lockManager: createMockLockManager() },
      }
      let thrown: unknown
      try {
        createSessionStore(provider, options)
      } catch (error) {
        thrown = error
      }
      expect(thrown).toBeInstanceOf(SessionError)
      expect(thrown).toMatchObject({ code: 'INVALID_PROVIDER', cause: failure, message: expect.stringContaining(refused) as string })
      expect(provider.listenerCount()).toBe(0)
      expect(hub.openCount()).toBe(0)
      expect(vi.getTimerCount()).toBe(0)
      await vi.runAllTimersAsync()
      expect(getItem).not.toHaveBeenCalled()
    }
  })

  it("C4, C14, C15: a provider whose on() throws an error that quotes an access token (a JWT, one under its name, or one a wallet gave the page) fails with INVALID_PROVIDER, but that error is not its cause, and neither holds the token", async () => {
    // a token a status of another store of the page carried: searched for as it is from then on
    const seen = createMockProvider({ accessToken: 'opaque-on-3f9e2d71', connected: true })
    const other = createSessionStore(seen, { storage: createMemoryStorage() })
    await other.restore()
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl'
    for (const failure of [
      new Error(`on() refused: ${jwt}`),
      Object.assign(new Error('listeners are not supported'), { data: { accessToken: 'plain-on-5b1c' } }),
      new Error('statusChanged is bound to the session of opaque-on-3f9e2d71'),
    ]) {
      const provider = createMockProvider()
      provider.on = () => {
        throw failure
      }
      let thrown: unknown
      try {
        createSessionStore(provider, { storage: createMemoryStorage() })
      } catch (error) {
        thrown = error
      }
      expect(thrown).toBeInstanceOf(SessionError)
      expect(thrown).toMatchObject({ code: 'INVALID_PROVIDER', message: "createSessionStore needs a CIP-0103 provider: on('statusChanged') threw" })
      expect((thrown as SessionError).cause).toBeUndefined()
      expect(inspect(thrown, { depth: 10, showHidden: true })).not.toMatch(/eyJhbGci|plain-on-5b1c|opaque-on-3f9e2d71/)
      expect(provider.listenerCount()).toBe(0)
    }
    other.destroy()
  })

  it('C14, C18: what a wallet that calls a listener as it is added started is undone too when a later on() throws', async () => {
    vi.useFakeTimers()
    // a wallet whose events reach the listener at once, inside on()
    const provider = createMockProvider({ delivery: 'sync' })
    const on = provider.on.bind(provider)
    provider.on = (event, listener) => {
      if (event === 'accountsChanged') throw new Error('accountsChanged is not supported')
      on(event, listener)
      // the wallet connects from its own UI as the store listens: the store starts reading it (C19)
      if (event === 'statusChanged') provider.wallet.connectFromWallet()
      return provider
    }
    const storage = createMemoryStorage()
    const setItem = vi.spyOn(storage, 'setItem')
    expect(() => createSessionStore(provider, { storage, expiry: { ttlMs: 60_000 } })).toThrow(expect.objectContaining({ code: 'INVALID_PROVIDER' }) as Error)
    expect(provider.calls.length).toBeGreaterThan(0)
    expect(provider.listenerCount()).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
    await vi.runAllTimersAsync()
    expect(setItem).not.toHaveBeenCalled()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('C14, C16: a provider whose removeListener throws does not stop destroy(): the rest is released, the listeners it can remove are removed, and the failure is an error event', async () => {
    vi.useFakeTimers()
    const provider = createMockProvider()
    const removeListener = provider.removeListener.bind(provider)
    const failure = new Error('statusChanged cannot be removed')
    provider.removeListener = (event, listener) => {
      if (event === 'statusChanged') throw failure
      return removeListener(event, listener)
    }
    const hub = createChannelHub()
    const store = createSessionStore(provider, {
      storage: createMemoryStorage(),
      reconnect: true,
      expiry: { ttlMs: 60_000, idleTimeoutMs: 10_000 },
      broadcast: { channelFactory: hub.channelFactory, lockManager: createMockLockManager() },
    })
    await store.connect()
    await walletEvents() // the connection's events, on their way to the tab
    const errors: unknown[] = []
    store.on('error', (e) => errors.push(e.error))
    const listener = vi.fn()
    store.subscribe(listener)
    provider.wallet.answerLate('status', 1_000)
    const restoring = store.init()
    expect(() => store.destroy()).not.toThrow()
    // the wallet's failure, as a SessionError of it
    expect(errors).toMatchObject([{ name: 'SessionError', message: failure.message, cause: failure }])
    // only the listener the provider refused to remove is left, and it does nothing now
    expect(provider.listenerCount()).toBe(1)
    expect(hub.openCount()).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
    await expect(restoring).resolves.toBeDefined()
    // the kept listener hears the wallet, and neither asks it anything nor arms a timer
    const calls = provider.calls.length
    provider.wallet.disconnectFromWallet()
    provider.wallet.connectFromWallet()
    await vi.runAllTimersAsync()
    expect(provider.calls.length).toBe(calls)
    expect(vi.getTimerCount()).toBe(0)
    expect(listener).not.toHaveBeenCalled()
  })

  it("C4, C14, C15: a wallet whose removeListener throws an error that quotes the session's access token: the error event tells a SessionError with the wallet's message, and neither its message nor its cause holds the token", async () => {
    const provider = createMockProvider({ accessToken: 'opaque-remove-7c6b5a49' })
    const removeListener = provider.removeListener.bind(provider)
    const plain = new Error('statusChanged cannot be removed')
    provider.removeListener = (event, listener) => {
      if (event === 'statusChanged') throw plain
      if (event === 'accountsChanged') throw Object.assign(new Error('listener of opaque-remove-7c6b5a49 kept'), { code: 4900 })
      return removeListener(event, listener)
    }
    const store = createSessionStore(provider, { storage: createMemoryStorage() })
    await store.connect()
    const errors: unknown[] = []
    store.on('error', (e) => errors.push(e.error))
    store.destroy()
    expect(errors).toHaveLength(2)
    expect(errors[0]).toBeInstanceOf(SessionError)
    expect(errors[0]).toMatchObject({ message: 'statusChanged cannot be removed', code: 'UNKNOWN', cause: plain })
    expect(errors[1]).toMatchObject({ name: 'SessionError', code: 4900, message: 'Unknown wallet error' })
    expect((errors[1] as SessionError).cause).toBeUndefined()
    expect(inspect(errors, { depth: 10, showHidden: true })).not.toContain('opaque-remove-7c6b5a49')
  })

  it('C3: connect becomes connected with accounts and network, reading the accounts itself as the official wallet announces none', async () => {
    const { store, provider, states } = setup()
    extensionPort(provider)
    const state = await store.connect()
    expect(state).toBe(store.getSnapshot())
    expect(state).toMatchObject({ status: 'connected', networkId: 'canton:devnet', lastError: null })
    expect(state.accounts.map((a) => a.partyId)).toEqual(['alice::1220aa', 'bob::1220bb'])
    expect(provider.calls.map((c) => c.method)).toEqual(['connect', 'listAccounts'])
    expect(states.map((s) => s.status)).toEqual(['connecting', 'connected'])
  })

  it('C3: connect becomes connected with accounts and network, without re-reading what the wallet announced', async () => {
    const { store, provider, wallet, states } = setup()
    extensionPort(provider)
    // a wallet that announces its accounts on connect, before its answer
    provider.on('connected', () => {
      wallet.emitRaw('accountsChanged', wallet.state().accounts)
    })
    const state = await store.connect()
    expect(state).toBe(store.getSnapshot())
    expect(state).toMatchObject({ status: 'connected', networkId: 'canton:devnet', lastError: null })
    expect(state.account?.partyId).toBe('alice::1220aa')
    expect(state.accounts.map((a) => a.partyId)).toEqual(['alice::1220aa', 'bob::1220bb'])
    expect(Object.isFrozen(state.accounts)).toBe(true)
    expect(Object.isFrozen(state.accounts[0])).toBe(true)
    expect(provider.calls.map((c) => c.method)).toEqual(['connect'])
    expect(states.map((s) => s.status)).toEqual(['connecting', 'connected'])
  })

  it('C3: connect(params) sends JSON-RPC params (a plain object or array) to the wallet; a click event, as when connect is bound straight to a button, is not sent', async () => {
    class SyntheticEvent {
      readonly nativeEvent = new Event('click')
      preventDefault() {}
    }
    for (const params of [new Event('click'), new SyntheticEvent(), 'click', null]) {
      const { store, provider } = setup()
      expect((await store.connect(params)).status).toBe('connected')
      expect(provider.calls.find((c) => c.method === 'connect')).toEqual({ method: 'connect' })
      store.destroy()
    }
    for (const params of [{ scopes: ['canton:devnet'] }, Object.assign(Object.create(null) as object, { a: 1 }), [1, 2]]) {
      const { store, provider } = setup()
      await store.connect(params)
      expect(provider.calls.find((c) => c.method === 'connect')).toEqual({ method: 'connect', params })
      store.destroy()
    }
  })

  it('C3: the params of connect(params) go with that connect only: the reads and the disconnect after it send none', async () => {
    const { store, provider } = setup()
    const params = { scopes: ['canton:devnet'] }
    await store.connect(params)
    await store.disconnect()
    expect(provider.calls).toEqual([{ method: 'connect', params }, { method: 'listAccounts' }, { method: 'getActiveNetwork' }, { method: 'disconnect' }])
  })

  it('C3: a request without params sends no params key, not even an undefined one: a wallet may check for the key, and a message port copies it', async () => {
    const { store, provider } = setup()
    const request = provider.request
    const sent: object[] = []
    provider.request = (args) => (sent.push(args), request(args))
    await store.connect()
    await store.disconnect()
    expect(sent.map((args) => Object.keys(args))).toEqual(sent.map(() => ['method']))
    expect(sent.length).toBeGreaterThan(1)
  })

  it('C3, C9: a connect() that a subscriber calls as a restore ends settles with how that connect ends, not with the state the restore ended in', async () => {
    const { store } = setup()
    let connecting: Promise<SessionState> | undefined
    store.subscribe((state) => {
      if (state.status === 'disconnected' && !connecting) connecting = store.connect()
    })
    expect((await store.restore()).status).toBe('disconnected')
    expect((await connecting)?.status).toBe('connected')
  })

  it('C3: an asynchronous wallet emits connect:pending and completes on the connected event', async () => {
    const { store, wallet } = setup({}, { connectMode: 'async' })
    const pending = vi.fn()
    store.on('connect:pending', pending)
    const result = store.connect()
    await flush()
    expect(pending).toHaveBeenCalledWith({ userUrl: 'http://127.0.0.1/mock-wallet/approve' })
    expect(store.getSnapshot().status).toBe('connecting')
    wallet.approve()
    expect((await result).status).toBe('connected')
    expect(store.getSnapshot().account?.partyId).toBe('alice::1220aa')
  })

  it('C3: a second connect() while the first waits for the user sends no second connect request and settles with the first', async () => {
    const { store, wallet, provider } = setup({}, { connectMode: 'async' })
    const pending = vi.fn()
    store.on('connect:pending', pending)
    const first = store.connect()
    await flush()
    const second = store.connect()
    await flush()
    wallet.approve()
    const [a, b] = await Promise.all([first, second])
    expect(a).toMatchObject({ status: 'connected', account: { partyId: 'alice::1220aa' } })
    expect(b).toBe(a)
    expect(provider.calls.filter((call) => call.method === 'connect')).toHaveLength(1)
    expect(pending).toHaveBeenCalledTimes(1)
  })

  it('C2, C3: connect() while connected asks the wallet nothing, its params included, and resolves with the connected state: no notification, the same snapshot', async () => {
    const { store, provider, states } = setup()
    const connected = await store.connect()
    const calls = provider.calls.length
    const notified = states.length
    await expect(store.connect({ partyId: 'bob::1220bb' })).resolves.toBe(connected)
    expect(provider.calls).toHaveLength(calls)
    expect(states).toHaveLength(notified)
    expect(store.getSnapshot()).toBe(connected)
  })

  it('C3: an asynchronous connect declined in the wallet resolves disconnected with an error', async () => {
    const { store, wallet } = setup({}, { connectMode: 'async' })
    const result = store.connect()
    await flush()
    wallet.reject()
    const state = await result
    expect(state.status).toBe('disconnected')
    expect(state.lastError).toBeInstanceOf(SessionError)
  })

  it('C4: a rejected connect resolves (never rejects) with the wallet code, message and cause', async () => {
    const { store } = setup({}, { connectMode: 'reject' })
    const state = await store.connect()
    expect(state).toMatchObject({ status: 'disconnected', account: null, accounts: [] })
    expect(state.lastError).toBeInstanceOf(SessionError)
    expect(state.lastError).toMatchObject({ code: 4001, message: 'User Rejected Request' })
    expect(state.lastError?.cause).toEqual({ code: 4001, message: 'User Rejected Request' })
  })

  it('C4: an HTTP-transport error keeps the JSON-RPC code from its body', async () => {
    const { store, wallet } = setup()
    wallet.failNext('connect', 'http')
    expect((await store.connect()).lastError?.code).toBe(4100)
  })

  it('C2: a subscriber that unsubscribed is never notified again, also once notifications went through the subscribers it was among', async () => {
    const { store, wallet } = setup()
    const kept = vi.fn()
    const dropped = vi.fn()
    const unsubscribe = store.subscribe(dropped)
    store.subscribe(kept)
    // a subscriber that unsubscribes itself as it is notified (a one-shot wait)
    let once = 0
    const off = store.subscribe(() => {
      once++
      off()
    })
    await store.connect() // notifications went through all of them
    expect(once).toBe(1)
    const heard = dropped.mock.calls.length
    expect(heard).toBeGreaterThan(0)
    unsubscribe()
    wallet.switchParty('bob::1220bb')
    await flush()
    expect(kept).toHaveBeenLastCalledWith(expect.objectContaining({ account: expect.objectContaining({ partyId: 'bob::1220bb' }) }), expect.anything())
    expect(dropped).toHaveBeenCalledTimes(heard)
    expect(once).toBe(1)
    store.destroy()
  })

  it('C2: one notification per real change, none for replays, equal accounts or a repeated disconnect', async () => {
    const { store, wallet, states } = setup()
    await store.connect()
    expect(states).toHaveLength(2)
    const before = store.getSnapshot()
    const status = await store.getProvider().request({ method: 'status' })
    wallet.emitRaw('statusChanged', status)
    wallet.emitRaw('accountsChanged', wallet.state().accounts)
    wallet.emitRaw('accountsChanged', wallet.state().accounts.map((a) => ({ ...a })))
    await flush()
    expect(store.getSnapshot()).toBe(before)
    expect(states).toHaveLength(2)
    // a reorder is a new accounts list (one notification), not a party change
    const party = vi.fn()
    store.on('party:changed', party)
    wallet.emitRaw('accountsChanged', [...wallet.state().accounts].reverse())
    await walletEvents()
    expect(states).toHaveLength(3)
    expect(party).not.toHaveBeenCalled()
    await store.disconnect()
    await store.disconnect()
    expect(states.map((s) => s.status)).toEqual(['connecting', 'connected', 'connected', 'disconnected'])
  })

  it('C5: disconnected never shows an account, in every notified state', async () => {
    const { store, wallet, states } = setup({ reconnect: true })
    wallet.emitRaw('accountsChanged', wallet.state().accounts)
    expect(store.getSnapshot()).toBe(DISCONNECTED_STATE)
    await store.connect()
    wallet.switchParty('bob::1220bb')
    await store.disconnect()
    await store.connect()
    wallet.disconnectFromWallet()
    await flush()
    for (const s of states) if (s.status === 'disconnected') expect([s.account, s.accounts.length]).toEqual([null, 0])
    // its reconnect would run on real timers for seconds into the tests after it
    store.destroy()
  })

  it('C6: disconnect is one notification, leaves the wallet, clears the entry, invalidates and never reconnects', async () => {
    const onInvalidate = vi.fn()
    const { store, provider, storage, states } = setup({ reconnect: true, onInvalidate })
    const scheduled = vi.fn()
    store.on('reconnect:scheduled', scheduled)
    await store.connect()
    await flush()
    expect(await storage.getItem('sessionlayer.session')).not.toBeNull()
    states.length = 0
    await store.disconnect()
    await flush()
    expect(states.map((s) => s.status)).toEqual(['disconnected'])
    expect(provider.calls.map((c) => c.method)).toContain('disconnect')
    expect(await storage.getItem('sessionlayer.session')).toBeNull()
    expect(onInvalidate).toHaveBeenCalledWith({ type: 'disconnected', previous: 'alice::1220aa', current: null, source: 'local' })
    expect(scheduled).not.toHaveBeenCalled()
  })

  it('C6: a wallet failure on disconnect only sets lastError', async () => {
    const { store, wallet } = setup()
    await store.connect()
    wallet.failNext('disconnect', { code: 4900, message: 'gone' })
    await store.disconnect()
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', account: null })
    expect(store.getSnapshot().lastError?.code).toBe(4900)
  })

  it('C6: disconnect() called from a subscriber or an on() handler resolves once the wallet answered, as from outside', async () => {
    vi.useFakeTimers()
    for (const via of ['subscribe', 'on'] as const) {
      const { store, wallet, states } = setup()
      await store.connect()
      wallet.answerLate('disconnect', 1_000)
      let left: string | undefined
      const leave = () => {
        left ??= 'pending'
        if (left === 'pending') void store.disconnect().then(() => (left = 'done'))
      }
      if (via === 'on') store.on('party:changed', leave)
      else store.subscribe((state) => state.account?.partyId === 'bob::1220bb' && leave())
      states.length = 0
      wallet.switchParty('bob::1220bb')
      await vi.advanceTimersByTimeAsync(999)
      expect(left).toBe('pending')
      await vi.advanceTimersByTimeAsync(1)
      expect(left).toBe('done')
      expect(states.map((s) => s.status)).toEqual(['connected', 'disconnected'])
      store.destroy()
    }
  })

  it.each([
    ['a party switch', 'party', (provider: ReturnType<typeof createMockProvider>) => provider.wallet.switchParty('bob::1220bb')],
    ['a network switch', 'network', (provider: ReturnType<typeof createMockProvider>) => provider.emit('chainChanged', 'canton:testnet')],
  ] as const)('C11: %s notifies subscribers, then handlers, then onInvalidate, then persistence, then the other tabs', async (_, kind, change) => {
    const log: string[] = []
    const provider = createMockProvider()
    const base = createMemoryStorage()
    const storage = { ...base, setItem: (k: string, v: string) => (log.push('persist'), base.setItem(k, v)) }
    const store = createSessionStore(provider, {
      storage,
      onInvalidate: (e) => void log.push(`invalidate:${e.type}`),
      broadcast: { channelFactory: () => ({ onmessage: null, postMessage: (m) => void log.push(`broadcast:${(m as { kind: string }).kind}`), close() {} }) },
    })
    await store.connect()
    await flush()
    log.length = 0
    store.subscribe(() => log.push('subscriber'))
    store.on(`${kind}:changed`, () => log.push('handler'))
    change(provider)
    await flush()
    expect(log).toEqual(['subscriber', 'handler', `invalidate:${kind}:changed`, 'persist', `broadcast:${kind}`])
    store.destroy()
  })

  it('C11: a throwing or rejecting onInvalidate skips neither the write nor the broadcast: another tab still takes the switch up', async () => {
    for (const onInvalidate of [
      () => {
        throw new Error('sync')
      },
      () => Promise.reject(new Error('async')),
    ]) {
      const hub = createChannelHub()
      const wallet = createMockProvider().wallet
      const storage = createMemoryStorage()
      const failing = createSessionStore(createMockProvider({ wallet }), { storage, onInvalidate, broadcast: { channelFactory: hub.channelFactory } })
      const otherProvider = createMockProvider({ wallet })
      const other = createSessionStore(otherProvider, { storage: createMemoryStorage(), broadcast: { channelFactory: hub.channelFactory } })
      const errors: unknown[] = []
      failing.on('error', (e) => errors.push(e.error))
      await failing.connect()
      await other.restore()
      await flush()
      const changes: unknown[] = []
      other.on('party:changed', (e) => changes.push(e))
      // the other tab hears nothing of the wallet's event: only the message can tell it
      otherProvider.detach()
      wallet.switchParty('bob::1220bb')
      await walletEvents()
      await flush()
      expect(failing.getSnapshot().account?.partyId).toBe('bob::1220bb')
      expect(decodeSessionEnvelope(await storage.getItem('sessionlayer.session'))?.account?.partyId).toBe('bob::1220bb')
      expect(changes).toEqual([{ previous: 'alice::1220aa', current: 'bob::1220bb', source: 'remote' }])
      expect(other.getSnapshot().account?.partyId).toBe('bob::1220bb')
      expect(errors).toHaveLength(1)
      failing.destroy()
      other.destroy()
    }
  })

  it('C6: a disconnect notifies, removes the entry, tells the other tabs and asks the wallet before onInvalidate', async () => {
    const log: string[] = []
    const provider = createMockProvider()
    const base = createMemoryStorage()
    const storage = { ...base, removeItem: (k: string) => (log.push('remove'), base.removeItem(k)) }
    const store = createSessionStore(provider, {
      storage,
      onInvalidate: (e) => void log.push(`invalidate:${e.type}`),
      broadcast: { channelFactory: () => ({ onmessage: null, postMessage: () => void log.push('broadcast'), close() {} }) },
    })
    await store.connect()
    await flush()
    log.length = 0
    store.subscribe((s) => log.push(`subscriber:${s.status}`))
    const request = provider.request.bind(provider)
    provider.request = (args) => (log.push(`wallet:${args.method}`), request(args))
    await store.disconnect()
    expect(log).toEqual(['subscriber:disconnected', 'remove', 'broadcast', 'wallet:disconnect', 'invalidate:disconnected'])
  })

  it('C11: a throwing or rejecting onInvalidate becomes an error event and skips nothing', async () => {
    const errors: unknown[] = []
    for (const onInvalidate of [
      () => {
        throw new Error('sync')
      },
      () => Promise.reject(new Error('async')),
    ]) {
      const { store, wallet, storage, provider } = setup({ onInvalidate })
      store.on('error', (e) => errors.push(e.error))
      await store.connect()
      await flush()
      await storage.removeItem('sessionlayer.session')
      wallet.switchParty('bob::1220bb')
      await flush()
      expect(store.getSnapshot().account?.partyId).toBe('bob::1220bb')
      expect(await storage.getItem('sessionlayer.session')).toContain('bob::1220bb')
      expect(provider.listenerErrors).toEqual([])
    }
    expect(errors.map((e) => (e as Error).message)).toEqual(['sync', 'async'])
  })

  it('C16: a throwing subscriber or handler does not stop the others or the store', async () => {
    const { store, provider } = setup()
    const seen: string[] = []
    store.subscribe(() => {
      throw new Error('bad subscriber')
    })
    store.subscribe((s) => seen.push(s.status))
    store.on('party:changed', () => {
      throw new Error('bad handler')
    })
    store.on('party:changed', (e) => seen.push(e.current ?? ''))
    const errors = vi.fn()
    store.on('error', errors)
    await store.connect()
    provider.wallet.switchParty('bob::1220bb')
    await walletEvents()
    expect(seen).toEqual(['connecting', 'connected', 'connected', 'bob::1220bb'])
    expect(errors).toHaveBeenCalledTimes(4)
    expect(provider.listenerErrors).toEqual([])
  })

  it('§2.2, C16: a handler that an earlier handler of the same event removes is not called for that event (the bindings\' handler of a component or scope just disposed), and one it adds is called from the next event on', async () => {
    const { store, wallet } = setup()
    const seen: string[] = []
    const added = (e: { current: string | null }) => seen.push(`added ${e.current}`)
    store.on('party:changed', (e) => {
      seen.push(`first ${e.current}`)
      offSecond()
      store.on('party:changed', added)
    })
    const offSecond = store.on('party:changed', (e) => seen.push(`second ${e.current}`))
    store.on('party:changed', (e) => seen.push(`third ${e.current}`))
    await store.connect()
    wallet.switchParty('bob::1220bb')
    await walletEvents()
    expect(seen).toEqual(['first bob::1220bb', 'third bob::1220bb'])
    wallet.switchParty('alice::1220aa')
    await walletEvents()
    expect(seen.slice(2)).toEqual(['first alice::1220aa', 'third alice::1220aa', 'added alice::1220aa'])
  })

  it('§2.2: a subscriber that an earlier subscriber removes is not called for that change, and one it adds is called from the next change on', async () => {
    const { store, wallet } = setup()
    const seen: string[] = []
    const added = (state: SessionState) => seen.push(`added ${state.account?.partyId ?? null}`)
    store.subscribe((state) => {
      if (state.status !== 'connected') return
      seen.push(`first ${state.account?.partyId ?? null}`)
      offSecond()
      store.subscribe(added)
    })
    const offSecond = store.subscribe((state) => seen.push(`second ${state.account?.partyId ?? null}`))
    store.subscribe((state) => state.status === 'connected' && seen.push(`third ${state.account?.partyId ?? null}`))
    await store.connect()
    expect(seen).toEqual(['second null', 'first alice::1220aa', 'third alice::1220aa'])
    wallet.switchParty('bob::1220bb')
    await walletEvents()
    expect(seen.slice(3)).toEqual(['first bob::1220bb', 'third bob::1220bb', 'added bob::1220bb'])
  })

  it('C16, §2.2: an async subscriber or handler that rejects becomes an error event, not an unhandled rejection', async () => {
    const { store, provider } = setup()
    const seen: string[] = []
    store.subscribe(async () => {
      await Promise.resolve()
      throw new Error('async subscriber')
    })
    store.on('party:changed', async () => {
      await Promise.resolve()
      throw new Error('async handler')
    })
    store.on('party:changed', (e) => seen.push(e.current ?? ''))
    const errors: unknown[] = []
    store.on('error', ({ error }) => errors.push(error))
    // an `error` handler that rejects is not reported again, without end
    store.on('error', () => Promise.reject(new Error('async error handler')))
    await store.connect()
    errors.length = 0
    provider.wallet.switchParty('bob::1220bb')
    await flush()
    expect(seen).toEqual(['bob::1220bb'])
    expect(errors.map((e) => (e as Error).message).sort()).toEqual(['async handler', 'async subscriber'])
    expect(provider.listenerErrors).toEqual([])
  })

  it('C17: a wallet that never answers times out with TIMEOUT, which names the request it did not answer, and its late answer changes nothing', async () => {
    vi.useFakeTimers()
    const { store, wallet } = setup({ requestTimeoutMs: 1000 }, { connected: true })
    wallet.answerLate('status', 5000)
    const restored = store.restore()
    await vi.advanceTimersByTimeAsync(1000)
    // a restore's read of the status, not a connect
    expect((await restored).lastError).toMatchObject({ code: 'TIMEOUT', message: 'The wallet did not answer status within 1000 ms' })
    expect(store.getSnapshot().status).toBe('disconnected')
    const settled = store.getSnapshot()
    await vi.advanceTimersByTimeAsync(5000)
    expect(store.getSnapshot()).toBe(settled)
  })

  it('C17: a wallet whose request answers with plain values (no promise) connects, restores and signs out as one that answers with promises', async () => {
    const plain: Record<string, unknown> = {
      connect: { isConnected: true },
      status: { connection: { isConnected: true }, network: { networkId: 'canton:plain' } },
      listAccounts: [{ partyId: 'plain::1', primary: true }],
      getActiveNetwork: 'canton:plain',
      disconnect: null,
    }
    const methods: string[] = []
    const provider = { request: ({ method }: { method: string }) => (methods.push(method), plain[method]) as Promise<unknown>, on: () => undefined, removeListener: () => undefined }
    const storage = createMemoryStorage()
    const store = createSessionStore(provider, { storage })
    expect(await store.connect()).toMatchObject({ status: 'connected', account: { partyId: 'plain::1' }, networkId: 'canton:plain', lastError: null })
    store.destroy()
    const reloaded = createSessionStore(provider, { storage })
    expect(await reloaded.restore()).toMatchObject({ status: 'connected', account: { partyId: 'plain::1' }, networkId: 'canton:plain', lastError: null })
    await reloaded.disconnect()
    expect(reloaded.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: null })
    expect(await storage.getItem('sessionlayer.session')).toBeNull()
    expect(methods).toEqual(['connect', 'listAccounts', 'getActiveNetwork', 'status', 'listAccounts', 'disconnect'])
    reloaded.destroy()
  })

  it('C17: connect waits for a person up to connectTimeoutMs', async () => {
    vi.useFakeTimers()
    const { store } = setup({ connectTimeoutMs: 60_000 }, { connectMode: 'manual' })
    const result = store.connect()
    await vi.advanceTimersByTimeAsync(59_999)
    expect(store.getSnapshot().status).toBe('connecting')
    await vi.advanceTimersByTimeAsync(1)
    expect((await result).lastError?.code).toBe('TIMEOUT')
  })

  it('C17: a connect that connectTimeoutMs ends reads the same whichever of its two bounds ends it — the whole connect, or the connect request in it (a clock may run two timers due at once in either order)', async () => {
    for (const order of ['armed first', 'armed last'] as const) {
      let now = 0
      const timers = new Map<number, { fn: () => void; ms: number }>()
      let ids = 0
      const clock: Clock = {
        now: () => now,
        setTimeout: (fn, ms) => (timers.set(++ids, { fn, ms }), ids),
        clearTimeout: (id) => void timers.delete(id as number),
      }
      const { store } = setup({ clock, connectTimeoutMs: 1000 }, { connectMode: 'manual' })
      const result = store.connect()
      await flush()
      const due = [...timers].filter(([, t]) => t.ms === 1000)
      expect(due).toHaveLength(2)
      now = 1000
      for (const [id, { fn }] of order === 'armed first' ? due : due.reverse()) {
        if (timers.delete(id)) fn()
        await flush()
      }
      expect((await result).lastError, order).toMatchObject({ code: 'TIMEOUT', message: 'The wallet did not connect within 1000 ms' })
      store.destroy()
    }
  })

  it("C3, C17: a connect that waited for the user of an asynchronous wallet and succeeded leaves no bound behind: the next connect gets its own connectTimeoutMs", async () => {
    vi.useFakeTimers()
    const { store, wallet } = setup({ connectTimeoutMs: 10_000 }, { connectMode: 'async' })
    wallet.answerLate('connect', 4_000) // then it asks its user
    const first = store.connect()
    await vi.advanceTimersByTimeAsync(5_000)
    wallet.approve()
    await walletEvents()
    expect((await first).status).toBe('connected')
    await store.disconnect()
    wallet.setConnectMode('manual')
    const second = store.connect() // 5 s after the first began; its user takes their time
    await vi.advanceTimersByTimeAsync(9_999)
    expect(store.getSnapshot()).toMatchObject({ status: 'connecting', lastError: null })
    await vi.advanceTimersByTimeAsync(1)
    expect((await second).lastError?.code).toBe('TIMEOUT')
  })

  it('C17: no bound is longer than 2^31 − 1 ms (about 24.8 days), also for Infinity: a wallet that never answers still times out', async () => {
    vi.useFakeTimers()
    const MAX = 2 ** 31 - 1
    for (const ms of [Infinity, 30 * 86_400_000]) {
      const { store, wallet } = setup({ requestTimeoutMs: ms, connectTimeoutMs: ms }, { connected: true })
      wallet.hangNext('status')
      const restored = store.restore()
      await vi.advanceTimersByTimeAsync(MAX - 1)
      expect(store.getSnapshot().status).toBe('reconnecting')
      await vi.advanceTimersByTimeAsync(1)
      expect((await restored).lastError?.code).toBe('TIMEOUT')
      store.destroy()

      const asking = setup({ requestTimeoutMs: ms, connectTimeoutMs: ms }, { connectMode: 'manual' })
      const result = asking.store.connect()
      await vi.advanceTimersByTimeAsync(MAX)
      expect((await result).lastError?.code).toBe('TIMEOUT')
      asking.store.destroy()
    }
  })

  it.each([
    ['not a positive number (0, negative, NaN)', 'an instant TIMEOUT', [0, -1, Number.NaN]],
    ['no number (true, an array)', 'a 1 ms TIMEOUT', [true, [1]]],
  ])('C17: a requestTimeoutMs or connectTimeoutMs that is %s is the default, not %s', async (_, __, values) => {
    vi.useFakeTimers()
    for (const ms of values as number[]) {
      // a wallet that takes a moment to answer, as a real one does
      const { store } = setup({ requestTimeoutMs: ms }, { connected: true, latencyMs: 50 })
      const restored = store.restore()
      await vi.advanceTimersByTimeAsync(1000)
      expect(await restored).toMatchObject({ status: 'connected', lastError: null })
      store.destroy()

      const asking = setup({ connectTimeoutMs: ms }, { connectMode: 'manual' })
      const result = asking.store.connect()
      await vi.advanceTimersByTimeAsync(299_999)
      expect(asking.store.getSnapshot()).toMatchObject({ status: 'connecting', lastError: null })
      await vi.advanceTimersByTimeAsync(1) // connectTimeoutMs: 300 000
      expect((await result).lastError?.code).toBe('TIMEOUT')
    }
  })

  it('options given as undefined keep their defaults', async () => {
    vi.useFakeTimers()
    const provider = createMockProvider({ connected: true })
    const store = createSessionStore(provider, {
      storage: undefined,
      storageKey: undefined,
      persistSnapshot: undefined,
      reconnect: undefined,
      expiry: { ttlMs: undefined, idleTimeoutMs: undefined, onReauthRequired: undefined, pendingQueueSize: undefined },
      broadcast: undefined,
      onInvalidate: undefined,
      requestTimeoutMs: undefined,
      connectTimeoutMs: undefined,
      clock: undefined,
    })
    provider.wallet.answerLate('status', 20_000)
    const restored = store.restore()
    await vi.advanceTimersByTimeAsync(9_999)
    expect(store.getSnapshot().status).toBe('reconnecting')
    await vi.advanceTimersByTimeAsync(1)
    expect((await restored).lastError?.code).toBe('TIMEOUT') // requestTimeoutMs: 10 000
    expect((await store.connect()).status).toBe('connected')
    expect(await store.enqueue(() => 'ran')).toBe('ran')
    store.destroy()
  })

  it('§2.1: options given as null (as a JSON configuration has them), and null options, keep their defaults as undefined ones do: no TypeError at creation', async () => {
    vi.useFakeTimers()
    const storage = createMemoryStorage()
    const nulls = { storageKey: null, persistSnapshot: null, reconnect: null, expiry: null, broadcast: null, onInvalidate: null, requestTimeoutMs: null, connectTimeoutMs: null, clock: null }
    const store = createSessionStore(createMockProvider(), { storage, ...(nulls as unknown as SessionStoreOptions) })
    expect((await store.connect()).status).toBe('connected')
    await vi.advanceTimersByTimeAsync(0)
    // the default key, and the full snapshot (persistSnapshot: true)
    expect(JSON.parse((await storage.getItem('sessionlayer.session'))!)).toMatchObject({ version: 1, account: { partyId: 'alice::1220aa' } })
    store.destroy()
    const bare = createSessionStore(createMockProvider(), null as unknown as SessionStoreOptions)
    expect(bare.getSnapshot().status).toBe('disconnected')
    bare.destroy()
  })

  it('C18: hostile wallet payloads never throw and never corrupt the state', async () => {
    const { store, wallet, provider } = setup()
    await store.connect()
    const before = store.getSnapshot()
    for (const payload of ['nope', null, 42, {}, { length: 1 }]) wallet.emitRaw('accountsChanged', payload)
    for (const payload of [null, {}, { connection: null }, { connection: { isConnected: 'yes' } }, 'x']) wallet.emitRaw('statusChanged', payload)
    expect(store.getSnapshot()).toBe(before)
    wallet.emitRaw('accountsChanged', [{}, { partyId: 5 }, { partyId: '' }, { partyId: 'carol::3', primary: true, status: 'initializing', token: 'secret', __proto__: { polluted: 1 } }])
    await walletEvents()
    const state = store.getSnapshot()
    expect(state.accounts).toEqual([{ partyId: 'carol::3', primary: true, status: 'initializing' }])
    expect(provider.listenerErrors).toEqual([])
    for (const status of ['initializing', 'initialized', 'allocated', 'removed', 'something-new']) {
      wallet.emitRaw('accountsChanged', [{ partyId: 'carol::3', primary: true, status }])
      await walletEvents()
      expect(store.getSnapshot().account?.status).toBe(status)
    }
  })

  it('C18: frozen payloads are read as any others, and a list of 50,000 accounts neither throws nor stalls the store', async () => {
    const { store, wallet, provider } = setup()
    await store.connect()
    const changes: unknown[] = []
    store.on('party:changed', (e) => changes.push(e))
    wallet.emitRaw('accountsChanged', Object.freeze([Object.freeze({ partyId: 'carol::3', primary: true, status: 'removed' }), Object.freeze({ partyId: 'dave::4' })]))
    wallet.emitRaw('statusChanged', Object.freeze({ connection: Object.freeze({ isConnected: true }), network: Object.freeze({ networkId: 'canton:testnet' }) }))
    await walletEvents()
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', account: { partyId: 'carol::3', status: 'removed' }, networkId: 'canton:testnet' })
    expect(store.getSnapshot().accounts).toHaveLength(2)
    const huge = Array.from({ length: 50_000 }, (_, i) => ({ partyId: `p${i}::1220`, primary: i === 49_999 }))
    wallet.emitRaw('accountsChanged', huge)
    await walletEvents()
    expect(store.getSnapshot().accounts).toHaveLength(50_000)
    expect(store.getSnapshot().account?.partyId).toBe('p49999::1220')
    // the same list again is no change
    const before = store.getSnapshot()
    wallet.emitRaw('accountsChanged', huge)
    expect(store.getSnapshot()).toBe(before)
    expect(Object.isFrozen(store.getSnapshot().accounts)).toBe(true)
    expect(changes).toEqual([
      { previous: 'alice::1220aa', current: 'carol::3', source: 'local' },
      { previous: 'carol::3', current: 'p49999::1220', source: 'local' },
    ])
    expect(provider.listenerErrors).toEqual([])
    store.destroy()
  })

  it('§2.1, C11: the active account is the one flagged primary, else the first; of two flagged, the first, as the wallet signs as', async () => {
    const { store, wallet } = setup()
    await store.connect()
    wallet.emitRaw('accountsChanged', [{ partyId: 'carol::3' }, { partyId: 'dave::4' }])
    await walletEvents()
    expect(store.getSnapshot().account?.partyId).toBe('carol::3')
    wallet.emitRaw('accountsChanged', [{ partyId: 'carol::3' }, { partyId: 'dave::4', primary: true }])
    await walletEvents()
    expect(store.getSnapshot().account?.partyId).toBe('dave::4')
    wallet.emitRaw('accountsChanged', [{ partyId: 'carol::3', primary: true }, { partyId: 'dave::4', primary: true }])
    await walletEvents()
    expect(store.getSnapshot().account?.partyId).toBe('carol::3')
  })

  it('C18: an account list with entries but not one valid account is ignored as a non-array one is: the session keeps its party, while an empty list still empties it', async () => {
    const { store, wallet } = setup()
    await store.connect()
    const before = store.getSnapshot()
    const changes = vi.fn()
    store.on('party:changed', changes)
    wallet.emitRaw('accountsChanged', [{}, { partyId: 5 }, { partyId: '' }, null])
    expect(store.getSnapshot()).toBe(before)
    expect(changes).not.toHaveBeenCalled()
    wallet.emitRaw('accountsChanged', [])
    await walletEvents()
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', account: null, accounts: [] })
    expect(changes).toHaveBeenCalledWith({ previous: 'alice::1220aa', current: null, source: 'local' })
  })

  it('C18: a wallet event payload that cannot be read (a throwing getter, a revoked proxy) is ignored as an invalid one is: no `error` event, which tells of the app\'s own callbacks only', async () => {
    const { store, wallet, provider } = setup()
    const errors: unknown[] = []
    store.on('error', ({ error }) => errors.push(error))
    await store.connect()
    const before = store.getSnapshot()
    const throwing = (key: string) =>
      Object.defineProperty({}, key, {
        get() {
          throw new Error('hostile getter')
        },
      })
    const revoked = Proxy.revocable([], {})
    revoked.revoke()
    wallet.emitRaw('statusChanged', throwing('connection'))
    wallet.emitRaw('statusChanged', { connection: { isConnected: true }, network: throwing('networkId') })
    wallet.emitRaw('connected', throwing('isConnected'))
    wallet.emitRaw('accountsChanged', revoked.proxy)
    wallet.emitRaw('chainChanged', throwing('networkId'))
    await flush()
    expect(errors).toEqual([])
    expect(provider.listenerErrors).toEqual([])
    expect(store.getSnapshot()).toBe(before)
  })

  it('C4, C17: a wallet failure that cannot be read at all (a proxy whose every read throws, a revoked proxy) is a failed connect with Unknown wallet error, and the next connect still reaches the wallet', async () => {
    const { store, provider } = setup()
    const request = provider.request.bind(provider)
    const unreadable = [
      new Proxy(
        {},
        {
          get() {
            throw new Error('hostile read')
          },
        },
      ),
      Object.defineProperty({}, Symbol.for('sessionlayer.error'), {
        get() {
          throw new Error('hostile getter')
        },
      }),
      (() => {
        const { proxy, revoke } = Proxy.revocable({}, {})
        revoke()
        return proxy
      })(),
    ]
    for (const thrown of unreadable) {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- wallets reject with values of every kind
      provider.request = (args) => (args.method === 'connect' ? Promise.reject(thrown) : request(args))
      const state = await Promise.race([store.connect(), new Promise((resolve) => setTimeout(resolve, 50, 'hangs'))])
      expect(state).toMatchObject({ status: 'disconnected', lastError: { code: 'UNKNOWN', message: 'Unknown wallet error' } })
    }
    provider.request = request
    expect((await store.connect()).status).toBe('connected')
  })

  it('C19: the wallet connecting on its own makes the store connected', async () => {
    const { store, wallet } = setup()
    wallet.connectFromWallet()
    await flush()
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', networkId: 'canton:devnet' })
    expect(store.getSnapshot().account?.partyId).toBe('alice::1220aa')
  })

  it('C4, C19: the wallet connecting on its own whose accounts cannot be read leaves the store disconnected with that error in lastError, told once', async () => {
    const { store, wallet } = setup({}, { latencyMs: 1 }) // each answer a task at least, as a real wallet's: after the events it sent before it
    await store.init()
    const seen: SessionState[] = []
    store.subscribe((state) => seen.push(state))
    wallet.failNext('listAccounts', { code: 4100, message: 'Not authorized' })
    wallet.connectFromWallet()
    await walletEvents()
    await flush()
    expect(seen).toHaveLength(1)
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', account: null, accounts: [] })
    expect(store.getSnapshot().lastError).toMatchObject({ code: 4100, message: 'Not authorized' })
    // the next connection it tells of is followed as before, and clears the error
    wallet.disconnectFromWallet()
    wallet.connectFromWallet()
    await vi.waitFor(() => expect(store.getSnapshot()).toMatchObject({ status: 'connected', lastError: null }))
  })

  it('C9, C19: a connection the wallet told of whose accounts could not be read is over once it failed: a restore() then asks the wallet, and settles', async () => {
    const { store, wallet } = setup({}, { latencyMs: 1 }) // each answer a task at least, as a real wallet's: after the events it sent before it
    await store.init()
    wallet.failNext('listAccounts', { code: 4100, message: 'Not authorized' })
    wallet.connectFromWallet()
    await walletEvents()
    await flush()
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 4100 } })
    const restored = await Promise.race([store.restore(), new Promise((resolve) => setTimeout(resolve, 100, 'hangs'))])
    expect(restored).toMatchObject({ status: 'connected', lastError: null })
    expect(store.getSnapshot().account?.partyId).toBe('alice::1220aa')
  })

  it('C14: destroy releases every listener and timer, and later calls reject with DESTROYED', async () => {
    vi.useFakeTimers()
    const { store, provider } = setup({ reconnect: true, expiry: { ttlMs: 60_000, idleTimeoutMs: 10_000 } })
    await store.connect()
    expect(provider.listenerCount()).toBeGreaterThan(0)
    provider.wallet.drop()
    await walletEvents()
    expect(vi.getTimerCount()).toBeGreaterThan(0)
    store.destroy()
    store.destroy()
    expect(provider.listenerCount()).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
    await expect(store.connect()).rejects.toMatchObject({ code: 'DESTROYED', message: 'The store was destroyed' })
    await expect(store.restore()).rejects.toMatchObject({ code: 'DESTROYED' })
    await expect(store.disconnect()).rejects.toMatchObject({ code: 'DESTROYED' })
    await expect(store.enqueue(() => 1)).rejects.toMatchObject({ code: 'DESTROYED' })
  })

  it('C14 regression: destroy settles a disconnect() whose wallet call never answers', async () => {
    // Found by the model test: destroy() cleared the timeouts of requests in flight, so a
    // disconnect() awaiting a hung wallet never settled.
    vi.useFakeTimers()
    const { store, wallet } = setup()
    await store.connect()
    wallet.hangNext('disconnect')
    let settled = false
    const pending = store.disconnect().then(() => (settled = true))
    await vi.advanceTimersByTimeAsync(0)
    expect(settled).toBe(false)
    store.destroy()
    await pending
    expect(settled).toBe(true)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('C14: a storage read still queued at destroy() starts no timer when its turn comes', async () => {
    // Found by the model test: a restore's read queued behind a slow storage operation started
    // after destroy(), and armed its requestTimeoutMs timeout on the destroyed store.
    vi.useFakeTimers()
    let release = () => undefined as void
    // a slow storage (an IndexedDB busy elsewhere): the removal waits, a read would never answer
    const getItem = vi.fn(() => new Promise<string | null>(() => undefined))
    const storage = { ...createMemoryStorage(), getItem, removeItem: () => new Promise<void>((resolve) => (release = resolve)) }
    const store = createSessionStore(createMockProvider(), { storage })
    void store.disconnect() // removes the persisted entry: the storage is slow to answer
    void store.restore() // its read waits behind the removal
    await vi.advanceTimersByTimeAsync(0)
    store.destroy()
    release()
    await vi.advanceTimersByTimeAsync(0)
    expect(vi.getTimerCount()).toBe(0)
    expect(getItem).not.toHaveBeenCalled()
  })

  it('C14: a listener that destroys the store leaves no timer behind (expiry, reconnect backoff)', async () => {
    vi.useFakeTimers()
    // a subscriber that tears the store down once connected: the TTL timer is not armed after it
    const a = setup({ expiry: { ttlMs: 60_000 } })
    a.store.subscribe((state) => {
      if (state.status === 'connected') a.store.destroy()
    })
    await a.store.connect()
    await walletEvents() // the connection's events, on their way to the tab
    expect(vi.getTimerCount()).toBe(0)
    // an `on` handler that tears it down as a reconnect is scheduled: no backoff timer after it
    const b = setup({ reconnect: true })
    await b.store.connect()
    b.store.on('reconnect:scheduled', () => {
      b.store.destroy()
    })
    b.wallet.drop()
    await walletEvents()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('C14: a handler or subscriber that destroys the store ends the delivery at once: the later handlers of that event and the later subscribers of that change are not called', async () => {
    const seen: string[] = []
    const a = setup()
    await a.store.connect()
    a.store.on('party:changed', (e) => {
      seen.push(`first ${e.current}`)
      a.store.destroy()
    })
    a.store.on('party:changed', (e) => seen.push(`second ${e.current}`))
    a.wallet.switchParty('bob::1220bb')
    await walletEvents()
    expect(seen).toEqual(['first bob::1220bb'])
    const b = setup()
    b.store.subscribe((state) => {
      seen.push(`first ${state.status}`)
      if (state.status === 'connected') b.store.destroy()
    })
    b.store.subscribe((state) => seen.push(`second ${state.status}`))
    await b.store.connect()
    expect(seen.slice(1)).toEqual(['first connecting', 'second connecting', 'first connected'])
  })

  it('C14: on() after destroy() registers nothing: a handler that destroys the store and then listens again does not bring back the later handlers of that event', async () => {
    const seen: string[] = []
    const { store, wallet } = setup()
    await store.connect()
    const late = vi.fn()
    store.on('party:changed', () => {
      seen.push('first')
      store.destroy()
      // a component's effect that listens again as the store goes away
      const off = store.on('party:changed', late)
      expect(off).toBeTypeOf('function')
      expect(() => off()).not.toThrow()
    })
    store.on('party:changed', () => seen.push('second'))
    wallet.switchParty('bob::1220bb')
    await walletEvents()
    expect(seen).toEqual(['first'])
    expect(late).not.toHaveBeenCalled()
  })

  it('C14: on() on a destroyed store registers nothing and returns a no-op unsubscribe: an async subscriber that rejects after destroy() reaches no handler', async () => {
    const { store } = setup()
    let fail: (error: Error) => void = () => undefined
    store.subscribe(() => new Promise((_, reject) => (fail = reject)))
    await store.connect()
    store.destroy()
    const handler = vi.fn()
    const off = store.on('error', handler)
    expect(off).toBeTypeOf('function')
    expect(() => off()).not.toThrow()
    store.on('error', handler)
    fail(new Error('late'))
    await flush()
    expect(handler).not.toHaveBeenCalled()
  })

  it('C14: subscribe() after destroy() registers nothing: a subscriber that destroys the store and subscribes a later subscriber again does not bring it back for that change', async () => {
    const seen: string[] = []
    const { store } = setup()
    const second = (state: SessionState) => seen.push(`second ${state.status}`)
    let off = () => undefined as void
    store.subscribe((state) => {
      seen.push(`first ${state.status}`)
      if (state.status !== 'connected') return
      store.destroy()
      // a component's effect that subscribes again as the store goes away
      off = store.subscribe(second)
    })
    store.subscribe(second)
    await store.connect()
    expect(seen).toEqual(['first connecting', 'second connecting', 'first connected'])
    expect(() => off()).not.toThrow()
  })

  it('C14: an on(session:expired) handler that destroys the store: the re-auth hook is never called', async () => {
    vi.useFakeTimers()
    const onReauthRequired = vi.fn(() => Promise.resolve())
    const { store } = setup({ expiry: { ttlMs: 1000, onReauthRequired } })
    await store.connect()
    store.on('session:expired', () => {
      store.destroy()
    })
    await vi.advanceTimersByTimeAsync(1000)
    expect(onReauthRequired).not.toHaveBeenCalled()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('C14: a listener that destroys the store as the session expires: the rest of the expiry asks the wallet nothing and calls no onInvalidate', async () => {
    vi.useFakeTimers()
    for (const via of ['on', 'subscribe'] as const) {
      const onInvalidate = vi.fn()
      const { store, provider, storage } = setup({ expiry: { ttlMs: 1000 }, onInvalidate })
      await store.connect()
      if (via === 'on') {
        store.on('session:expired', () => {
          store.destroy()
        })
      } else {
        store.subscribe((state) => {
          if (state.lastError?.code === 'SESSION_EXPIRED') store.destroy()
        })
      }
      await vi.advanceTimersByTimeAsync(1000)
      expect(store.getSnapshot().status).toBe('disconnected')
      expect(provider.calls.map((c) => c.method)).toEqual(['connect', 'listAccounts', 'getActiveNetwork']) // the store reads the network: connect's answer comes before the events that tell it
      expect(onInvalidate).not.toHaveBeenCalled()
      // the session stays persisted as it was: the next page load finds it expired and ends it (C10)
      const reloaded = createSessionStore(provider, { storage, expiry: { ttlMs: 1000 } })
      expect((await reloaded.restore()).lastError?.code).toBe('SESSION_EXPIRED')
      expect(provider.calls.map((c) => c.method)).toEqual(['connect', 'listAccounts', 'getActiveNetwork', 'disconnect'])
      reloaded.destroy()
    }
  })

  it('C6, C14: a subscriber that destroys the store as disconnect() runs: the wallet still leaves and the persisted entry is still removed', async () => {
    const { store, provider, storage } = setup()
    await store.connect()
    await flush()
    expect(await storage.getItem('sessionlayer.session')).not.toBeNull()
    store.subscribe((state) => {
      if (state.status === 'disconnected') store.destroy()
    })
    await store.disconnect()
    expect(provider.calls.map((c) => c.method)).toEqual(['connect', 'listAccounts', 'getActiveNetwork', 'disconnect']) // the store reads the network: connect's answer comes before the events that tell it
    expect(await storage.getItem('sessionlayer.session')).toBeNull()
    // the next page load finds the user signed out
    const reloaded = createSessionStore(provider, { storage })
    expect((await reloaded.restore()).status).toBe('disconnected')
    reloaded.destroy()
  })

  it('C14, C17: a subscriber that destroys the store as disconnect() runs: disconnect() settles though the wallet never answers', async () => {
    vi.useFakeTimers()
    const { store, provider, wallet } = setup()
    await store.connect()
    wallet.hangNext('disconnect')
    store.subscribe((state) => {
      if (state.status === 'disconnected') store.destroy()
    })
    let settled = false
    void store.disconnect().then(() => (settled = true))
    await vi.advanceTimersByTimeAsync(0)
    // the request went out, and destroy() ends the wait for it: no timeout on a destroyed store
    expect(provider.calls.map((c) => c.method)).toEqual(['connect', 'listAccounts', 'getActiveNetwork', 'disconnect']) // the store reads the network: connect's answer comes before the events that tell it
    expect(settled).toBe(true)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('C14: an on(reconnect:attempt) handler that destroys the store: that attempt sends no status probe', async () => {
    vi.useFakeTimers()
    const { store, provider, wallet } = setup({ reconnect: true })
    await store.connect()
    const attempt = vi.fn(() => {
      store.destroy()
    })
    store.on('reconnect:attempt', attempt)
    wallet.drop()
    await walletEvents()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(attempt).toHaveBeenCalledTimes(1)
    expect(provider.calls.map((c) => c.method)).toEqual(['connect', 'listAccounts', 'getActiveNetwork']) // the store reads the network: connect's answer comes before the events that tell it
  })

  it('C14: destroy settles a disconnect() that waits for a storage that never answers', async () => {
    vi.useFakeTimers()
    // a blocked IndexedDB: the removal of the persisted entry never settles
    const storage = { ...createMemoryStorage(), removeItem: () => new Promise<void>(() => undefined) }
    const { store } = setup({ storage })
    await store.connect()
    let settled = false
    void store.disconnect().then(() => (settled = true))
    await vi.advanceTimersByTimeAsync(0)
    expect(settled).toBe(false)
    store.destroy()
    await vi.advanceTimersByTimeAsync(0)
    expect(settled).toBe(true)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('C6, C14: each disconnect() lets go of what it waited for once it settled: 100 sign-outs in a tab that stays open keep none of it alive', async () => {
    // what the store still holds is told by the garbage collector: each removal resolves to an
    // object of its own, the value that disconnect() waits for last
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    let alive = 0
    const collected = new FinalizationRegistry(() => alive--)
    const storage = {
      ...createMemoryStorage(),
      removeItem: () => {
        const removal = {}
        collected.register(removal, 0)
        alive++
        return Promise.resolve(removal as unknown as void)
      },
    }
    const { store } = setup({ storage })
    for (let i = 0; i < 100; i++) {
      await store.connect()
      await store.disconnect()
    }
    for (let i = 0; i < 5; i++) {
      gc()
      await flush()
    }
    // the latest one is the outcome of the latest storage operation
    expect(alive).toBeLessThanOrEqual(1)
    store.destroy()
  })

  it('C14: 10,000 create/connect/destroy cycles leak no wallet listener and no timer', async () => {
    vi.useFakeTimers()
    const provider = createMockProvider()
    const storage = createMemoryStorage()
    for (let i = 0; i < 10_000; i++) {
      const store = createSessionStore(provider, { storage, reconnect: true, expiry: { ttlMs: 1e9 } })
      await store.connect()
      store.destroy()
      await provider.request({ method: 'disconnect' })
      await walletEvents() // the wallet's events reach the tab before the next page load
    }
    expect(provider.listenerCount()).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
    // 10,000 cycles take about 2 s alone, and several times that on a busy machine
  }, 30_000)

  it('C14: 1,000 create/connect/destroy cycles of a multi-tab store in a page (broadcast, Web Locks, idle expiry, every other one destroyed while it reconnects) leak no tab channel, page listener, lock, wallet listener or timer', async () => {
    vi.useFakeTimers()
    const { listening } = stubPage()
    try {
      const provider = createMockProvider()
      const hub = createChannelHub()
      const lockManager = createMockLockManager()
      const storage = createMemoryStorage()
      // the timers of these stores only: a store another test left behind may arm one meanwhile
      const pending = new Set<unknown>()
      const clock: Clock = {
        now: () => Date.now(),
        setTimeout: (fn, ms) => {
          const handle = setTimeout(() => {
            pending.delete(handle)
            fn()
          }, ms)
          pending.add(handle)
          return handle
        },
        clearTimeout: (handle) => {
          pending.delete(handle)
          clearTimeout(handle as ReturnType<typeof setTimeout>)
        },
      }
      const options: SessionStoreOptions = { storage, clock, reconnect: true, expiry: { ttlMs: 1e9, idleTimeoutMs: 1e6 }, broadcast: { channelFactory: hub.channelFactory, lockManager } }
      for (let i = 0; i < 1_000; i++) {
        const store = createSessionStore(provider, options)
        await store.connect()
        store.touch()
        if (i % 2) {
          provider.wallet.drop()
          await walletEvents()
          await vi.advanceTimersByTimeAsync(1)
          expect(store.getSnapshot().status).toBe('reconnecting')
          provider.wallet.recover()
        }
        store.destroy()
        await provider.request({ method: 'disconnect' })
        await walletEvents() // the wallet's events reach the tab before the next page load
      }
      await vi.advanceTimersByTimeAsync(0)
      expect(provider.listenerCount()).toBe(0)
      expect(pending.size).toBe(0)
      expect(hub.openCount()).toBe(0)
      expect(['visibilitychange', 'pagehide'].map(listening)).toEqual([0, 0])
      // no lock is held or waited for: a new request is granted at once
      let granted = false
      await lockManager.request('sessionlayer.reconnect::sessionlayer.session', { ifAvailable: true }, (lock) => (granted = lock !== null))
      expect(granted).toBe(true)
    } finally {
      vi.unstubAllGlobals()
    }
  }, 30_000)

  it('enqueue runs at once outside a re-auth', async () => {
    const { store } = setup()
    await expect(store.enqueue(() => 42)).resolves.toBe(42)
    await expect(store.enqueue(() => Promise.reject(new Error('op failed')))).rejects.toThrow('op failed')
  })
})
