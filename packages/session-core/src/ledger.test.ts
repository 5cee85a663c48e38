import type { SessionStorage } from '@sessionlayer/session-crypto'
import type { LockManagerLike } from '@sessionlayer/session-sync'
import { createChannelHub, createMockLockManager, createMockProvider, createMockWallet, type MockProvider, type MockWallet } from '@sessionlayer/session-testing'
import { Readable } from 'node:stream'
import { inspect } from 'node:util'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMemoryStorage } from './createMemoryStorage'
import { createSessionStore } from './createSessionStore'
import { DISCONNECTED_STATE } from './machine'
import { INTERNALS, type StoreInternals } from './internals'
import { createLedgerFetch, getLedgerAuth } from './ledger'
import { SessionError } from './SessionError'
import type { CIP0103Account, CIP0103Provider, CIP0103StatusEvent } from './cip0103'
import type { SessionState, SessionStore, SessionStoreOptions } from './types'

const LEDGER = 'http://127.0.0.1:7575'
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * A Ledger API that answers the calls one at a time, each in a task of its own: 200 for the
 * wallet's current token, else 401.
 */
function oneByOne(wallet: MockWallet) {
  let queue = Promise.resolve()
  return (_: RequestInfo | URL, init?: RequestInit) => {
    const ok = new Headers(init?.headers).get('Authorization') === `Bearer ${wallet.state().accessToken}`
    const answer = queue.then(() => sleep(0)).then(() => new Response(ok ? '{}' : 'unauthorized', { status: ok ? 200 : 401 }))
    queue = answer.then(() => undefined)
    return answer
  }
}

const LEDGER_LOCK = 'sessionlayer.ledger::sessionlayer.session'
/** Another tab of the origin takes the token-refresh lock and never lets it go. */
const holdElsewhere = (locks: ReturnType<typeof createMockLockManager>) => void locks.request(LEDGER_LOCK, () => new Promise(() => undefined))
/** The token-refresh lock requests queued. */
const queuedRefreshes = (locks: ReturnType<typeof createMockLockManager>) => locks.query().pending.filter((lock) => lock.name === LEDGER_LOCK)

/** A call's outcome (what it resolved or rejected with), which tells whether it came yet. */
function outcome(call: Promise<unknown>): Promise<unknown> & { settled: boolean } {
  const result = Object.assign(
    call.catch((e: unknown) => e).finally(() => (result.settled = true)),
    { settled: false },
  )
  return result
}

/** A JSON Ledger API that accepts only the wallet's current token, while it is not expired. */
function ledgerServer(wallet: MockWallet) {
  const seen: { url: string; authorization: string | null; method: string; contentType: string | null }[] = []
  let expired = false
  const fetch = (input: string | URL, init?: RequestInit): Promise<Response> => {
    const headers = new Headers(init?.headers)
    const authorization = headers.get('Authorization')
    seen.push({ url: input.toString(), authorization, method: init?.method ?? 'GET', contentType: headers.get('Content-Type') })
    init?.signal?.throwIfAborted()
    const ok = !expired && authorization === `Bearer ${wallet.state().accessToken}`
    return Promise.resolve(new Response(ok ? JSON.stringify({ contracts: [] }) : 'unauthorized', { status: ok ? 200 : 401 }))
  }
  return {
    fetch: fetch as typeof globalThis.fetch,
    seen,
    isExpired: () => expired,
    expire: () => (expired = true),
    renew: () => (expired = false),
  }
}

/** A JSON Ledger API read the way a real `fetch` reads its arguments (a body can be read once). */
function readingServer(wallet: MockWallet) {
  const seen: { url: string; authorization: string | null; method: string; body: string; trace: string | null }[] = []
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init)
    const authorization = request.headers.get('Authorization')
    seen.push({ url: request.url, authorization, method: request.method, body: await request.text(), trace: request.headers.get('X-Trace') })
    const ok = authorization === `Bearer ${wallet.state().accessToken}`
    return new Response(ok ? '{}' : 'unauthorized', { status: ok ? 200 : 401 })
  }
  return { fetch, seen }
}

/**
 * A JSON Ledger API whose 401 bodies stay open until read, as on the network (where an unread body
 * holds its connection), and tell whether they were cancelled.
 */
function streamingServer(wallet: MockWallet) {
  const unauthorized: { response: Response; cancelled: boolean }[] = []
  let rejectAll = false
  const fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init)
    if (!rejectAll && request.headers.get('Authorization') === `Bearer ${wallet.state().accessToken}`) return Promise.resolve(new Response('{}'))
    const entry = { cancelled: false }
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode('unauthorized'))
        controller.close()
      },
      cancel: () => {
        entry.cancelled = true
      },
    }, { highWaterMark: 0 })
    const response = new Response(body, { status: 401 })
    unauthorized.push(Object.assign(entry, { response }))
    return Promise.resolve(response)
  }
  return { fetch, unauthorized, rejectAll: () => (rejectAll = true) }
}

/** A wallet whose `status` refreshes an expired token, slowly (as a real wallet's token refresh). */
function refreshingProvider(wallet: MockWallet, server: ReturnType<typeof ledgerServer>, log: string[]): CIP0103Provider {
  const inner = createMockProvider({ wallet })
  return {
    on: (e, l) => inner.on(e, l),
    removeListener: (e, l) => inner.removeListener(e, l),
    async request(args) {
      if (args.method === 'status' && server.isExpired()) {
        await sleep(20)
        wallet.rotateToken()
        server.renew()
        log.push(`rotated:${wallet.state().accessToken}`)
      }
      return inner.request(args)
    },
  }
}

/** Lets the wallet's events on their way reach the tabs: each arrives on a task of its own, as from a real wallet. */
const walletEvents = async () => {
  if (vi.isFakeTimers()) await vi.advanceTimersByTimeAsync(0)
  else await sleep(0)
}

async function connectedStore(provider: CIP0103Provider, options: SessionStoreOptions = {}) {
  const store = createSessionStore(provider, { storage: createMemoryStorage(), ...options })
  await store.restore()
  if (store.getSnapshot().status !== 'connected') await store.connect()
  // the connection's events (statusChanged, connected) arrive a task after its answer
  await walletEvents()
  return store
}

/**
 * The user disconnects while `call` waits, the wallet slow to end its session (so it still says it
 * is connected); then `resume` lets the call go on. It rejects with 4900, asks the wallet nothing,
 * and the session stays ended (C6, L2).
 */
async function disconnectWhileWaiting(store: SessionStore, provider: MockProvider, call: Promise<Response>, resume: () => void) {
  provider.wallet.hangNext('disconnect')
  void store.disconnect()
  const before = provider.calls.length
  const states: string[] = []
  store.subscribe((state) => states.push(state.status))
  resume()
  await expect(call).rejects.toMatchObject({ name: 'SessionError', code: 4900 })
  await sleep(10)
  expect(provider.calls.slice(before)).toEqual([])
  expect(states).toEqual([])
  expect(store.getSnapshot().status).toBe('disconnected')
  store.destroy()
}

const liveStatus = (accessToken: string) => ({
  connection: { isConnected: true },
  network: { networkId: 'canton:devnet', ledgerApi: LEDGER, accessToken },
  session: { accessToken, userId: 'user' },
})

/** A store connected to a wallet whose network gives `ledgerApi` and `accessToken`, told again once connected. */
async function storeAt(ledgerApi: string, accessToken = 'secret-token-A') {
  const status = { connection: { isConnected: true }, network: { networkId: 'canton:devnet', ledgerApi, accessToken } }
  const wallet = handWallet({ status })
  const store = createSessionStore(wallet.provider, { storage: createMemoryStorage() })
  await store.connect()
  wallet.emit('statusChanged', status)
  return store
}

/**
 * A hand-written wallet that emits what the test says. It answers at once with `answers` (a value,
 * or a function that returns it; the test may change them), except
 * the methods in `held`: their requests wait until the test answers them (`answer`: the oldest
 * still waiting, or the one at `index`).
 */
function handWallet(answers: Record<string, unknown> = {}) {
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  const waiting = new Map<string, ((value: unknown) => void)[]>()
  const held = new Set<string>()
  const all: Record<string, unknown> = {
    connect: { isConnected: true },
    listAccounts: [{ partyId: 'alice::1220aa', primary: true }],
    getActiveNetwork: { networkId: 'canton:devnet', ledgerApi: LEDGER },
    ...answers,
  }
  const provider = {
    on: (event: string, listener: (payload: unknown) => void) => {
      listeners.set(event, (listeners.get(event) ?? new Set()).add(listener))
    },
    removeListener: (event: string, listener: (payload: unknown) => void) => {
      listeners.get(event)?.delete(listener)
    },
    request: ({ method }: { method: string }) =>
      held.has(method)
        ? new Promise((resolve) => waiting.set(method, [...(waiting.get(method) ?? []), resolve]))
        : Promise.resolve(typeof all[method] === 'function' ? (all[method] as () => unknown)() : (all[method] ?? null)),
  } as unknown as CIP0103Provider
  return {
    provider,
    held,
    answers: all,
    emit: (event: string, payload: unknown) => {
      for (const listener of [...(listeners.get(event) ?? [])]) listener(payload)
    },
    answer: async (method: string, value: unknown, index = 0) => {
      waiting.get(method)?.splice(index, 1)[0]?.(value)
      await vi.advanceTimersByTimeAsync(0)
    },
    waiting: (method: string) => waiting.get(method)?.length ?? 0,
  }
}

/** A JSON Ledger API that accepts `Bearer <token>` only; `seen` lists the tokens sent. */
function acceptOnly(token: string) {
  const seen: string[] = []
  const fetch = (_: RequestInfo | URL, init?: RequestInit) => {
    const authorization = new Headers(init?.headers).get('Authorization') ?? ''
    seen.push(authorization.replace('Bearer ', ''))
    return Promise.resolve(new Response(authorization === `Bearer ${token}` ? '{}' : 'unauthorized', { status: authorization === `Bearer ${token}` ? 200 : 401 }))
  }
  return { fetch, seen }
}

/** A store connected to a hand-written wallet, its token `A` (from the wallet's statusChanged). */
async function handConnected(options: SessionStoreOptions = {}, answers: Record<string, unknown> = {}) {
  const wallet = handWallet(answers)
  const store = createSessionStore(wallet.provider, { storage: createMemoryStorage(), ...options })
  await store.connect()
  wallet.emit('statusChanged', liveStatus('A'))
  expect(store.getSnapshot().status).toBe('connected')
  expect(getLedgerAuth(store)?.accessToken).toBe('A')
  return { store, wallet }
}

describe('ledger', () => {
  it('L1: URL, bearer header and WebSocket subprotocols from the live status; null when disconnected', async () => {
    const provider = createMockProvider({ accessToken: 'tok' })
    const store = createSessionStore(provider, { storage: createMemoryStorage() })
    expect(getLedgerAuth(store)).toBeNull()
    await store.connect()
    expect(getLedgerAuth(store)).toEqual({
      ledgerApi: LEDGER,
      accessToken: 'tok',
      headers: { Authorization: 'Bearer tok' },
      wsProtocols: ['jwt.token.tok', 'daml.ws.auth'],
    })
    await store.disconnect()
    expect(getLedgerAuth(store)).toBeNull()
  })

  it("L1: a new session never hands out the token of the one before it, when the wallet sends no status events", async () => {
    // A wallet that only answers requests: the token is in `status`, not in `getActiveNetwork`.
    let session = { token: 'TOKEN-OF-ALICE', connected: true }
    const provider = {
      on: () => provider,
      removeListener: () => provider,
      request({ method }: { method: string }) {
        const answers: Record<string, unknown> = {
          status: { connection: { isConnected: session.connected }, network: { networkId: 'canton:devnet', ledgerApi: LEDGER }, session: { accessToken: session.token } },
          connect: { isConnected: true },
          listAccounts: [{ partyId: 'alice::1220aa', primary: true }],
          getActiveNetwork: { networkId: 'canton:devnet', ledgerApi: LEDGER },
        }
        if (method === 'disconnect') session = { token: '', connected: false }
        if (method === 'connect') session = { token: 'TOKEN-OF-THE-NEW-SESSION', connected: true }
        return Promise.resolve(answers[method] ?? null)
      },
    } as unknown as CIP0103Provider
    const store = await connectedStore(provider)
    expect(getLedgerAuth(store)?.accessToken).toBe('TOKEN-OF-ALICE')
    await store.disconnect()
    await store.connect()
    expect(store.getSnapshot().status).toBe('connected')
    expect(getLedgerAuth(store)?.accessToken).not.toBe('TOKEN-OF-ALICE')
    const seen: (string | null)[] = []
    const fetch = (_: RequestInfo | URL, init?: RequestInit) => {
      seen.push(new Headers(init?.headers).get('Authorization'))
      return Promise.resolve(new Response('{}'))
    }
    await createLedgerFetch(store, { fetch })('/v2/version')
    expect(seen).toEqual(['Bearer TOKEN-OF-THE-NEW-SESSION'])
  })

  it('L1: a connected event or statusChanged that carries no Ledger API access keeps the access of the session that stays connected; one that carries access replaces it', async () => {
    const { store, wallet } = await handConnected()
    let statusReads = 0
    wallet.answers.status = () => (statusReads++, liveStatus('A'))
    // a bare re-announcement, the official provider's `connected` event, a status that only tells the same network
    wallet.emit('connected', { isConnected: true })
    expect(getLedgerAuth(store)?.accessToken).toBe('A')
    wallet.emit('connected', { provider: { id: 'browser:canton' }, connection: { isConnected: true, isNetworkConnected: true } })
    expect(getLedgerAuth(store)?.accessToken).toBe('A')
    wallet.emit('statusChanged', { connection: { isConnected: true }, network: { networkId: 'canton:devnet', ledgerApi: LEDGER } })
    expect(getLedgerAuth(store)).toMatchObject({ ledgerApi: LEDGER, accessToken: 'A' })
    const server = acceptOnly('A')
    expect(await createLedgerFetch(store, { fetch: server.fetch })('/v2/parties')).toMatchObject({ status: 200 })
    expect(server.seen).toEqual(['A'])
    expect(statusReads).toBe(0)
    wallet.emit('statusChanged', liveStatus('B'))
    expect(getLedgerAuth(store)?.accessToken).toBe('B')
    wallet.emit('statusChanged', { connection: { isConnected: false } })
    expect(store.getSnapshot().status).toBe('disconnected')
    expect(getLedgerAuth(store)).toBeNull()
    store.destroy()
  })

  it.each([
    ['an empty network id', { networkId: '' }, ''],
    ['no network id', {}, null],
  ])('C7, C18, L1: a reconnect onto a wallet whose status carries access but tells %s, and no network either when asked, is connected on none and hands out that access', async (_, told, active) => {
    vi.useFakeTimers()
    try {
      const { store, wallet } = await handConnected({ reconnect: { baseDelayMs: 100, maxAttempts: 2 } })
      wallet.answers.status = { connection: { isConnected: false } }
      wallet.emit('statusChanged', { connection: { isConnected: false } })
      expect(store.getSnapshot()).toMatchObject({ status: 'reconnecting', networkId: 'canton:devnet' })
      wallet.answers.status = { connection: { isConnected: true }, network: { ...told, ledgerApi: LEDGER, accessToken: 'B' } }
      wallet.answers.getActiveNetwork = active
      await vi.advanceTimersByTimeAsync(100)
      expect(store.getSnapshot()).toMatchObject({ status: 'connected', networkId: null })
      // the session's access, as the wallet gave it when it came back
      expect(getLedgerAuth(store)?.accessToken).toBe('B')
      store.destroy()
    } finally {
      vi.useRealTimers()
    }
  })

  it.each(['connect', 'reconnect'])("C3, C7, L1: a bare connected event right after the statusChanged that carried access (the official wallet's pair) keeps that access as the store %ss", async (op) => {
    vi.useFakeTimers()
    try {
      const wallet = handWallet({ connect: { isConnected: false } })
      const store = createSessionStore(wallet.provider, { storage: createMemoryStorage(), reconnect: { baseDelayMs: 100, maxAttempts: 2 } })
      const connecting = store.connect()
      await vi.advanceTimersByTimeAsync(0)
      expect(store.getSnapshot().status).toBe('connecting')
      if (op === 'reconnect') {
        wallet.emit('statusChanged', liveStatus('A'))
        await connecting
        wallet.emit('statusChanged', { connection: { isConnected: false } })
        expect(store.getSnapshot().status).toBe('reconnecting')
      }
      // the user approves, or the wallet comes back by itself (C8): statusChanged with the access, then the bare `connected` event
      wallet.emit('statusChanged', liveStatus('B'))
      wallet.emit('connected', { provider: { id: 'browser:canton' }, connection: { isConnected: true, isNetworkConnected: true } })
      await vi.advanceTimersByTimeAsync(0)
      expect(store.getSnapshot()).toMatchObject({ status: 'connected', networkId: 'canton:devnet' })
      expect(getLedgerAuth(store)?.accessToken).toBe('B')
      store.destroy()
    } finally {
      vi.useRealTimers()
    }
  })

  it.each([
    ['a chainChanged', (id: string): [string, unknown] => ['chainChanged', id]],
    // the wallet re-announces its connection, now telling where it is, as a chainChanged would
    ['a status without a token', (id: string): [string, unknown] => ['statusChanged', { connection: { isConnected: true }, network: { networkId: id, ledgerApi: LEDGER } }]],
  ])('C11, L1: a store connected on no network keeps the access a status gave it when %s tells the first network: a first network is no switch', async (_, tell) => {
    const wallet = handWallet({ getActiveNetwork: null })
    const store = createSessionStore(wallet.provider, { storage: createMemoryStorage() })
    const changes: unknown[] = []
    store.on('network:changed', (e) => changes.push(e))
    expect(await store.connect()).toMatchObject({ status: 'connected', networkId: null })
    wallet.emit('statusChanged', { connection: { isConnected: true }, network: { ledgerApi: LEDGER, accessToken: 'B' } })
    expect(getLedgerAuth(store)?.accessToken).toBe('B')
    wallet.emit(...tell('canton:devnet'))
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', networkId: 'canton:devnet' })
    expect(changes).toEqual([])
    // the wallet told where it is, as a getActiveNetwork answer would: the access stays
    expect(getLedgerAuth(store)?.accessToken).toBe('B')
    // a switch from there ends it
    wallet.emit(...tell('canton:testnet'))
    expect(store.getSnapshot().networkId).toBe('canton:testnet')
    expect(getLedgerAuth(store)).toBeNull()
    store.destroy()
  })

  it('C3, L1: a connect whose answer is a live status that carries access (and no statusChanged follows) hands out that access', async () => {
    const wallet = handWallet({ connect: liveStatus('C') })
    const store = createSessionStore(wallet.provider, { storage: createMemoryStorage() })
    expect(await store.connect()).toMatchObject({ status: 'connected', networkId: 'canton:devnet' })
    expect(getLedgerAuth(store)).toMatchObject({ ledgerApi: LEDGER, accessToken: 'C' })
    // a bare connected event keeps it; a newer status replaces it
    wallet.emit('connected', { isConnected: true })
    expect(getLedgerAuth(store)?.accessToken).toBe('C')
    wallet.emit('statusChanged', liveStatus('D'))
    expect(getLedgerAuth(store)?.accessToken).toBe('D')
    store.destroy()
  })

  it("C6, L1: the wallet's word of a sign-out that comes after the answer to the next connect() (a gateway) leaves that connection's access as its answer told it: getLedgerAuth hands it, a ledger fetch sends it", async () => {
    const wallet = handWallet({ connect: liveStatus('A') })
    const store = createSessionStore(wallet.provider, { storage: createMemoryStorage() })
    await store.connect()
    await store.disconnect()
    wallet.answers.connect = liveStatus('B')
    wallet.answers.status = { connection: { isConnected: true } }
    expect(await store.connect()).toMatchObject({ status: 'connected' })
    expect(getLedgerAuth(store)?.accessToken).toBe('B')
    wallet.emit('statusChanged', { connection: { isConnected: false, reason: 'disconnect' } })
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', lastError: null })
    expect(getLedgerAuth(store)).toMatchObject({ ledgerApi: LEDGER, accessToken: 'B' })
    const ledger = acceptOnly('B')
    expect((await createLedgerFetch(store, { fetch: ledger.fetch })('/v2/version')).status).toBe(200)
    expect(ledger.seen).toEqual(['B'])
    // the wallet, asked whether it is connected (the word of a sign-out or a drop?), says it is
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', lastError: null })
    expect(getLedgerAuth(store)?.accessToken).toBe('B')
    store.destroy()
  })

  it('C3, L1: a status event that carries access before the connect answer (asked before it) keeps its access over the older answer', async () => {
    vi.useFakeTimers()
    try {
      const wallet = handWallet()
      wallet.held.add('connect')
      const store = createSessionStore(wallet.provider, { storage: createMemoryStorage() })
      const connecting = store.connect()
      await vi.advanceTimersByTimeAsync(0)
      wallet.emit('statusChanged', liveStatus('E'))
      await wallet.answer('connect', liveStatus('C'))
      expect(await connecting).toMatchObject({ status: 'connected' })
      expect(getLedgerAuth(store)?.accessToken).toBe('E')
      store.destroy()
    } finally {
      vi.useRealTimers()
    }
  })

  it.each(['a reconnect that gave up', 'a restore that failed', 'a connect that failed'])('C3, C7, C9, L1: the access a status told during %s, whose account read then failed, is not handed to the next session', async (op) => {
    vi.useFakeTimers()
    try {
      const wallet = handWallet()
      const store = createSessionStore(wallet.provider, { storage: createMemoryStorage(), reconnect: { baseDelayMs: 100, maxAttempts: 1 } })
      const locked = () => Promise.reject(new SessionError('locked', 4100))
      if (op === 'a reconnect that gave up') {
        await store.connect()
        wallet.emit('statusChanged', liveStatus('A'))
        wallet.emit('statusChanged', { connection: { isConnected: false } })
        expect(store.getSnapshot().status).toBe('reconnecting')
        // the attempt finds the wallet connected, with a token, but cannot read the accounts
        wallet.answers.status = liveStatus('B')
        wallet.answers.listAccounts = locked
        await vi.advanceTimersByTimeAsync(100)
      } else if (op === 'a restore that failed') {
        wallet.answers.status = liveStatus('B')
        wallet.answers.listAccounts = locked
        const restoring = store.restore()
        await vi.advanceTimersByTimeAsync(1000)
        await restoring
      } else {
        wallet.answers.listAccounts = locked
        const connecting = store.connect()
        wallet.emit('statusChanged', liveStatus('B'))
        await connecting
      }
      expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 4100 } })
      expect(getLedgerAuth(store)).toBeNull()
      // the next session: connected without any status that carries a token, as a first connect
      wallet.answers.listAccounts = [{ partyId: 'alice::1220aa', primary: true }]
      wallet.answers.status = { connection: { isConnected: true } }
      expect(await store.connect()).toMatchObject({ status: 'connected', networkId: 'canton:devnet' })
      expect(getLedgerAuth(store)).toBeNull()
      // nor after its wallet's bare connected event
      wallet.emit('connected', { isConnected: true })
      expect(getLedgerAuth(store)).toBeNull()
      store.destroy()
    } finally {
      vi.useRealTimers()
    }
  })

  it('C7, C8, L1: the access that a reconnect attempt\'s status answer carries, come after the user cancelled that reconnect, is not handed to the next session', async () => {
    vi.useFakeTimers()
    try {
      const wallet = handWallet()
      const store = createSessionStore(wallet.provider, { storage: createMemoryStorage(), reconnect: { baseDelayMs: 100, maxAttempts: 3 } })
      await store.connect()
      wallet.emit('statusChanged', { connection: { isConnected: true } }) // the wallet tells its connection: a drop after it is no word of before it (C7)
      wallet.held.add('status')
      wallet.emit('statusChanged', { connection: { isConnected: false } })
      await vi.advanceTimersByTimeAsync(100)
      expect(wallet.waiting('status')).toBe(1)
      store.cancelReconnect()
      expect(store.getSnapshot().status).toBe('disconnected')
      // the wallet answers the attempt's probe at last, connected, with a token
      await wallet.answer('status', liveStatus('B'))
      expect(store.getSnapshot().status).toBe('disconnected')
      expect(getLedgerAuth(store)).toBeNull()
      // the next session: connected without any status that carries a token
      wallet.held.delete('status')
      expect(await store.connect()).toMatchObject({ status: 'connected', networkId: 'canton:devnet' })
      expect(getLedgerAuth(store)).toBeNull()
      store.destroy()
    } finally {
      vi.useRealTimers()
    }
  })

  it.each(['reconnect', 'connect'])("C3, C7, C11, L1: access a status gave without a network while the store was not connected (%s) is not the network's a chainChanged then tells", async (op) => {
    vi.useFakeTimers()
    try {
      const wallet = handWallet()
      const store = createSessionStore(wallet.provider, { storage: createMemoryStorage(), reconnect: { baseDelayMs: 100, maxAttempts: 2 } })
      wallet.held.add('getActiveNetwork')
      if (op === 'reconnect') {
        wallet.held.delete('getActiveNetwork')
        await store.connect()
        wallet.emit('statusChanged', liveStatus('A'))
        wallet.answers.status = { connection: { isConnected: false } }
        wallet.emit('statusChanged', { connection: { isConnected: false } })
        expect(store.getSnapshot()).toMatchObject({ status: 'reconnecting', networkId: 'canton:devnet' })
        // the wallet comes back: its status carries a token, but tells no network
        wallet.answers.status = { connection: { isConnected: true }, network: { ledgerApi: LEDGER, accessToken: 'B' } }
        wallet.held.add('getActiveNetwork')
        await vi.advanceTimersByTimeAsync(100)
      } else {
        void store.connect()
        await vi.advanceTimersByTimeAsync(0)
        wallet.emit('statusChanged', { connection: { isConnected: true }, network: { ledgerApi: LEDGER, accessToken: 'B' } })
      }
      expect(wallet.waiting('getActiveNetwork')).toBe(1)
      // the user switches network before the store knows the one the token was given on
      wallet.emit('chainChanged', 'canton:testnet')
      await wallet.answer('getActiveNetwork', { networkId: 'canton:testnet', ledgerApi: LEDGER })
      expect(store.getSnapshot()).toMatchObject({ status: 'connected', networkId: 'canton:testnet' })
      expect(getLedgerAuth(store)).toBeNull()
      // a status of the new network gives its access
      wallet.emit('statusChanged', { connection: { isConnected: true }, network: { ledgerApi: LEDGER, accessToken: 'T' } })
      expect(getLedgerAuth(store)?.accessToken).toBe('T')
      store.destroy()
    } finally {
      vi.useRealTimers()
    }
  })

  it('C11, L1: a connected status without a token on another network, or on another Ledger API, never keeps the access of the one before', async () => {
    for (const network of [{ networkId: 'canton:testnet' }, { networkId: 'canton:devnet', ledgerApi: 'http://127.0.0.1:7576' }]) {
      const { store, wallet } = await handConnected()
      wallet.emit('statusChanged', { connection: { isConnected: true }, network })
      expect(getLedgerAuth(store)).toBeNull()
      store.destroy()
    }
    // the switch told by chainChanged, then a status that tells no network
    const { store, wallet } = await handConnected()
    wallet.emit('chainChanged', { networkId: 'canton:testnet' })
    expect(store.getSnapshot().networkId).toBe('canton:testnet')
    wallet.emit('connected', { isConnected: true })
    expect(getLedgerAuth(store)).toBeNull()
    store.destroy()
  })

  describe('a network switch (C11, L1, L2)', () => {
    const TESTNET = 'http://127.0.0.1:7576'
    const testnetStatus = (accessToken: string) => ({
      connection: { isConnected: true },
      network: { networkId: 'canton:testnet', ledgerApi: TESTNET, accessToken },
      session: { accessToken },
    })

    it("C11, L1: after a switch chainChanged told of, getLedgerAuth hands out none of the old network's access until a status of the new one carries it", async () => {
      const { store, wallet } = await handConnected()
      wallet.emit('chainChanged', { networkId: 'canton:testnet' })
      expect(store.getSnapshot()).toMatchObject({ status: 'connected', networkId: 'canton:testnet' })
      expect(getLedgerAuth(store)).toBeNull()
      wallet.emit('statusChanged', testnetStatus('T'))
      expect(getLedgerAuth(store)).toMatchObject({ ledgerApi: TESTNET, accessToken: 'T' })
      // also back: the access of one network is never another's
      wallet.emit('chainChanged', 'canton:devnet')
      expect(getLedgerAuth(store)).toBeNull()
      // a status that tells no network gives the access of the network the store is on as it comes
      wallet.emit('statusChanged', { connection: { isConnected: true }, network: { ledgerApi: LEDGER, accessToken: 'D' } })
      expect(getLedgerAuth(store)?.accessToken).toBe('D')
      wallet.emit('chainChanged', 'canton:testnet')
      expect(getLedgerAuth(store)).toBeNull()
      store.destroy()
    })

    it('C11, L1: access a status that tells no network gave before the store knew the network is the first network\'s: a switch ends it', async () => {
      vi.useFakeTimers()
      try {
        const wallet = handWallet()
        const store = createSessionStore(wallet.provider, { storage: createMemoryStorage() })
        wallet.held.add('getActiveNetwork')
        const connecting = store.connect()
        await vi.advanceTimersByTimeAsync(0)
        wallet.emit('statusChanged', { connection: { isConnected: true }, network: { ledgerApi: LEDGER, accessToken: 'D' } })
        await wallet.answer('getActiveNetwork', { networkId: 'canton:devnet', ledgerApi: LEDGER })
        expect(await connecting).toMatchObject({ status: 'connected', networkId: 'canton:devnet' })
        expect(getLedgerAuth(store)?.accessToken).toBe('D')
        wallet.emit('chainChanged', 'canton:testnet')
        expect(getLedgerAuth(store)).toBeNull()
        store.destroy()
      } finally {
        vi.useRealTimers()
      }
    })

    it("C11, L1, M5: a switch another tab told of: the network answer of the re-read hands out the new network's access it carries, or none", async () => {
      for (const accessToken of [undefined, 'T']) {
        const hub = createChannelHub()
        const options: SessionStoreOptions = { broadcast: { channelFactory: hub.channelFactory } }
        const a = await handConnected(options)
        const b = await handConnected(options)
        b.wallet.answers.getActiveNetwork = { networkId: 'canton:testnet', ledgerApi: TESTNET, accessToken }
        a.wallet.emit('chainChanged', { networkId: 'canton:testnet' })
        await vi.waitFor(() => {
          expect(b.store.getSnapshot().networkId).toBe('canton:testnet')
        })
        expect(getLedgerAuth(b.store)?.accessToken ?? null).toBe(accessToken ?? null)
        a.store.destroy()
        b.store.destroy()
      }
    })

    it("C11, L2: a ledger fetch after a switch reads status for the new network's access, once for concurrent calls, and never sends the old token to the old Ledger API", async () => {
      const { store, wallet } = await handConnected()
      let statusReads = 0
      wallet.answers.status = () => (statusReads++, testnetStatus('T'))
      wallet.emit('chainChanged', { networkId: 'canton:testnet' })
      const seen: string[] = []
      const fetch = (input: string | URL, init?: RequestInit) => {
        seen.push(`${input.toString()} ${new Headers(init?.headers).get('Authorization')}`)
        return Promise.resolve(new Response('{}'))
      }
      const ledgerFetch = createLedgerFetch(store, { fetch: fetch as typeof globalThis.fetch })
      const responses = await Promise.all([ledgerFetch('/v2/parties'), ledgerFetch('/v2/version')])
      expect(responses.map((r) => r.status)).toEqual([200, 200])
      expect(statusReads).toBe(1)
      expect(seen).toEqual([`${TESTNET}/v2/parties Bearer T`, `${TESTNET}/v2/version Bearer T`])
      expect(store.getSnapshot()).toMatchObject({ status: 'connected', networkId: 'canton:testnet' })
      store.destroy()
    })

    const switches: [string, (wallet: ReturnType<typeof handWallet>) => void][] = [
      ['chainChanged', (wallet) => wallet.emit('chainChanged', 'canton:testnet')],
      ['a statusChanged of the new network without a token', (wallet) => wallet.emit('statusChanged', { connection: { isConnected: true }, network: { networkId: 'canton:testnet', ledgerApi: TESTNET } })],
      ['a statusChanged of the new network with its token', (wallet) => wallet.emit('statusChanged', testnetStatus('T'))],
    ]
    for (const [when, first] of [['after a 401', false], ['for the first access', true]] as const) {
      for (const [by, switchTo] of switches) {
        it(`C11, L2: a token refresh ${when} that a network switch overtakes (${by}) rejects with 4100 saying the network changed, not that the wallet gave or the Ledger API rejected a token, and sends nothing to the new network`, async () => {
          vi.useFakeTimers()
          try {
            // for the first access, the wallet told no token yet: the ledger fetch reads status for it first
            const wallet = handWallet()
            const store = createSessionStore(wallet.provider, { storage: createMemoryStorage() })
            await store.connect()
            if (!first) wallet.emit('statusChanged', liveStatus('A'))
            expect(getLedgerAuth(store)?.accessToken ?? null).toBe(first ? null : 'A')
            const server = acceptOnly('B')
            wallet.held.add('status')
            const call = createLedgerFetch(store, { fetch: server.fetch })('/v2/parties').catch((e: unknown) => e)
            await vi.advanceTimersByTimeAsync(0)
            expect(wallet.waiting('status')).toBe(1)
            switchTo(wallet)
            await wallet.answer('status', liveStatus('B'))
            const error = await call
            expect(error).toBeInstanceOf(SessionError)
            expect(error).toMatchObject({ code: 4100, message: 'The active party or network changed' })
            expect(store.getSnapshot()).toMatchObject({ status: 'connected', networkId: 'canton:testnet' })
            expect(server.seen).toEqual(first ? [] : ['A'])
            store.destroy()
          } finally {
            vi.useRealTimers()
          }
        })
      }
    }

    for (const [when, first] of [['after a 401', false], ['for the first access', true]] as const) {
      it(`C11, L2: a first party, where the connected store knew none, that a token refresh ${when} learns is no switch: the call goes on with the fresh token`, async () => {
        vi.useFakeTimers()
        try {
          // connected with no account yet (the wallet had none to tell)
          const wallet = handWallet({ listAccounts: [] })
          const store = createSessionStore(wallet.provider, { storage: createMemoryStorage() })
          await store.connect()
          expect(store.getSnapshot()).toMatchObject({ status: 'connected', account: null })
          if (!first) wallet.emit('statusChanged', liveStatus('A'))
          // the party appears, and the wallet hands out its token before it tells of it
          wallet.answers.listAccounts = [{ partyId: 'alice::1220aa', primary: true }]
          wallet.answers.status = liveStatus('B')
          const server = acceptOnly('B')
          const response = await createLedgerFetch(store, { fetch: server.fetch })('/v2/version')
          expect(response.status).toBe(200)
          expect(server.seen).toEqual(first ? ['B'] : ['A', 'B'])
          expect(store.getSnapshot().account?.partyId).toBe('alice::1220aa')
          store.destroy()
        } finally {
          vi.useRealTimers()
        }
      })
    }

    it("C11, L2: a party switch while the token is read for a call's first access rejects it with 4100: it is never sent as the new party", async () => {
      vi.useFakeTimers()
      try {
        const wallet = handWallet()
        const store = createSessionStore(wallet.provider, { storage: createMemoryStorage() })
        await store.connect()
        expect(getLedgerAuth(store)).toBeNull()
        const server = acceptOnly('B')
        wallet.held.add('status')
        const call = createLedgerFetch(store, { fetch: server.fetch })('/v2/parties').catch((e: unknown) => e)
        await vi.advanceTimersByTimeAsync(0)
        const bob = [{ partyId: 'bob::1220bb', primary: true }]
        wallet.answers.listAccounts = bob
        wallet.emit('accountsChanged', bob)
        await wallet.answer('status', liveStatus('B'))
        expect(await call).toMatchObject({ name: 'SessionError', code: 4100, message: 'The active party or network changed' })
        expect(store.getSnapshot().account?.partyId).toBe('bob::1220bb')
        expect(server.seen).toEqual([])
        store.destroy()
      } finally {
        vi.useRealTimers()
      }
    })
  })

  it("C11, L2: a token refresh whose status answer was asked before a chainChanged does not take the session back to the old network, nor retries with that network's token", async () => {
    vi.useFakeTimers()
    try {
      const { store, wallet } = await handConnected()
      const changes: unknown[] = []
      store.on('network:changed', (e) => changes.push(e))
      const seen: string[] = []
      const fetch = (_: RequestInfo | URL, init?: RequestInit) => {
        seen.push(new Headers(init?.headers).get('Authorization') ?? '')
        return Promise.resolve(new Response('unauthorized', { status: 401 }))
      }
      wallet.held.add('status')
      const call = createLedgerFetch(store, { fetch })('/v2/parties')
      const outcome = call.catch((error: unknown) => error)
      await vi.advanceTimersByTimeAsync(0)
      expect(wallet.waiting('status')).toBe(1)
      // the wallet answered the refresh on devnet, then the user switched network before that answer came
      wallet.emit('chainChanged', 'canton:testnet')
      await wallet.answer('status', liveStatus('B'))
      expect(store.getSnapshot()).toMatchObject({ status: 'connected', networkId: 'canton:testnet' })
      expect(changes).toEqual([{ previous: 'canton:devnet', current: 'canton:testnet', source: 'local' }])
      expect(await outcome).toMatchObject({ name: 'SessionError', code: 4100 })
      expect(seen).toEqual(['Bearer A'])
      expect(getLedgerAuth(store)).toBeNull()
      store.destroy()
    } finally {
      vi.useRealTimers()
    }
  })

  it('C19, L1: a wallet that connects on its own after the session ended never hands the new session the token of the one before, also when it announces itself again', async () => {
    for (const end of ['disconnect()', 'statusChanged(false)']) {
      const { store, wallet } = await handConnected()
      if (end === 'disconnect()') await store.disconnect()
      else wallet.emit('statusChanged', { connection: { isConnected: false } })
      expect(getLedgerAuth(store)).toBeNull()
      // asked where it stands (its word of a sign-out it accepted has not come), it is connected, as it told
      wallet.answers.status = { connection: { isConnected: true } }
      wallet.emit('connected', { isConnected: true })
      await vi.waitFor(() => {
        expect(store.getSnapshot().status).toBe('connected')
      })
      wallet.emit('connected', { isConnected: true })
      expect(getLedgerAuth(store)).toBeNull()
      store.destroy()
    }
  })

  it("C6, C19, L1: a status event that carries the old session's token while the store leaves the wallet (it came late) is never the next session's access, also when the wallet then fails to say where it stands", async () => {
    vi.useFakeTimers()
    try {
      const { store, wallet } = await handConnected()
      wallet.held.add('disconnect')
      const leaving = store.disconnect()
      await vi.advanceTimersByTimeAsync(0)
      // the wallet's event of before the sign-out comes after it
      wallet.emit('statusChanged', liveStatus('A'))
      // asked where it stands once it accepted the disconnect, the wallet gives no status it can read
      wallet.answers.status = null
      await wallet.answer('disconnect', null)
      await leaving
      expect(store.getSnapshot().status).toBe('disconnected')
      // the user connects again, the wallet telling it by a bare `connected` event only
      const connecting = store.connect()
      await vi.advanceTimersByTimeAsync(0)
      wallet.emit('connected', { isConnected: true })
      expect(await connecting).toMatchObject({ status: 'connected' })
      expect(getLedgerAuth(store)).toBeNull()
      wallet.emit('statusChanged', liveStatus('B'))
      expect(getLedgerAuth(store)?.accessToken).toBe('B')
      store.destroy()
    } finally {
      vi.useRealTimers()
    }
  })

  it('L1, L2: a new token the wallet tells (statusChanged with the new session, as the official wallet gateway tells a sign-in again) is the access from then on, in every tab: getLedgerAuth hands it and a ledger fetch sends it at once, with no 401 and no status re-read', async () => {
    const wallet = createMockWallet()
    const server = ledgerServer(wallet)
    const [a, b] = [createMockProvider({ wallet }), createMockProvider({ wallet })]
    const store = await connectedStore(a)
    const other = await connectedStore(b)
    const ledgerFetch = createLedgerFetch(store, { fetch: server.fetch })
    expect(getLedgerAuth(store)?.accessToken).toBe('mock-token-1')
    const asked = wallet.calls.length
    wallet.rotateToken({ announce: true })
    await walletEvents()
    expect(getLedgerAuth(store)).toMatchObject({ accessToken: 'mock-token-2', headers: { Authorization: 'Bearer mock-token-2' } })
    expect(getLedgerAuth(other)?.accessToken).toBe('mock-token-2')
    expect((await ledgerFetch('/v2/state/active-contracts')).status).toBe(200)
    expect(server.seen.map((s) => s.authorization)).toEqual(['Bearer mock-token-2'])
    expect(wallet.calls.slice(asked)).toEqual([])
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', account: { partyId: 'alice::1220aa' } })
    store.destroy()
    other.destroy()
  })

  it('L1: a destroyed store hands out no Ledger API access, whatever it last knew: a ledger fetch rejects with 4100 that tells the store was destroyed, not that the wallet gave no access', async () => {
    const store = await connectedStore(createMockProvider({ accessToken: 'tok' }))
    expect(getLedgerAuth(store)?.accessToken).toBe('tok')
    store.destroy()
    expect(getLedgerAuth(store)).toBeNull()
    await expect(createLedgerFetch(store, { fetch: () => Promise.resolve(new Response('{}')) })('/v2/version')).rejects.toMatchObject({ code: 4100, message: 'The store was destroyed' })
    // a live store whose wallet gives no usable access still says so
    const live = await connectedStore(createMockProvider({ accessToken: 'no token' }))
    await expect(createLedgerFetch(live, { fetch: () => Promise.resolve(new Response('{}')) })('/v2/version')).rejects.toMatchObject({ code: 4100, message: 'The wallet gave no Ledger API access' })
    live.destroy()
  })

  it('L1, L2: no store (undefined or null, as before the app made one) holds no Ledger API access, as an object that is no store: getLedgerAuth gives null and a ledger fetch rejects with 4900, instead of a TypeError', async () => {
    const fetch = vi.fn(() => Promise.resolve(new Response('{}')))
    for (const none of [undefined, null, {}]) {
      expect(getLedgerAuth(none as SessionStore)).toBeNull()
      const call = createLedgerFetch(none as SessionStore, { fetch })('/v2/version')
      await expect(call).rejects.toMatchObject({ name: 'SessionError', code: 4900 })
    }
    expect(fetch).not.toHaveBeenCalled()
  })

  it('L1, L2: a token that no HTTP header can carry (a line break, white space, a non-ASCII character) is no access: getLedgerAuth gives null and a ledger fetch rejects with 4100 whose message does not quote it, instead of the TypeError of fetch that does', async () => {
    for (const accessToken of ['secret\nX-Injected: 1', 'secret token', 'sécret', 'secret\u2028']) {
      const fetch = vi.fn(() => Promise.resolve(new Response('{}')))
      const store = await connectedStore(createMockProvider({ accessToken }))
      expect(store.getSnapshot().status).toBe('connected')
      expect(getLedgerAuth(store)).toBeNull()
      const error = await createLedgerFetch(store, { fetch })('/v2/version').catch((e: unknown) => e)
      expect(error).toBeInstanceOf(SessionError)
      expect(error).toMatchObject({ code: 4100 })
      expect(JSON.stringify([(error as Error).message, String((error as Error).cause)])).not.toContain('secret')
      expect(fetch).not.toHaveBeenCalled()
      store.destroy()
    }
  })

  it("L1, L2: a status whose session carries an empty token is given the network's token, as one with no session token: an empty token is none", async () => {
    const network = { networkId: 'canton:devnet', ledgerApi: LEDGER, accessToken: 'network-token-1' }
    const status = { connection: { isConnected: true }, network, session: { accessToken: '', userId: 'user' } }
    // the network answer tells no token: the status is the one that does
    const wallet = handWallet({ status })
    const store = createSessionStore(wallet.provider, { storage: createMemoryStorage() })
    await store.connect()
    wallet.emit('statusChanged', status)
    expect(getLedgerAuth(store)).toMatchObject({ ledgerApi: LEDGER, accessToken: 'network-token-1', headers: { Authorization: 'Bearer network-token-1' } })
    const fetch = vi.fn<typeof globalThis.fetch>(() => Promise.resolve(new Response('{}')))
    expect((await createLedgerFetch(store, { fetch })('/v2/version')).status).toBe(200)
    expect(new Headers(fetch.mock.calls[0]?.[1]?.headers).get('Authorization')).toBe('Bearer network-token-1')
    store.destroy()
  })

  it('L1: a token that a header carries but no WebSocket subprotocol can (standard base64 with / and =, a quote, a comma) gets no wsProtocols, for which new WebSocket would throw an error quoting it; a JWT gets both subprotocols', async () => {
    // RFC 7230 token characters, which a WebSocket subprotocol must be made of
    const subprotocol = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
    for (const [accessToken, carried] of [
      ['eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl-_x', true],
      ['a+b~c|d', true],
      ['secret/abc==', false],
      ['secret"quoted"', false],
      ['secret,two', false],
      ['secret(x)', false],
    ] as const) {
      const store = await connectedStore(createMockProvider({ accessToken }))
      const auth = getLedgerAuth(store)
      expect(auth?.headers).toEqual({ Authorization: `Bearer ${accessToken}` })
      expect(auth?.wsProtocols).toEqual(carried ? [`jwt.token.${accessToken}`, 'daml.ws.auth'] : [])
      for (const protocol of auth?.wsProtocols ?? []) expect(protocol).toMatch(subprotocol)
      store.destroy()
    }
  })

  it('L2: resolves paths against the Ledger API, attaches the token, passes absolute Ledger API URLs and init through', async () => {
    const wallet = createMockWallet()
    const server = ledgerServer(wallet)
    const store = await connectedStore(createMockProvider({ wallet }))
    const ledgerFetch = createLedgerFetch(store, { fetch: server.fetch })
    const res = await ledgerFetch('/v2/state/active-contracts', { method: 'POST', headers: { 'Content-Type': 'application/json' } })
    expect(res.status).toBe(200)
    await ledgerFetch('v2/version')
    await ledgerFetch(`${LEDGER}/v2/parties`)
    expect(server.seen).toEqual([
      { url: `${LEDGER}/v2/state/active-contracts`, authorization: 'Bearer mock-token-1', method: 'POST', contentType: 'application/json' },
      { url: `${LEDGER}/v2/version`, authorization: 'Bearer mock-token-1', method: 'GET', contentType: null },
      { url: `${LEDGER}/v2/parties`, authorization: 'Bearer mock-token-1', method: 'GET', contentType: null },
    ])
  })

  it.each(['https://ledger.example/api/json-api', 'https://ledger.example/api/json-api/', 'https://ledger.example/api/json-api//'])(
    'L2: a Ledger API URL with a path (%s) keeps it: a path, with or without its leading slash, is appended to it, not resolved from the origin root',
    async (ledgerApi) => {
      const wallet = createMockWallet({ ledgerApi })
      const server = ledgerServer(wallet)
      const store = await connectedStore(createMockProvider({ wallet }))
      const ledgerFetch = createLedgerFetch(store, { fetch: server.fetch })
      for (const path of ['/v2/state/ledger-end', 'v2/state/ledger-end', '/v2/state/ledger-end?x=1', 'https://ledger.example/api/json-api/v2/version']) {
        expect((await ledgerFetch(path)).status).toBe(200)
      }
      expect(server.seen.map((s) => [s.url, s.authorization])).toEqual([
        ['https://ledger.example/api/json-api/v2/state/ledger-end', 'Bearer mock-token-1'],
        ['https://ledger.example/api/json-api/v2/state/ledger-end', 'Bearer mock-token-1'],
        ['https://ledger.example/api/json-api/v2/state/ledger-end?x=1', 'Bearer mock-token-1'],
        ['https://ledger.example/api/json-api/v2/version', 'Bearer mock-token-1'],
      ])
    },
  )

  it('L2: init given as null, as the Fetch standard allows (`fetch(url, null)`), is no init: the call goes out as without one, instead of a TypeError', async () => {
    const wallet = createMockWallet()
    const server = ledgerServer(wallet)
    const store = await connectedStore(createMockProvider({ wallet }))
    const ledgerFetch = createLedgerFetch(store, { fetch: server.fetch })
    expect((await ledgerFetch('/v2/version', null as unknown as RequestInit)).status).toBe(200)
    wallet.rotateToken()
    expect((await ledgerFetch('/v2/version', null as unknown as RequestInit)).status).toBe(200)
    const elsewhere = vi.fn(() => Promise.resolve(new Response('{}')))
    await createLedgerFetch(store, { fetch: elsewhere })('https://other.example/x', null as unknown as RequestInit)
    expect(elsewhere).toHaveBeenCalledWith('https://other.example/x', {})
    expect(server.seen.map((s) => [s.url, s.authorization])).toEqual([
      [`${LEDGER}/v2/version`, 'Bearer mock-token-1'],
      [`${LEDGER}/v2/version`, 'Bearer mock-token-1'],
      [`${LEDGER}/v2/version`, 'Bearer mock-token-2'],
    ])
  })

  it('L2: the token never leaves the Ledger API origin: other absolute URLs are fetched as given, without it', async () => {
    const wallet = createMockWallet()
    const server = ledgerServer(wallet)
    const store = await connectedStore(createMockProvider({ wallet }))
    const ledgerFetch = createLedgerFetch(store, { fetch: server.fetch })
    const foreign = ['https://evil.example/steal', 'http://127.0.0.1:7576/v2/version', 'https:evil.example/x', `${LEDGER.replace('http:', 'https:')}/v2/version`]
    for (const url of foreign) {
      const res = await ledgerFetch(url, { headers: { 'X-Trace': '1' } })
      expect(res.status).toBe(401)
    }
    expect(server.seen.map((s) => s.authorization)).toEqual([null, null, null, null])
    expect(server.seen.map((s) => s.url)).toEqual(foreign)
    // a protocol-relative path is a path under the Ledger API, not another host
    await ledgerFetch('//evil.example/x')
    expect(server.seen.at(-1)).toMatchObject({ url: `${LEDGER}/evil.example/x`, authorization: 'Bearer mock-token-1' })
  })

  it('L2: a path or URL with leading or trailing white space or C0 controls is read as fetch reads it (the URL standard strips them): a path goes under the Ledger API with the token, a URL of another origin as given, without it', async () => {
    const wallet = createMockWallet()
    const store = await connectedStore(createMockProvider({ wallet }))
    const fetch = vi.fn((_: RequestInfo | URL, init?: RequestInit) => Promise.resolve(new Response(new Headers(init?.headers).get('Authorization'))))
    const ledgerFetch = createLedgerFetch(store, { fetch })
    // what fetch does with such a path under a base URL, and with such a URL
    expect(new URL(' /v2/parties\n', `${LEDGER}/`).href).toBe(`${LEDGER}/v2/parties`)
    expect(new Request(' https://evil.example/x \t').url).toBe('https://evil.example/x')
    for (const path of [' /v2/parties', '\t\n/v2/parties \x01', ' v2/parties']) {
      expect(await (await ledgerFetch(path)).text()).toBe('Bearer mock-token-1')
      expect(fetch.mock.calls.at(-1)?.[0]).toBe(`${LEDGER}/v2/parties`)
    }
    expect(await (await ledgerFetch(' https://evil.example/x ')).text()).toBe('')
    expect(fetch.mock.calls.at(-1)).toEqual([' https://evil.example/x ', {}])
    store.destroy()
  })

  it('L2: an absolute URL whose scheme is in capitals (HTTP://, as URLs allow) is a URL, not a path: the Ledger API\'s own goes as given, with the token, and another origin\'s as given, without it', async () => {
    const wallet = createMockWallet()
    const server = ledgerServer(wallet)
    const store = await connectedStore(createMockProvider({ wallet }))
    const ledgerFetch = createLedgerFetch(store, { fetch: server.fetch })
    await ledgerFetch('HTTP://127.0.0.1:7575/v2/version')
    await ledgerFetch('HTTPS://evil.example/steal')
    expect(server.seen.map((s) => [s.url, s.authorization])).toEqual([
      ['HTTP://127.0.0.1:7575/v2/version', 'Bearer mock-token-1'],
      ['HTTPS://evil.example/steal', null],
    ])
    store.destroy()
  })

  it.each([`${LEDGER}/`, `${LEDGER}/api/`])('L2: a Ledger API URL that ends with a slash (%s) resolves a path under it without a double slash', async (ledgerApi) => {
    const store = await storeAt(ledgerApi, 'A')
    const fetch = vi.fn<typeof globalThis.fetch>(() => Promise.resolve(new Response('{}')))
    const ledgerFetch = createLedgerFetch(store, { fetch })
    await ledgerFetch('/v2/parties')
    await ledgerFetch('v2/version')
    expect(fetch.mock.calls.map((c) => c[0])).toEqual([`${ledgerApi}v2/parties`, `${ledgerApi}v2/version`])
    store.destroy()
  })

  it('L1, L2: a status that carries a token but no Ledger API URL (none, or an empty one) is no access: getLedgerAuth gives null and a ledger fetch rejects with 4100, sending nothing', async () => {
    for (const network of [{ networkId: 'canton:devnet' }, { networkId: 'canton:devnet', ledgerApi: '' }]) {
      const status = { connection: { isConnected: true }, network, session: { accessToken: 'TOKEN' } }
      const wallet = handWallet({ status, getActiveNetwork: network })
      const store = createSessionStore(wallet.provider, { storage: createMemoryStorage() })
      await store.connect()
      wallet.emit('statusChanged', status)
      expect(store.getSnapshot().status).toBe('connected')
      expect(getLedgerAuth(store)).toBeNull()
      const fetch = vi.fn(() => Promise.resolve(new Response('{}')))
      await expect(createLedgerFetch(store, { fetch })('/v2/parties')).rejects.toMatchObject({ name: 'SessionError', code: 4100 })
      expect(fetch).not.toHaveBeenCalled()
      store.destroy()
    }
  })

  it.each(['/json-api', 'ledger.example', 'localhost:7575', 'ws://127.0.0.1:7575', 'blob:http://127.0.0.1:7575/ledger'])('C18, L2: a path is never sent elsewhere when the wallet gives a Ledger API that is no absolute http(s) URL (%s): the call rejects with 4100, fetch is not called', async (ledgerApi) => {
    const store = await storeAt(ledgerApi, 'A')
    const fetch = vi.fn(() => Promise.resolve(new Response('{}')))
    await expect(createLedgerFetch(store, { fetch })('/v2/parties')).rejects.toMatchObject({ name: 'SessionError', code: 4100 })
    expect(fetch).not.toHaveBeenCalled()
    store.destroy()
  })

  it.each(['https://user:pa55w0rd@ledger.example', 'https://:pa55w0rd@ledger.example/json-api/', 'https://ledger.example:pa55w0rd@ledger.example'])('C15, C18, L2: a Ledger API URL with credentials in it (%s) is no Ledger API: a path rejects with 4100, fetch is never handed those credentials (its TypeError would quote them), and an absolute URL goes as given, without the token', async (ledgerApi) => {
    const store = await storeAt(ledgerApi)
    // read as a real fetch reads it: a URL with credentials throws a TypeError that quotes them
    const fetch = vi.fn<(input: RequestInfo | URL, init?: RequestInit) => Promise<Response>>((input, init) => Promise.resolve(new Response('{}', { headers: { 'X-Url': new Request(input, init).url } })))
    const ledgerFetch = createLedgerFetch(store, { fetch })
    const failure = await ledgerFetch('/v2/parties').catch((error: unknown) => error)
    expect(failure).toMatchObject({ name: 'SessionError', code: 4100 })
    expect(inspect(failure)).not.toContain('pa55w0rd')
    expect(fetch).not.toHaveBeenCalled()
    expect((await ledgerFetch('https://ledger.example/v2/parties')).status).toBe(200)
    expect(fetch.mock.calls.map(([input, init]) => [input, new Headers(init?.headers).get('Authorization')])).toEqual([['https://ledger.example/v2/parties', null]])
    store.destroy()
  })

  it('C17, C18, L2: a Ledger API URL of a hostile wallet with a long run of slashes inside it (300 KB) is joined to a path in time in proportion to it, not frozen for seconds (a search from each slash would take about half a minute here, past the test timeout)', async () => {
    const ledgerApi = `https://ledger.example/${'/'.repeat(300_000)}api`
    const store = await storeAt(ledgerApi)
    const fetch = vi.fn<(input: RequestInfo | URL, init?: RequestInit) => Promise<Response>>(() => Promise.resolve(new Response('{}')))
    expect((await createLedgerFetch(store, { fetch })('/v2/parties')).status).toBe(200)
    expect(fetch.mock.calls[0]?.[0]).toBe(`${ledgerApi}/v2/parties`)
    store.destroy()
  })

  it.each(['localhost:7575', 'no url at all'])('C15, L2: an absolute URL goes to fetch as given, without the token, when the wallet gives a Ledger API that is no absolute http(s) URL (%s)', async (ledgerApi) => {
    const store = await storeAt(ledgerApi)
    const fetch = vi.fn<(input: RequestInfo | URL, init?: RequestInit) => Promise<Response>>(() => Promise.resolve(new Response('{}')))
    const init = { method: 'POST', headers: { 'X-Trace': '1' } }
    expect((await createLedgerFetch(store, { fetch })('https://elsewhere.example/v2/parties', init)).status).toBe(200)
    expect(fetch).toHaveBeenCalledTimes(1)
    expect(fetch.mock.calls[0]?.[0]).toBe('https://elsewhere.example/v2/parties')
    expect(fetch.mock.calls[0]?.[1]).toBe(init)
    expect(new Headers(fetch.mock.calls[0]?.[1]?.headers).get('Authorization')).toBeNull()
    store.destroy()
  })

  it('L2: without a fetch option, the global fetch of the time of the call is used, with the token', async () => {
    const wallet = createMockWallet()
    const store = await connectedStore(createMockProvider({ wallet }))
    const ledgerFetch = createLedgerFetch(store)
    const fetch = vi.fn<(input: RequestInfo | URL, init?: RequestInit) => Promise<Response>>(() => Promise.resolve(new Response('{}')))
    vi.stubGlobal('fetch', fetch)
    try {
      expect((await ledgerFetch('/v2/parties')).status).toBe(200)
    } finally {
      vi.unstubAllGlobals()
    }
    expect(fetch).toHaveBeenCalledTimes(1)
    expect(fetch.mock.calls[0]?.[0]).toBe(`${LEDGER}/v2/parties`)
    expect(new Headers(fetch.mock.calls[0]?.[1]?.headers).get('Authorization')).toBe(`Bearer ${wallet.state().accessToken}`)
    store.destroy()
  })

  it('L2: three concurrent 401s share one status re-read, and all three retries succeed', async () => {
    const wallet = createMockWallet()
    const server = ledgerServer(wallet)
    const provider = createMockProvider({ wallet })
    const store = await connectedStore(provider)
    wallet.rotateToken()
    const before = provider.calls.filter((c) => c.method === 'status').length
    const ledgerFetch = createLedgerFetch(store, { fetch: server.fetch })
    const results = await Promise.all([ledgerFetch('/a'), ledgerFetch('/b'), ledgerFetch('/c')])
    expect(results.map((r) => r.status)).toEqual([200, 200, 200])
    expect(provider.calls.filter((c) => c.method === 'status').length - before).toBe(1)
    expect(getLedgerAuth(store)?.accessToken).toBe('mock-token-2')
  })

  it("L2: a 401 that comes back once another call's token refresh replaced its token (and read whose it is) is retried with that token without asking the wallet again: 50 calls whose 401s come one by one read status and the accounts once, and a failing account read then fails no call nor drops the token", async () => {
    const wallet = createMockWallet()
    const inner = createMockProvider({ wallet })
    const asked: string[] = []
    let reads = 0
    // after the account read of the token refresh, the wallet fails account reads
    const provider: CIP0103Provider = {
      on: (e, l) => inner.on(e, l),
      removeListener: (e, l) => inner.removeListener(e, l),
      request(args) {
        asked.push(args.method)
        if (args.method === 'listAccounts' && wallet.state().accessToken === 'mock-token-2' && ++reads > 1) return Promise.reject(Object.assign(new Error('busy'), { code: -32603 }))
        return inner.request(args)
      },
    }
    const store = await connectedStore(provider)
    wallet.rotateToken()
    const ledgerFetch = createLedgerFetch(store, { fetch: oneByOne(wallet) })
    const before = asked.length
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => ledgerFetch(`/v2/parties/${i}`).then((r) => r.status, (e: unknown) => e)))
    expect(results).toEqual(Array.from({ length: 50 }, () => 200))
    expect(asked.slice(before)).toEqual(['status', 'listAccounts'])
    expect(getLedgerAuth(store)?.accessToken).toBe('mock-token-2')
    store.destroy()
  })

  it("L2: each token expiry's late 401s are retried with the fresh token without asking the wallet again, not only the first one's: two expiries, each with 10 calls whose 401s come one by one, read status and the accounts once each", async () => {
    const wallet = createMockWallet()
    const inner = createMockProvider({ wallet })
    const asked: string[] = []
    const provider: CIP0103Provider = {
      on: (e, l) => inner.on(e, l),
      removeListener: (e, l) => inner.removeListener(e, l),
      request(args) {
        asked.push(args.method)
        return inner.request(args)
      },
    }
    const store = await connectedStore(provider)
    const ledgerFetch = createLedgerFetch(store, { fetch: oneByOne(wallet) })
    for (const token of ['mock-token-2', 'mock-token-3']) {
      wallet.rotateToken()
      const before = asked.length
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => ledgerFetch(`/v2/parties/${i}`).then((r) => r.status, (e: unknown) => e)))
      expect(results).toEqual(Array.from({ length: 10 }, () => 200))
      expect(asked.slice(before)).toEqual(['status', 'listAccounts'])
      expect(getLedgerAuth(store)?.accessToken).toBe(token)
    }
    store.destroy()
  })

  it('L2: when the refresh moves the Ledger API, the new token never goes to the old origin: an absolute URL of it rejects with 4100, a path follows the move', async () => {
    const MOVED = 'http://127.0.0.1:7576'
    const wallet = createMockWallet()
    const server = ledgerServer(wallet)
    const inner = createMockProvider({ wallet })
    let moved = false
    // The wallet's token refresh also hands out another Ledger API URL.
    const provider: CIP0103Provider = {
      on: (e, l) => inner.on(e, l),
      removeListener: (e, l) => inner.removeListener(e, l),
      async request(args) {
        const result = await inner.request(args)
        if (!moved || args.method !== 'status') return result
        const status = result as CIP0103StatusEvent
        return { ...status, network: { ...status.network, ledgerApi: MOVED } }
      },
    }
    const store = await connectedStore(provider)
    wallet.rotateToken()
    moved = true
    const ledgerFetch = createLedgerFetch(store, { fetch: server.fetch })
    await expect(ledgerFetch(`${LEDGER}/v2/parties`)).rejects.toMatchObject({ name: 'SessionError', code: 4100 })
    expect(server.seen.map((s) => [s.url, s.authorization])).toEqual([[`${LEDGER}/v2/parties`, 'Bearer mock-token-1']])
    expect(getLedgerAuth(store)).toMatchObject({ ledgerApi: MOVED, accessToken: 'mock-token-2' })
    const res = await ledgerFetch('/v2/version')
    expect(res.status).toBe(200)
    expect(server.seen.at(-1)).toMatchObject({ url: `${MOVED}/v2/version`, authorization: 'Bearer mock-token-2' })
  })

  it('C18, L2: when the refresh gives a Ledger API that is no absolute URL, the retry of a path rejects with 4100 whose cause is the 401, handed back whole (not left unread, holding its connection)', async () => {
    const wallet = createMockWallet()
    const server = streamingServer(wallet)
    const inner = createMockProvider({ wallet })
    let moved = false
    const provider: CIP0103Provider = {
      on: (e, l) => inner.on(e, l),
      removeListener: (e, l) => inner.removeListener(e, l),
      async request(args) {
        const result = await inner.request(args)
        if (!moved || args.method !== 'status') return result
        const status = result as CIP0103StatusEvent
        return { ...status, network: { ...status.network, ledgerApi: 'localhost:7575' } }
      },
    }
    const store = await connectedStore(provider)
    wallet.rotateToken()
    moved = true
    const error: unknown = await createLedgerFetch(store, { fetch: server.fetch })('/v2/parties').catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'SessionError', code: 4100 })
    expect((error as Error).cause).toBe(server.unauthorized[0]?.response)
    expect(server.unauthorized.map((u) => u.cancelled)).toEqual([false])
    expect(await server.unauthorized[0]?.response.text()).toBe('unauthorized')
    store.destroy()
  })

  it('L2: a second 401 surfaces as a SessionError 4100', async () => {
    const wallet = createMockWallet()
    const server = ledgerServer(wallet)
    const store = await connectedStore(createMockProvider({ wallet }))
    server.expire()
    await expect(createLedgerFetch(store, { fetch: server.fetch })('/a')).rejects.toMatchObject({ name: 'SessionError', code: 4100 })
  })

  it('L2: concurrent 401s whose shared token refresh reads status and gets the refused token back ask the wallet once: every call rejects with 4100', async () => {
    const wallet = createMockWallet()
    const server = ledgerServer(wallet)
    const provider = createMockProvider({ wallet })
    const store = await connectedStore(provider)
    server.expire()
    const before = provider.calls.length
    const ledgerFetch = createLedgerFetch(store, { fetch: server.fetch })
    const calls = await Promise.all(['/a', '/b', '/c'].map((path) => ledgerFetch(path).catch((e: unknown) => e)))
    for (const call of calls) expect(call).toMatchObject({ name: 'SessionError', code: 4100 })
    expect(provider.calls.slice(before).filter((c) => c.method === 'status')).toHaveLength(1)
    store.destroy()
  })

  it('L2: a disconnected store rejects at once with 4900, without calling fetch', async () => {
    const wallet = createMockWallet()
    const server = ledgerServer(wallet)
    const store = createSessionStore(createMockProvider({ wallet }), { storage: createMemoryStorage() })
    await expect(createLedgerFetch(store, { fetch: server.fetch })('/a')).rejects.toMatchObject({ code: 4900 })
    expect(server.seen).toEqual([])
  })

  it('L2: an abort passes through', async () => {
    const wallet = createMockWallet()
    const server = ledgerServer(wallet)
    const store = await connectedStore(createMockProvider({ wallet }))
    const controller = new AbortController()
    controller.abort(new DOMException('stop', 'AbortError'))
    await expect(createLedgerFetch(store, { fetch: server.fetch })('/a', { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' })
  })

  for (const { name, abort, error } of [
    { name: 'its reason', abort: (controller: AbortController) => controller.abort(new Error('left the page')), error: 'Error' },
    { name: 'an AbortError when it gave none', abort: (controller: AbortController) => controller.abort(), error: 'AbortError' },
  ]) {
    it(`L2: an aborted signal rejects with ${name}, as fetch does, before the wallet or the Ledger API is asked anything`, async () => {
      const controller = new AbortController()
      abort(controller)
      const expected: unknown = await globalThis.fetch(`${LEDGER}/v2/version`, { signal: controller.signal }).catch((e: unknown) => e)
      expect(expected).toBe(controller.signal.reason)
      expect(expected).toMatchObject({ name: error })
      // a store that holds no token yet (the wallet gave none) would refresh it first
      for (const accessToken of ['', 'tok']) {
        const provider = createMockProvider({ wallet: createMockWallet({ accessToken }) })
        const store = await connectedStore(provider)
        expect(getLedgerAuth(store)?.accessToken).toBe(accessToken || undefined)
        const before = provider.calls.length
        const fetch = vi.fn(() => Promise.resolve(new Response('{}')))
        await expect(createLedgerFetch(store, { fetch })('/v2/version', { signal: controller.signal })).rejects.toBe(expected)
        await sleep(10)
        expect(provider.calls.slice(before)).toEqual([])
        expect(fetch).not.toHaveBeenCalled()
      }
    })
  }

  it('L2: every C0 control and the space around a path is dropped, as fetch drops them, and nothing beyond them: DEL or a no-break space stays part of the path', async () => {
    const wallet = createMockWallet()
    const store = await connectedStore(createMockProvider({ wallet }))
    const fetch = vi.fn(() => Promise.resolve(new Response('{}')))
    const ledgerFetch = createLedgerFetch(store, { fetch })
    for (let code = 0; code <= 0x20; code++) {
      const c = String.fromCharCode(code)
      // what fetch does with such a path under a base URL
      expect(new URL(`${c}/v2/parties${c}`, `${LEDGER}/`).href).toBe(`${LEDGER}/v2/parties`)
      await ledgerFetch(`${c}${c}/v2/parties${c}${c}`)
      expect(fetch).toHaveBeenLastCalledWith(`${LEDGER}/v2/parties`, expect.anything())
    }
    for (const c of ['\x7f', '\u00a0', '!']) {
      expect(new URL(`/v2/parties${c}`, `${LEDGER}/`).href).toBe(`${LEDGER}/v2/parties${encodeURI(c)}`)
      await ledgerFetch(`/v2/parties${c}`)
      expect(fetch).toHaveBeenLastCalledWith(`${LEDGER}/v2/parties${c}`, expect.anything())
    }
    store.destroy()
  })

  it('L2: an aborted signal that carries no reason (an AbortController polyfill\'s) rejects with an AbortError DOMException, as fetch does, not with undefined, before the wallet or the Ledger API is asked anything', async () => {
    const signal = { aborted: true, reason: undefined, addEventListener: () => undefined, removeEventListener: () => undefined } as unknown as AbortSignal
    const expected: unknown = await globalThis.fetch(`${LEDGER}/v2/version`, { signal }).catch((e: unknown) => e)
    expect(expected).toBeInstanceOf(DOMException)
    expect(expected).toMatchObject({ name: 'AbortError' })
    const provider = createMockProvider({ wallet: createMockWallet() })
    const store = await connectedStore(provider)
    const before = provider.calls.length
    const fetch = vi.fn(() => Promise.resolve(new Response('{}')))
    const error: unknown = await createLedgerFetch(store, { fetch })('/v2/version', { signal }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DOMException)
    expect(error).toMatchObject({ name: 'AbortError' })
    expect(provider.calls.slice(before)).toEqual([])
    expect(fetch).not.toHaveBeenCalled()
    store.destroy()
  })

  it('L2: a signal that carries no reason (an AbortController polyfill\'s) and aborts while the call waits for the token refresh rejects it at once with an AbortError DOMException, not with undefined', async () => {
    const wallet = createMockWallet()
    const server = ledgerServer(wallet)
    const store = await connectedStore(createMockProvider({ wallet }))
    wallet.rotateToken()
    vi.useFakeTimers()
    try {
      wallet.answerLate('status', 100)
      const listeners = new Set<() => void>()
      const polyfill = { aborted: false, reason: undefined, addEventListener: (_: string, f: () => void) => listeners.add(f), removeEventListener: (_: string, f: () => void) => listeners.delete(f), throwIfAborted: () => undefined }
      const call = outcome(createLedgerFetch(store, { fetch: server.fetch })('/a', { signal: polyfill as unknown as AbortSignal }))
      await vi.advanceTimersByTimeAsync(10)
      expect(call.settled).toBe(false)
      polyfill.aborted = true
      for (const listener of listeners) listener()
      await vi.advanceTimersByTimeAsync(0)
      expect(call.settled).toBe(true)
      const error = await call
      expect(error).toBeInstanceOf(DOMException)
      expect(error).toMatchObject({ name: 'AbortError' })
      await vi.advanceTimersByTimeAsync(200)
    } finally {
      vi.useRealTimers()
      store.destroy()
    }
  })

  it('L2: a signal aborted once the 401 is in rejects with its reason without asking the wallet for a new token', async () => {
    const wallet = createMockWallet()
    const provider = createMockProvider({ wallet })
    const store = await connectedStore(provider)
    wallet.rotateToken()
    const controller = new AbortController()
    const fetch = () => {
      // the page leaves as the answer comes in
      controller.abort(new Error('left the page'))
      return Promise.resolve(new Response('unauthorized', { status: 401 }))
    }
    const before = provider.calls.length
    await expect(createLedgerFetch(store, { fetch })('/v2/parties', { signal: controller.signal })).rejects.toThrow('left the page')
    await sleep(10)
    expect(provider.calls.slice(before)).toEqual([])
  })

  it('L2: the token never reaches storage or another tab', async () => {
    const hub = createChannelHub()
    const writes: string[] = []
    const base = createMemoryStorage()
    const storage: SessionStorage = { ...base, setItem: (k, v) => (writes.push(v), base.setItem(k, v)) }
    const wallet = createMockWallet({ accessToken: 'SECRET-LEDGER-TOKEN' })
    const server = ledgerServer(wallet)
    const options: SessionStoreOptions = { storage, broadcast: { channelFactory: hub.channelFactory, lockManager: createMockLockManager() } }
    const store = await connectedStore(createMockProvider({ wallet }), options)
    await connectedStore(createMockProvider({ wallet }), options)
    wallet.rotateToken()
    wallet.switchParty('bob::1220bb')
    await walletEvents()
    await createLedgerFetch(store, { fetch: server.fetch })('/a')
    await sleep(10)
    const everything = JSON.stringify([writes, hub.sent])
    expect(writes.length).toBeGreaterThan(0)
    expect(hub.sent.length).toBeGreaterThan(0)
    expect(everything).not.toContain('SECRET-LEDGER-TOKEN')
  })

  it('L2: with Web Locks, one tab refreshes and the other reuses that refresh', async () => {
    const wallet = createMockWallet()
    const server = ledgerServer(wallet)
    const hub = createChannelHub()
    const lockManager = createMockLockManager()
    const log: string[] = []
    const options: SessionStoreOptions = { broadcast: { channelFactory: hub.channelFactory, lockManager } }
    const a = await connectedStore(refreshingProvider(wallet, server, log), options)
    const b = await connectedStore(refreshingProvider(wallet, server, log), options)
    server.expire()
    const [ra, rb] = await Promise.all([createLedgerFetch(a, { fetch: server.fetch })('/a'), createLedgerFetch(b, { fetch: server.fetch })('/b')])
    expect([ra.status, rb.status]).toEqual([200, 200])
    expect(log.filter((l) => l.startsWith('rotated'))).toEqual(['rotated:mock-token-2'])
  })

  it('L2: with Web Locks, other tabs share the token refresh also when broadcast is off (the default)', async () => {
    // a browser's: Web Locks are taken in a browser-like context only (a document exists)
    vi.stubGlobal('document', {})
    vi.stubGlobal('navigator', { locks: createMockLockManager() })
    try {
      const wallet = createMockWallet()
      const server = ledgerServer(wallet)
      const log: string[] = []
      const a = await connectedStore(refreshingProvider(wallet, server, log))
      const b = await connectedStore(refreshingProvider(wallet, server, log))
      server.expire()
      const [ra, rb] = await Promise.all([createLedgerFetch(a, { fetch: server.fetch })('/a'), createLedgerFetch(b, { fetch: server.fetch })('/b')])
      expect([ra.status, rb.status]).toEqual([200, 200])
      expect(log.filter((l) => l.startsWith('rotated'))).toEqual(['rotated:mock-token-2'])
    } finally {
      vi.unstubAllGlobals()
    }
  })

  it('L2: an abort during the token refresh rejects at once with the abort reason; the refresh still serves the other requests', async () => {
    const wallet = createMockWallet()
    const server = ledgerServer(wallet)
    const store = await connectedStore(createMockProvider({ wallet }))
    wallet.rotateToken()
    wallet.answerLate('status', 100)
    const ledgerFetch = createLedgerFetch(store, { fetch: server.fetch })
    const controller = new AbortController()
    const aborted = ledgerFetch('/a', { signal: controller.signal })
    const other = ledgerFetch('/b')
    await sleep(10)
    controller.abort(new DOMException('stop', 'AbortError'))
    await expect(Promise.race([aborted, sleep(50).then(() => 'still waiting for the wallet')])).rejects.toMatchObject({ name: 'AbortError' })
    expect((await other).status).toBe(200)
    expect(server.seen.filter((s) => s.url.endsWith('/a')).map((s) => s.authorization)).toEqual(['Bearer mock-token-1'])
  })

  it('L2: a refresh that finds the wallet disconnected rejects with 4900, as a disconnected store does', async () => {
    const wallet = createMockWallet()
    const server = ledgerServer(wallet)
    const provider = createMockProvider({ wallet })
    const store = await connectedStore(provider)
    // The user logged out in the wallet; this tab missed the event and learns it from the refresh.
    provider.detach()
    wallet.disconnectFromWallet()
    server.expire()
    await expect(createLedgerFetch(store, { fetch: server.fetch })('/a')).rejects.toMatchObject({ name: 'SessionError', code: 4900 })
    expect(store.getSnapshot().status).toBe('disconnected')
  })

  it('L2: a refresh that finds the wallet disconnected asks it nothing more: no accounts are read for the session that ended', async () => {
    const wallet = createMockWallet()
    const server = ledgerServer(wallet)
    const provider = createMockProvider({ wallet })
    const store = await connectedStore(provider)
    provider.detach()
    wallet.disconnectFromWallet()
    server.expire()
    const before = provider.calls.length
    await expect(createLedgerFetch(store, { fetch: server.fetch })('/a')).rejects.toMatchObject({ code: 4900 })
    expect(provider.calls.slice(before).map((c) => c.method)).toEqual(['status'])
  })

  it('L2: a store that holds no token yet, whose refresh finds the wallet disconnected, rejects with 4900 as a disconnected store does', async () => {
    // A wallet that sends no status events: after connect() the store holds no token until a refresh reads one.
    let connected = true
    const provider = {
      on: () => provider,
      removeListener: () => provider,
      request({ method }: { method: string }) {
        const answers: Record<string, unknown> = {
          status: { connection: { isConnected: connected }, network: { networkId: 'canton:devnet', ledgerApi: LEDGER }, ...(connected && { session: { accessToken: 'tok' } }) },
          connect: { isConnected: true },
          listAccounts: [{ partyId: 'alice::1220aa', primary: true }],
          getActiveNetwork: { networkId: 'canton:devnet', ledgerApi: LEDGER },
        }
        return Promise.resolve(answers[method] ?? null)
      },
    } as unknown as CIP0103Provider
    const store = createSessionStore(provider, { storage: createMemoryStorage() })
    await store.connect()
    expect(store.getSnapshot().status).toBe('connected')
    expect(getLedgerAuth(store)).toBeNull()
    // The user logged out in the wallet; the wallet told no one.
    connected = false
    const fetch = vi.fn(() => Promise.resolve(new Response('{}')))
    await expect(createLedgerFetch(store, { fetch })('/v2/version')).rejects.toMatchObject({ name: 'SessionError', code: 4900 })
    expect(store.getSnapshot().status).toBe('disconnected')
    expect(fetch).not.toHaveBeenCalled()
  })

  it('C6, L2: a 401 that comes back after disconnect() rejects with 4900 and never asks the wallet again, nor brings the session back', async () => {
    const wallet = createMockWallet()
    const provider = createMockProvider({ wallet })
    const store = await connectedStore(provider)
    let answer: (response: Response) => void = () => undefined
    const call = createLedgerFetch(store, { fetch: () => new Promise<Response>((resolve) => (answer = resolve)) })('/v2/parties')
    await Promise.resolve()
    await disconnectWhileWaiting(store, provider, call, () => answer(new Response('unauthorized', { status: 401 })))
  })

  /** A Ledger API whose first answer waits until `answer` gives it; the next ones are 200. Records each call's Authorization. */
  const holdFirst = () => {
    const sent: (string | null)[] = []
    let give: (response: Response) => void = () => undefined
    const fetch = (_: RequestInfo | URL, init?: RequestInit) => {
      sent.push(new Headers(init?.headers).get('Authorization'))
      return sent.length == 1 ? new Promise<Response>((resolve) => (give = resolve)) : Promise.resolve(new Response('{}'))
    }
    return { sent, fetch, answer: (response: Response) => give(response) }
  }

  it("C6, L2: a 401 that comes back once the user signed out and in again rejects with 4900: the call was made for the session that ended, and is never re-sent with the next session's token", async () => {
    vi.useFakeTimers({ now: 1_000 })
    try {
      const wallet = createMockWallet()
      const store = await connectedStore(createMockProvider({ wallet }))
      const { sent, fetch, answer } = holdFirst()
      const call = outcome(createLedgerFetch(store, { fetch })('/v2/commands/submit-and-wait', { method: 'POST', body: '{}' }))
      await vi.advanceTimersByTimeAsync(0)
      // the user signs out, then in again a minute later (the same party: the wallet may have another user act as it)
      await store.disconnect()
      await vi.advanceTimersByTimeAsync(60_000)
      wallet.rotateToken()
      await store.connect()
      expect(store.getSnapshot()).toMatchObject({ status: 'connected', account: { partyId: wallet.state().accounts[0]?.partyId } })
      expect(getLedgerAuth(store)?.accessToken).toBe('mock-token-2')
      // the request of the session that ended comes back refused
      answer(new Response('unauthorized', { status: 401 }))
      await vi.advanceTimersByTimeAsync(0)
      expect(await call).toMatchObject({ name: 'SessionError', code: 4900 })
      expect(sent).toEqual(['Bearer mock-token-1'])
      // a call of the new session goes out with its token
      expect((await createLedgerFetch(store, { fetch })('/v2/version')).status).toBe(200)
      expect(sent).toEqual(['Bearer mock-token-1', 'Bearer mock-token-2'])
      store.destroy()
    } finally {
      vi.useRealTimers()
    }
  })

  it("C12, L2: a 401 that comes back once the session expired and re-authenticated rejects with 4900: a re-authenticated session is a new one, whose token never runs a call of the one before", async () => {
    vi.useFakeTimers({ now: 1_000 })
    try {
      const wallet = createMockWallet()
      const onReauthRequired = () => wallet.rotateToken({ announce: true })
      const store = await connectedStore(createMockProvider({ wallet }), { expiry: { ttlMs: 10_000, onReauthRequired } })
      const { sent, fetch, answer } = holdFirst()
      const call = outcome(createLedgerFetch(store, { fetch })('/v2/commands/submit-and-wait', { method: 'POST', body: '{}' }))
      await vi.advanceTimersByTimeAsync(10_500)
      expect(store.getSnapshot().status).toBe('connected')
      expect(getLedgerAuth(store)?.accessToken).toBe('mock-token-2')
      answer(new Response('unauthorized', { status: 401 }))
      await vi.advanceTimersByTimeAsync(0)
      expect(await call).toMatchObject({ name: 'SessionError', code: 4900 })
      expect(sent).toEqual(['Bearer mock-token-1'])
      store.destroy()
    } finally {
      vi.useRealTimers()
    }
  })

  it("C7, C6, L2: a 401 that comes back once the user connected during a reconnect rejects with 4900: that connect ended the session the call was made for, and its token never runs the call", async () => {
    vi.useFakeTimers({ now: 1_000 })
    try {
      const wallet = createMockWallet()
      const store = await connectedStore(createMockProvider({ wallet }), { reconnect: { baseDelayMs: 60_000 } })
      const { sent, fetch, answer } = holdFirst()
      const call = outcome(createLedgerFetch(store, { fetch })('/v2/commands/submit-and-wait', { method: 'POST', body: '{}' }))
      await vi.advanceTimersByTimeAsync(0)
      wallet.drop()
      await walletEvents()
      expect(store.getSnapshot().status).toBe('reconnecting')
      await vi.advanceTimersByTimeAsync(10_000)
      // the user does not wait for the attempts: Connect (the wallet approves once it is back)
      const connected = store.connect()
      wallet.rotateToken()
      wallet.recover()
      await vi.advanceTimersByTimeAsync(0)
      expect(await connected).toMatchObject({ status: 'connected', connectedAt: 11_000 })
      answer(new Response('unauthorized', { status: 401 }))
      await vi.advanceTimersByTimeAsync(0)
      expect(await call).toMatchObject({ name: 'SessionError', code: 4900 })
      expect(sent).toEqual(['Bearer mock-token-1'])
      store.destroy()
    } finally {
      vi.useRealTimers()
    }
  })

  it('C7, L2: a 401 that comes back once the store reconnected from a drop is refreshed and retried: a reconnect goes on with the same session', async () => {
    vi.useFakeTimers({ now: 1_000 })
    try {
      const wallet = createMockWallet()
      const store = await connectedStore(createMockProvider({ wallet }), { reconnect: { baseDelayMs: 1_000 } })
      const { sent, fetch, answer } = holdFirst()
      const call = outcome(createLedgerFetch(store, { fetch })('/v2/version'))
      await vi.advanceTimersByTimeAsync(0)
      wallet.drop()
      await walletEvents()
      expect(store.getSnapshot().status).toBe('reconnecting')
      wallet.recover()
      await vi.advanceTimersByTimeAsync(1_000)
      expect(store.getSnapshot().status).toBe('connected')
      wallet.rotateToken()
      answer(new Response('unauthorized', { status: 401 }))
      await vi.advanceTimersByTimeAsync(0)
      expect(await call).toMatchObject({ status: 200 })
      expect(sent).toEqual(['Bearer mock-token-1', 'Bearer mock-token-2'])
      store.destroy()
    } finally {
      vi.useRealTimers()
    }
  })

  it("M4, L2: a 401 that comes back once another tab connected (this tab takes that connection's later times) is refreshed and retried: this tab's session goes on", async () => {
    vi.useFakeTimers({ now: 1_000 })
    try {
      const hub = createChannelHub()
      const wallet = createMockWallet()
      const options: SessionStoreOptions = { storage: createMemoryStorage(), broadcast: { channelFactory: hub.channelFactory, lockManager: null } }
      const b = createSessionStore(createMockProvider({ wallet }), options)
      await b.connect()
      await vi.advanceTimersByTimeAsync(60_000)
      // a tab that has not restored connects a minute later
      const a = createSessionStore(createMockProvider({ wallet }), options)
      const held = holdFirst()
      const call = outcome(createLedgerFetch(b, { fetch: held.fetch })('/v2/version'))
      await vi.advanceTimersByTimeAsync(0)
      await a.connect()
      await vi.advanceTimersByTimeAsync(0)
      expect(b.getSnapshot().connectedAt).toBe(61_000)
      wallet.rotateToken()
      held.answer(new Response('unauthorized', { status: 401 }))
      await vi.advanceTimersByTimeAsync(0)
      expect(await call).toMatchObject({ status: 200 })
      expect(held.sent).toEqual(['Bearer mock-token-1', 'Bearer mock-token-2'])
      a.destroy()
      b.destroy()
    } finally {
      vi.useRealTimers()
    }
  })

  it.each([true, false])('C7, M6, L2: tabs the wallet connected on its own, at moments of their own, then a drop and a reconnect (Web Locks: %s): a 401 that comes back in either tab is refreshed and retried', async (locks) => {
    vi.useFakeTimers({ now: 1_000 })
    try {
      const hub = createChannelHub()
      const wallet = createMockWallet()
      const options: SessionStoreOptions = {
        storage: createMemoryStorage(),
        reconnect: { baseDelayMs: 1_000 },
        broadcast: { channelFactory: hub.channelFactory, lockManager: locks ? createMockLockManager() : null },
      }
      const a = createSessionStore(createMockProvider({ wallet }), options)
      const lateProvider = createMockProvider({ wallet })
      // tab b hears its wallet 10 ms late (a busy page): it connects 10 ms after tab a, and then takes tab a's times
      const late: CIP0103Provider = {
        request: (args) => lateProvider.request(args),
        on(event, listener) {
          lateProvider.on(event, (...args: unknown[]) => void setTimeout(() => (listener as (...a: unknown[]) => void)(...args), 10))
          return this
        },
        removeListener() {
          return this
        },
      }
      const b = createSessionStore(late, options)
      wallet.connectFromWallet()
      await vi.advanceTimersByTimeAsync(100)
      const [heldA, heldB] = [holdFirst(), holdFirst()]
      const calls = [outcome(createLedgerFetch(a, { fetch: heldA.fetch })('/v2/version')), outcome(createLedgerFetch(b, { fetch: heldB.fetch })('/v2/version'))]
      await vi.advanceTimersByTimeAsync(0)
      wallet.drop()
      await vi.advanceTimersByTimeAsync(100)
      wallet.recover()
      await vi.advanceTimersByTimeAsync(5_000)
      expect([a.getSnapshot().status, b.getSnapshot().status]).toEqual(['connected', 'connected'])
      wallet.rotateToken()
      heldA.answer(new Response('unauthorized', { status: 401 }))
      heldB.answer(new Response('unauthorized', { status: 401 }))
      await vi.advanceTimersByTimeAsync(100)
      expect(await Promise.all(calls)).toMatchObject([{ status: 200 }, { status: 200 }])
      a.destroy()
      b.destroy()
    } finally {
      vi.useRealTimers()
    }
  })

  it('C6, L2: a 401 that waits for another tab\'s token refresh (Web Locks) when disconnect() comes never asks the wallet, nor brings the session back', async () => {
    const wallet = createMockWallet()
    const provider = createMockProvider({ wallet })
    const lockManager = createMockLockManager()
    const store = await connectedStore(provider, { broadcast: { channelFactory: createChannelHub().channelFactory, lockManager } })
    // another tab holds the refresh lock
    let release: () => void = () => undefined
    void lockManager.request('sessionlayer.ledger::sessionlayer.session', {}, () => new Promise<void>((resolve) => (release = resolve)))
    await sleep(0)
    wallet.rotateToken()
    const call = createLedgerFetch(store, { fetch: ledgerServer(wallet).fetch })('/v2/parties')
    await sleep(5)
    await disconnectWhileWaiting(store, provider, call, release)
  })

  it('C6, L2: a token refresh still waiting for the wallet at disconnect() changes nothing when it answers', async () => {
    const wallet = createMockWallet()
    const inner = createMockProvider({ wallet })
    let answerStatus: () => void = () => undefined
    let gated = false
    // The wallet answers the refresh's `status` when the test says so.
    const provider: CIP0103Provider = {
      on: (e, l) => inner.on(e, l),
      removeListener: (e, l) => inner.removeListener(e, l),
      async request(args) {
        if (gated && args.method === 'status') await new Promise<void>((resolve) => (answerStatus = resolve))
        return inner.request(args)
      },
    }
    const store = await connectedStore(provider)
    const server = ledgerServer(wallet)
    wallet.rotateToken()
    gated = true
    const call = createLedgerFetch(store, { fetch: server.fetch })('/v2/parties')
    await sleep(5)
    wallet.hangNext('disconnect')
    void store.disconnect()
    const states: string[] = []
    store.subscribe((state) => states.push(state.status))
    answerStatus()
    await expect(call).rejects.toMatchObject({ name: 'SessionError', code: 4900 })
    await sleep(10)
    expect(states).toEqual([])
    expect(store.getSnapshot().status).toBe('disconnected')
    expect(server.seen.map((s) => s.authorization)).toEqual(['Bearer mock-token-1'])
    store.destroy()
  })

  it('L2: a token refresh the wallet fails rejects every waiting call with a SessionError that keeps the wallet\'s code', async () => {
    const wallet = createMockWallet()
    const server = ledgerServer(wallet)
    const store = await connectedStore(createMockProvider({ wallet }))
    wallet.rotateToken()
    // a locked wallet: CIP-0103 wallets reject with a bare `{ code, message }` object
    wallet.failNext('status', { code: 4100, message: 'Unauthorized' })
    const ledgerFetch = createLedgerFetch(store, { fetch: server.fetch })
    const errors = await Promise.all([ledgerFetch('/a'), ledgerFetch('/b')].map((call) => call.catch((e: unknown) => e)))
    for (const error of errors) {
      expect(error).toBeInstanceOf(SessionError)
      expect(error).toMatchObject({ code: 4100, cause: { code: 4100, message: 'Unauthorized' } })
    }
  })

  it("L2: with Web Locks, a token refresh the wallet fails rejects the call with the wallet's error and asks the wallet once: the failure is not taken for a refused lock", async () => {
    const wallet = createMockWallet()
    const server = ledgerServer(wallet)
    const provider = createMockProvider({ wallet })
    const store = await connectedStore(provider, { broadcast: { channelFactory: createChannelHub().channelFactory, lockManager: createMockLockManager() } })
    wallet.rotateToken()
    wallet.failNext('status', { code: 4100, message: 'Unauthorized' })
    const before = provider.calls.filter((c) => c.method === 'status').length
    const error = await createLedgerFetch(store, { fetch: server.fetch })('/a').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SessionError)
    expect(error).toMatchObject({ code: 4100, cause: { code: 4100, message: 'Unauthorized' } })
    expect(provider.calls.filter((c) => c.method === 'status').length - before).toBe(1)
    expect(server.seen).toHaveLength(1)
    store.destroy()
  })

  const refused = () => new DOMException('Web Locks are not allowed here', 'SecurityError')
  for (const { name, request } of [
    { name: 'where Web Locks refuse (a sandboxed frame), the token refresh runs in this tab alone', request: () => Promise.reject(refused()) },
    {
      name: 'a lock manager that throws instead of rejecting (a polyfill) does not fail the call: the token refresh runs in this tab',
      request: (): Promise<never> => {
        throw refused()
      },
    },
    {
      name: 'a lock manager that rejects with no error object (null, as a polyfill may) refuses: the token refresh runs in this tab, instead of a TypeError',
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the point: a polyfill that rejects with null
      request: () => Promise.reject(null),
    },
  ]) {
    it(`L2: ${name}`, async () => {
      const wallet = createMockWallet()
      const server = ledgerServer(wallet)
      const provider = createMockProvider({ wallet })
      const store = await connectedStore(provider, { broadcast: { channelFactory: createChannelHub().channelFactory, lockManager: { request } } })
      wallet.rotateToken()
      const before = provider.calls.filter((c) => c.method === 'status').length
      const res = await createLedgerFetch(store, { fetch: server.fetch })('/a')
      expect(res.status).toBe(200)
      expect(provider.calls.filter((c) => c.method === 'status').length - before).toBe(1)
    })
  }

  it.each(['InvalidStateError', 'AbortError'])('L2: a token refresh whose Web Locks request is dropped with %s (the document torn down or not fully active) rejects with 4100 instead of running beside the tab that holds the lock; later refreshes take the lock again', async (name) => {
    const wallet = createMockWallet()
    const server = ledgerServer(wallet)
    const provider = createMockProvider({ wallet })
    const locks = createMockLockManager()
    let asked = 0
    const lockManager: LockManagerLike = {
      request: (lock, options, callback) => (asked++ ? locks.request(lock, options, callback) : Promise.resolve().then(() => Promise.reject(new DOMException('The lock request was dropped.', name)))),
    }
    const store = await connectedStore(provider, { broadcast: { channelFactory: createChannelHub().channelFactory, lockManager } })
    // another tab refreshes the token meanwhile, under the lock
    let release!: () => void
    const other = locks.request('sessionlayer.ledger::sessionlayer.session', {}, () => new Promise<void>((resolve) => (release = resolve)))
    wallet.rotateToken()
    const statusCalls = () => provider.calls.filter((c) => c.method === 'status').length
    const before = statusCalls()
    const ledgerFetch = createLedgerFetch(store, { fetch: server.fetch })
    await expect(ledgerFetch('/a')).rejects.toMatchObject({ name: 'SessionError', code: 4100 })
    expect(statusCalls()).toBe(before)
    release()
    await other
    expect((await ledgerFetch('/a')).status).toBe(200)
    expect(statusCalls() - before).toBe(1)
    expect(asked).toBe(2)
  })

  it('L2: a stream body cannot be sent twice: after a 401 the token is refreshed and the call rejects with 4100, the 401 as cause; other bodies are re-sent', async () => {
    const wallet = createMockWallet()
    const server = readingServer(wallet)
    const store = await connectedStore(createMockProvider({ wallet }))
    const ledgerFetch = createLedgerFetch(store, { fetch: server.fetch })
    wallet.rotateToken()
    const body = new Blob(['{"stream":1}']).stream()
    const error: unknown = await ledgerFetch('/v2/dars', { method: 'POST', body, duplex: 'half' } as RequestInit).catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'SessionError', code: 4100 })
    expect((error as Error).cause).toMatchObject({ status: 401 })
    expect(server.seen.map((s) => [s.body, s.authorization])).toEqual([['{"stream":1}', 'Bearer mock-token-1']])
    expect(getLedgerAuth(store)?.accessToken).toBe('mock-token-2')
    wallet.rotateToken()
    const res = await ledgerFetch('/v2/commands', { method: 'POST', body: '{"text":1}' })
    expect(res.status).toBe(200)
    expect(server.seen.slice(1).map((s) => [s.body, s.authorization])).toEqual([
      ['{"text":1}', 'Bearer mock-token-2'],
      ['{"text":1}', 'Bearer mock-token-3'],
    ])
  })

  it('L2: a Node stream body (an async iterable, as `fs.createReadStream` gives, that Node\'s fetch takes) is sent once only, as a web stream: after a 401 the call rejects with 4100 rather than retry with an empty body', async () => {
    const wallet = createMockWallet()
    const server = readingServer(wallet)
    const store = await connectedStore(createMockProvider({ wallet }))
    const ledgerFetch = createLedgerFetch(store, { fetch: server.fetch })
    async function* chunks() {
      yield new TextEncoder().encode('{"dar":1}')
    }
    for (const body of [chunks(), Readable.from(['{"dar":1}'])]) {
      wallet.rotateToken()
      const before = server.seen.length
      const error: unknown = await ledgerFetch('/v2/packages', { method: 'POST', body, duplex: 'half' } as unknown as RequestInit).catch((e: unknown) => e)
      expect(error).toMatchObject({ name: 'SessionError', code: 4100 })
      expect(server.seen.slice(before).map((s) => s.body)).toEqual(['{"dar":1}'])
    }
  })

  it('L2: a web stream body that is not async iterable (as in browsers where ReadableStream has no async iteration) is sent once only too: after a 401 the call rejects with 4100', async () => {
    const wallet = createMockWallet()
    const server = readingServer(wallet)
    const store = await connectedStore(createMockProvider({ wallet }))
    wallet.rotateToken()
    const body = new Blob(['{"stream":1}']).stream()
    Object.defineProperty(body, Symbol.asyncIterator, { value: undefined })
    const error: unknown = await createLedgerFetch(store, { fetch: server.fetch })('/v2/dars', { method: 'POST', body, duplex: 'half' } as RequestInit).catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'SessionError', code: 4100 })
    expect((error as Error).cause).toMatchObject({ status: 401 })
    expect(server.seen.map((s) => [s.body, s.authorization])).toEqual([['{"stream":1}', 'Bearer mock-token-1']])
    store.destroy()
  })

  it('L2: the body of a 401 that is retried is cancelled (it would hold its connection); a 401 handed back to the caller is left whole', async () => {
    const wallet = createMockWallet()
    const server = streamingServer(wallet)
    const store = await connectedStore(createMockProvider({ wallet }))
    const ledgerFetch = createLedgerFetch(store, { fetch: server.fetch })
    wallet.rotateToken()
    expect((await ledgerFetch('/v2/parties')).status).toBe(200)
    expect(server.unauthorized.map((u) => u.cancelled)).toEqual([true])
    // a stream body is not re-sent: the 401 is the cause of the rejection, readable
    wallet.rotateToken()
    const body = new Blob(['{"stream":1}']).stream()
    const error: unknown = await ledgerFetch('/v2/dars', { method: 'POST', body, duplex: 'half' } as RequestInit).catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'SessionError', code: 4100 })
    expect((error as Error).cause).toBe(server.unauthorized[1]?.response)
    // a second 401 too; the first one, retried, is cancelled
    server.rejectAll()
    const second: unknown = await ledgerFetch('/v2/parties').catch((e: unknown) => e)
    expect((second as Error).cause).toBe(server.unauthorized[3]?.response)
    expect(server.unauthorized.map((u) => u.cancelled)).toEqual([true, false, true, false])
    for (const index of [1, 3]) expect(await server.unauthorized[index]?.response.text()).toBe('unauthorized')
  })

  for (const { name, ends } of [
    { name: 'aborted', ends: (controller: AbortController) => controller.abort(new Error('left the page')) },
    { name: 'disconnected', ends: (_: AbortController, store: SessionStore) => void store.disconnect() },
  ]) {
    it(`L2: the body of a 401 is cancelled also when the call ends ${name} during the token refresh`, async () => {
      const wallet = createMockWallet()
      const server = streamingServer(wallet)
      const store = await connectedStore(createMockProvider({ wallet }))
      wallet.rotateToken()
      wallet.answerLate('status', 50)
      const controller = new AbortController()
      const call = createLedgerFetch(store, { fetch: server.fetch })('/v2/parties', { signal: controller.signal })
      await sleep(10)
      expect(server.unauthorized).toHaveLength(1)
      ends(controller, store)
      await expect(call).rejects.toBeDefined()
      await sleep(60)
      expect(server.unauthorized.map((u) => u.cancelled)).toEqual([true])
    })
  }

  for (const { name, change } of [
    { name: 'party', change: (wallet: MockWallet) => wallet.switchParty('bob::1220bb') },
    { name: 'network', change: (wallet: MockWallet) => wallet.switchNetwork('canton:testnet') },
  ]) {
    it(`C11, L2: a call that got a 401 is not retried with the token of another ${name} the user switched to during the refresh: it rejects with 4100`, async () => {
      const wallet = createMockWallet()
      const server = ledgerServer(wallet)
      const inner = createMockProvider({ wallet })
      let switching = false
      // The user switches in the wallet while it refreshes the token.
      const provider: CIP0103Provider = {
        on: (e, l) => inner.on(e, l),
        removeListener: (e, l) => inner.removeListener(e, l),
        request(args) {
          if (switching && args.method === 'status') {
            switching = false
            change(wallet)
          }
          return inner.request(args)
        },
      }
      const store = await connectedStore(provider)
      const before = store.getSnapshot()
      const ledgerFetch = createLedgerFetch(store, { fetch: server.fetch })
      wallet.rotateToken()
      switching = true
      const error: unknown = await ledgerFetch('/v2/state/active-contracts').catch((e: unknown) => e)
      expect(error).toMatchObject({ name: 'SessionError', code: 4100 })
      expect(store.getSnapshot()).not.toMatchObject({ account: before.account, networkId: before.networkId })
      expect(server.seen.map((s) => s.authorization)).toEqual(['Bearer mock-token-1'])
      // the next call is the new party's (or network's), with the fresh token
      expect((await ledgerFetch('/v2/state/active-contracts')).status).toBe(200)
      expect(server.seen.map((s) => s.authorization)).toEqual(['Bearer mock-token-1', 'Bearer mock-token-2'])
    })
  }

  it('C11, L2: a store that knew no network (the wallet told none) retries a 401 once the refresh tells it: a first network is no switch', async () => {
    const wallet = createMockWallet()
    const server = ledgerServer(wallet)
    const inner = createMockProvider({ wallet })
    // A wallet that tells no network until its token refresh, and cannot be asked for one.
    let hidden = true
    const hide = (payload: unknown) => {
      const { network } = (payload ?? {}) as { network?: object }
      return hidden && network ? { ...(payload as object), network: { ...network, networkId: undefined } } : payload
    }
    const wrapped = new Map<(...args: never[]) => void, (payload: unknown) => void>()
    const provider: CIP0103Provider = {
      on(event, listener) {
        const wrap = (payload: unknown) => (listener as (payload: unknown) => void)(hide(payload))
        wrapped.set(listener, wrap)
        inner.on(event, wrap)
      },
      removeListener: (event, listener) => inner.removeListener(event, wrapped.get(listener) ?? listener),
      async request(args) {
        if (args.method === 'getActiveNetwork' && hidden) return new Promise(() => {}) // bounded by requestTimeoutMs
        if (args.method === 'status' && hidden && server.isExpired()) {
          hidden = false
          wallet.rotateToken()
          server.renew()
        }
        return hide(await inner.request(args))
      },
    }
    const store = await connectedStore(provider, { requestTimeoutMs: 20 })
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', networkId: null })
    server.expire()
    const res = await createLedgerFetch(store, { fetch: server.fetch })('/v2/state/active-contracts')
    expect(res.status).toBe(200)
    expect(store.getSnapshot().networkId).toBe('canton:devnet')
    expect(server.seen.map((s) => s.authorization)).toEqual(['Bearer mock-token-1', 'Bearer mock-token-2'])
    store.destroy()
  })

  const unreadable = (cancel: () => Promise<void>) => ({ status: 401, body: { cancel } }) as unknown as Response
  for (const { name, response } of [
    { name: 'rejects', response: () => unreadable(() => Promise.reject(new TypeError('already closed'))) },
    {
      name: 'throws',
      response: () =>
        unreadable(() => {
          throw new TypeError('not a stream')
        }),
    },
  ]) {
    it(`L2: a 401 whose body cancel ${name} is retried all the same`, async () => {
      const wallet = createMockWallet()
      const store = await connectedStore(createMockProvider({ wallet }))
      wallet.rotateToken()
      const fetch = (_: RequestInfo | URL, init?: RequestInit) =>
        Promise.resolve(new Headers(init?.headers).get('Authorization') === 'Bearer mock-token-2' ? new Response('{}') : response())
      expect((await createLedgerFetch(store, { fetch })('/v2/parties')).status).toBe(200)
    })
  }

  it('L2: other HTTP statuses, and a 401 from another origin a redirect led to (the retry\'s too), are returned as they are, with no token refresh; a 401 of the Ledger API\'s own origin after a redirect within it is refreshed and retried', async () => {
    const wallet = createMockWallet()
    const provider = createMockProvider({ wallet })
    const store = await connectedStore(provider)
    // what `fetch` answers once it followed the Ledger API's redirect to another origin (it drops
    // the token on the way): that origin's 401, whose `url` and `redirected` tell where it came from
    const elsewhere = () => Object.defineProperties(new Response('log in first', { status: 401 }), { url: { value: 'https://login.example/authorize' }, redirected: { value: true } })
    const answers = [() => new Response('forbidden', { status: 403 }), () => new Response('oops', { status: 500 }), elsewhere]
    const before = provider.calls.length
    for (const answer of answers) {
      const fetch = vi.fn<typeof globalThis.fetch>(() => Promise.resolve(answer()))
      const res = await createLedgerFetch(store, { fetch })('/v2/parties')
      expect([res.status, await res.text()]).toEqual([answer().status, await answer().text()])
      expect(fetch).toHaveBeenCalledTimes(1)
    }
    expect(provider.calls.slice(before)).toEqual([])
    // a 401 of the Ledger API's own origin, also after a redirect within it, is refreshed and retried
    wallet.rotateToken()
    const within = vi.fn<typeof globalThis.fetch>((_, init) =>
      Promise.resolve(
        new Headers(init?.headers).get('Authorization') === 'Bearer mock-token-2'
          ? new Response('{}')
          : Object.defineProperties(new Response('unauthorized', { status: 401 }), { url: { value: `${LEDGER}/v2/parties/` }, redirected: { value: true } }),
      ),
    )
    expect((await createLedgerFetch(store, { fetch: within })('/v2/parties')).status).toBe(200)
    expect(within).toHaveBeenCalledTimes(2)
    // so is the 401 of a fetch option that sends through a proxy of another origin, with no redirect
    wallet.rotateToken()
    const proxied = vi.fn<typeof globalThis.fetch>((_, init) =>
      Promise.resolve(
        new Headers(init?.headers).get('Authorization') === 'Bearer mock-token-3'
          ? new Response('{}')
          : Object.defineProperties(new Response('unauthorized', { status: 401 }), { url: { value: 'http://localhost:3000/ledger/v2/parties' } }),
      ),
    )
    expect((await createLedgerFetch(store, { fetch: proxied })('/v2/parties')).status).toBe(200)
    expect(proxied).toHaveBeenCalledTimes(2)
    // and the retry's 401 from another origin is returned as it is too, not taken for a refused token
    wallet.rotateToken()
    const retried = vi.fn<typeof globalThis.fetch>((_, init) => Promise.resolve(new Headers(init?.headers).get('Authorization') === 'Bearer mock-token-4' ? elsewhere() : new Response('unauthorized', { status: 401 })))
    const res = await createLedgerFetch(store, { fetch: retried })('/v2/parties')
    expect([res.status, res.url, await res.text()]).toEqual([401, 'https://login.example/authorize', 'log in first'])
    expect(retried).toHaveBeenCalledTimes(2)
    store.destroy()
  })

  it("L2: a caller's own Authorization header (in init or on a Request) is replaced by the session's bearer token, never sent beside it", async () => {
    const wallet = createMockWallet()
    const server = readingServer(wallet)
    const store = await connectedStore(createMockProvider({ wallet }))
    const ledgerFetch = createLedgerFetch(store, { fetch: server.fetch })
    await ledgerFetch('/v2/parties', { headers: { Authorization: 'Bearer stale' } })
    await ledgerFetch(new Request(`${LEDGER}/v2/version`, { headers: { Authorization: 'Bearer stale' } }))
    expect(server.seen.map((s) => s.authorization)).toEqual(['Bearer mock-token-1', 'Bearer mock-token-1'])
    store.destroy()
  })

  it("L2: the caller's headers in every form fetch takes (Headers, pairs, a record) keep their other entries, and their own Authorization in any case gives way to the bearer token", async () => {
    const wallet = createMockWallet()
    const server = readingServer(wallet)
    const store = await connectedStore(createMockProvider({ wallet }))
    const ledgerFetch = createLedgerFetch(store, { fetch: server.fetch })
    const forms: HeadersInit[] = [new Headers({ authorization: 'Basic x', 'X-Trace': 'h' }), [['AUTHORIZATION', 'Basic x'], ['X-Trace', 'p']], { authorization: 'Basic x', 'X-Trace': 'r' }]
    for (const headers of forms) await ledgerFetch('/v2/version', { headers })
    expect(server.seen.map((s) => [s.authorization, s.trace])).toEqual([
      ['Bearer mock-token-1', 'h'],
      ['Bearer mock-token-1', 'p'],
      ['Bearer mock-token-1', 'r'],
    ])
    // the caller's Headers is not changed
    expect((forms[0] as Headers).get('Authorization')).toBe('Basic x')
    store.destroy()
  })

  it("L2: a network error (fetch's TypeError) rejects the call with it as it is, on the retry too: the wallet is asked for no token for it, and the session keeps no error", async () => {
    const wallet = createMockWallet()
    const provider = createMockProvider({ wallet })
    const store = await connectedStore(provider)
    const failure = new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:7575') })
    const before = provider.calls.length
    await expect(createLedgerFetch(store, { fetch: () => Promise.reject(failure) })('/v2/version')).rejects.toBe(failure)
    expect(provider.calls.slice(before)).toEqual([])
    wallet.rotateToken()
    const retry = vi.fn<typeof globalThis.fetch>((_, init) => (new Headers(init?.headers).get('Authorization') === 'Bearer mock-token-2' ? Promise.reject(failure) : Promise.resolve(new Response('unauthorized', { status: 401 }))))
    await expect(createLedgerFetch(store, { fetch: retry })('/v2/version')).rejects.toBe(failure)
    expect(retry).toHaveBeenCalledTimes(2)
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', lastError: null })
    store.destroy()
  })

  it('L2: takes what fetch takes: a URL, or a Request whose body is re-sent on the retry (generated API clients pass one)', async () => {
    const wallet = createMockWallet()
    const server = readingServer(wallet)
    const store = await connectedStore(createMockProvider({ wallet }))
    const ledgerFetch: typeof fetch = createLedgerFetch(store, { fetch: server.fetch })
    expect((await ledgerFetch(new URL(`${LEDGER}/v2/version`))).status).toBe(200)
    wallet.rotateToken()
    const request = new Request(`${LEDGER}/v2/commands`, { method: 'POST', body: '{"command":1}', headers: { 'X-Trace': 't1' } })
    const res = await ledgerFetch(request)
    expect(res.status).toBe(200)
    expect(server.seen).toEqual([
      { url: `${LEDGER}/v2/version`, authorization: 'Bearer mock-token-1', method: 'GET', body: '', trace: null },
      { url: `${LEDGER}/v2/commands`, authorization: 'Bearer mock-token-1', method: 'POST', body: '{"command":1}', trace: 't1' },
      { url: `${LEDGER}/v2/commands`, authorization: 'Bearer mock-token-2', method: 'POST', body: '{"command":1}', trace: 't1' },
    ])
    // the caller's Request is left unread
    expect(request.bodyUsed).toBe(false)
    // a Request for another origin goes out as given, without the token
    const foreign = new Request('https://evil.example/steal', { headers: { 'X-Trace': 't2' } })
    expect((await ledgerFetch(foreign)).status).toBe(401)
    expect(server.seen.at(-1)).toEqual({ url: 'https://evil.example/steal', authorization: null, method: 'GET', body: '', trace: 't2' })
  })

  it('L2: a Request whose body is a stream is re-sent on the retry after a 401: each send is a copy, and the copies share what the stream gave', async () => {
    const wallet = createMockWallet()
    const server = readingServer(wallet)
    const store = await connectedStore(createMockProvider({ wallet }))
    const ledgerFetch: typeof fetch = createLedgerFetch(store, { fetch: server.fetch })
    wallet.rotateToken()
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"command":2}'))
        controller.close()
      },
    })
    const request = new Request(`${LEDGER}/v2/commands`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit)
    expect((await ledgerFetch(request)).status).toBe(200)
    expect(server.seen.map((s) => [s.authorization, s.body])).toEqual([
      ['Bearer mock-token-1', '{"command":2}'],
      ['Bearer mock-token-2', '{"command":2}'],
    ])
  })

  it("L2: a Request's own signal ends the call during the token refresh", async () => {
    const wallet = createMockWallet()
    const server = ledgerServer(wallet)
    const log: string[] = []
    const store = await connectedStore(refreshingProvider(wallet, server, log))
    server.expire()
    const abort = new AbortController()
    const call = createLedgerFetch(store, { fetch: server.fetch })(new Request(`${LEDGER}/v2/parties`, { signal: abort.signal }))
    await sleep(5)
    abort.abort(new Error('left the page'))
    await expect(call).rejects.toThrow('left the page')
  })

  it('L2: a call that waited for the token refresh leaves no listener on its signal', async () => {
    const wallet = createMockWallet()
    const server = ledgerServer(wallet)
    const store = await connectedStore(refreshingProvider(wallet, server, []))
    const ledgerFetch = createLedgerFetch(store, { fetch: server.fetch })
    const page = new AbortController()
    const added = vi.spyOn(page.signal, 'addEventListener')
    const removed = vi.spyOn(page.signal, 'removeEventListener')
    server.expire()
    expect((await ledgerFetch('/v2/parties', { signal: page.signal })).status).toBe(200)
    expect(added.mock.calls.length).toBeGreaterThan(0)
    expect(removed.mock.calls.map((c) => c[1])).toEqual(added.mock.calls.map((c) => c[1]))
  })

  it('C14, L2: destroy() while the token refresh waits for the wallet rejects the call at once (DESTROYED), and the late answer hands out nothing', async () => {
    vi.useFakeTimers()
    try {
      const { store, wallet } = await handConnected()
      wallet.held.add('status')
      const server = acceptOnly('B')
      const call = createLedgerFetch(store, { fetch: server.fetch })('/v2/parties').catch((e: unknown) => e)
      await vi.advanceTimersByTimeAsync(0)
      expect(wallet.waiting('status')).toBe(1)
      store.destroy()
      await vi.advanceTimersByTimeAsync(0)
      expect(await call).toMatchObject({ name: 'SessionError', code: 'DESTROYED' })
      await wallet.answer('status', liveStatus('B'))
      expect(getLedgerAuth(store)).toBeNull()
      expect(server.seen).toEqual(['A'])
    } finally {
      vi.useRealTimers()
    }
  })

  it('C12, L2: a session that expires (no re-auth hook) while the token refresh waits for the wallet: the call rejects with 4900 and the late answer neither revives the session nor hands out its token', async () => {
    vi.useFakeTimers()
    try {
      const { store, wallet } = await handConnected({ expiry: { ttlMs: 1000 } })
      wallet.held.add('status')
      const server = acceptOnly('B')
      const call = createLedgerFetch(store, { fetch: server.fetch })('/v2/parties').catch((e: unknown) => e)
      await vi.advanceTimersByTimeAsync(0)
      expect(wallet.waiting('status')).toBe(1)
      await vi.advanceTimersByTimeAsync(1000)
      expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 'SESSION_EXPIRED' } })
      await wallet.answer('status', liveStatus('B'))
      expect(await call).toMatchObject({ name: 'SessionError', code: 4900 })
      expect(store.getSnapshot().status).toBe('disconnected')
      expect(getLedgerAuth(store)).toBeNull()
      expect(server.seen).toEqual(['A'])
      store.destroy()
    } finally {
      vi.useRealTimers()
    }
  })

  it('C14: a destroyed store never calls the wallet, not even to refresh a Ledger API token', async () => {
    const provider = createMockProvider({ accessToken: 'tok' })
    const store = await connectedStore(provider)
    const before = provider.calls.length
    store.destroy()
    await expect(createLedgerFetch(store, { fetch: () => Promise.resolve(new Response('{}')) })('/v2/version')).rejects.toMatchObject({ code: 4100 })
    expect(provider.calls.slice(before)).toEqual([])
  })
  describe('late wallet answers (C17)', () => {
    afterEach(() => {
      vi.useRealTimers()
    })

    it('C17, L1: a token refresh that timed out changes nothing when the wallet answers it late', async () => {
      vi.useFakeTimers()
      const { store, wallet } = await handConnected({ requestTimeoutMs: 1000 })
      wallet.held.add('status')
      const call = createLedgerFetch(store, { fetch: acceptOnly('B').fetch })('/v2/parties').catch((e: unknown) => e)
      await vi.advanceTimersByTimeAsync(1000)
      expect(await call).toMatchObject({ name: 'SessionError', code: 'TIMEOUT' })
      await wallet.answer('status', liveStatus('LATE'))
      expect(getLedgerAuth(store)?.accessToken).toBe('A')
      expect(store.getSnapshot().status).toBe('connected')
      store.destroy()
    })

    it('C17, L2: a token refresh whose Web Locks request is never answered (a lock manager that never answers, a tab that holds the lock and went silent) does not hang the call: it refreshes on its own once the wait is overdue, and a late grant asks the wallet nothing more', async () => {
      vi.useFakeTimers()
      let grant: (() => unknown) | undefined
      const silent: LockManagerLike = {
        request: (_, __, callback) => {
          grant = () => callback({})
          return new Promise(() => undefined)
        },
      }
      const { store, wallet } = await handConnected({ requestTimeoutMs: 1000, broadcast: { lockManager: silent } }, { status: liveStatus('B') })
      const statusReads = vi.fn()
      const status = wallet.answers.status
      wallet.answers.status = () => (statusReads(), status)
      let settled = false
      const call = createLedgerFetch(store, { fetch: acceptOnly('B').fetch })('/v2/parties').finally(() => (settled = true))
      // as long as another tab's refresh may hold the lock: a status and an accounts read, each up to
      // requestTimeoutMs, and both once more after a party switch heard meanwhile
      await vi.advanceTimersByTimeAsync(3_999)
      expect(settled).toBe(false)
      expect(statusReads).not.toHaveBeenCalled()
      await vi.advanceTimersByTimeAsync(1)
      expect(settled).toBe(true)
      expect((await call).status).toBe(200)
      expect(statusReads).toHaveBeenCalledTimes(1)
      await grant?.()
      await vi.advanceTimersByTimeAsync(0)
      expect(statusReads).toHaveBeenCalledTimes(1)
      store.destroy()
    })

    it('C17, L2: a Web Locks grant that comes after the call refreshed on its own asks the wallet nothing at all (no status, no account read)', async () => {
      vi.useFakeTimers()
      let grant: (() => unknown) | undefined
      const silent: LockManagerLike = {
        request: (_, __, callback) => {
          grant = () => callback({})
          return new Promise(() => undefined)
        },
      }
      const { store, wallet } = await handConnected({ requestTimeoutMs: 1000, broadcast: { lockManager: silent } }, { status: liveStatus('B') })
      const call = createLedgerFetch(store, { fetch: acceptOnly('B').fetch })('/v2/parties')
      await vi.advanceTimersByTimeAsync(4_000)
      expect((await call).status).toBe(200)
      const asked: string[] = []
      const request = wallet.provider.request.bind(wallet.provider)
      ;(wallet.provider as { request: unknown }).request = (args: { method: string }) => (asked.push(args.method), request(args))
      await grant?.()
      await vi.advanceTimersByTimeAsync(0)
      expect(asked).toEqual([])
      store.destroy()
    })

    it("C17, L2: a token refresh whose Web Locks lock came late runs once: the bound of the wait for the lock, passing while it runs, starts no second one", async () => {
      vi.useFakeTimers()
      const locks = createMockLockManager()
      let release: () => void = () => undefined
      // another tab refreshes, and holds the lock for 3.5 s
      void locks.request('sessionlayer.ledger::sessionlayer.session', () => new Promise<void>((resolve) => (release = resolve)))
      const { store, wallet } = await handConnected({ requestTimeoutMs: 1000, broadcast: { lockManager: locks } })
      wallet.held.add('status')
      const call = createLedgerFetch(store, { fetch: acceptOnly('B').fetch })('/v2/parties')
      await vi.advanceTimersByTimeAsync(3_500)
      expect(wallet.waiting('status')).toBe(0)
      release()
      await vi.advanceTimersByTimeAsync(0)
      expect(wallet.waiting('status')).toBe(1)
      // four times requestTimeoutMs since the refresh began: the bound of the wait for the lock passes while it runs
      await vi.advanceTimersByTimeAsync(600)
      expect(wallet.waiting('status')).toBe(1)
      await wallet.answer('status', liveStatus('B'))
      expect((await call).status).toBe(200)
      store.destroy()
    })

    it("L2, C17: another tab waits for the token-refresh lock as long as a refresh can legitimately hold it — a slow wallet's status and account reads, and both once more after a party switch and back — and reads no status of its own meanwhile", async () => {
      vi.useFakeTimers()
      const locks = createMockLockManager()
      const options = { requestTimeoutMs: 1000, broadcast: { lockManager: locks } }
      const alice = [{ partyId: 'alice::1220aa', primary: true }]
      const bob = [{ partyId: 'bob::1220bb', primary: true }]
      const a = await handConnected(options)
      const b = await handConnected(options)
      for (const tab of [a, b]) tab.wallet.held.add('status')
      a.wallet.held.add('listAccounts')
      const server = acceptOnly('N')
      const inA = outcome(createLedgerFetch(a.store, { fetch: server.fetch })('/v2/parties'))
      await vi.advanceTimersByTimeAsync(0)
      // tab A holds the lock and reads status; tab B's 401 waits for the lock
      expect(a.wallet.waiting('status')).toBe(1)
      const inB = outcome(createLedgerFetch(b.store, { fetch: server.fetch })('/v2/version'))
      await vi.advanceTimersByTimeAsync(900)
      // the user switches to bob and back as tab A's status read answers, slowly
      a.wallet.emit('accountsChanged', bob)
      a.wallet.emit('accountsChanged', alice)
      await a.wallet.answer('status', liveStatus('N'))
      await vi.advanceTimersByTimeAsync(900)
      await a.wallet.answer('listAccounts', alice)
      // so tab A reads status and the accounts once more, each slowly, still under the lock
      expect(a.wallet.waiting('status')).toBe(1)
      await vi.advanceTimersByTimeAsync(900)
      await a.wallet.answer('status', liveStatus('N'))
      await vi.advanceTimersByTimeAsync(900)
      expect(b.wallet.waiting('status')).toBe(0)
      await a.wallet.answer('listAccounts', alice)
      expect(await inA).toMatchObject({ name: 'SessionError', code: 4100 })
      // the lock is tab B's now: it refreshes
      expect(b.wallet.waiting('status')).toBe(1)
      await b.wallet.answer('status', liveStatus('N'))
      expect(await inB).toMatchObject({ status: 200 })
      for (const tab of [a, b]) tab.store.destroy()
    })

    it('C14, L2: token refreshes that stop waiting for a Web Locks lock another tab holds (a tab gone silent) withdraw their requests: 20 refreshes leave no lock request queued', async () => {
      vi.useFakeTimers()
      const locks = createMockLockManager()
      holdElsewhere(locks)
      const { store, wallet } = await handConnected({ requestTimeoutMs: 1000, broadcast: { lockManager: locks } })
      for (let i = 1; i <= 20; i++) {
        // the Ledger API now takes only a token the wallet hands out on the next status read
        wallet.answers.status = liveStatus(`T${i}`)
        const call = createLedgerFetch(store, { fetch: acceptOnly(`T${i}`).fetch })('/v2/parties')
        await vi.advanceTimersByTimeAsync(4_000)
        expect((await call).status).toBe(200)
      }
      expect(queuedRefreshes(locks)).toEqual([])
      store.destroy()
    })

    it('C14, L2: destroy() while a token refresh waits for a Web Locks lock another tab holds (a tab gone silent) withdraws its request: no lock request stays queued for the destroyed store', async () => {
      vi.useFakeTimers()
      const locks = createMockLockManager()
      holdElsewhere(locks)
      const { store } = await handConnected({ requestTimeoutMs: 1000, broadcast: { lockManager: locks } })
      const call = createLedgerFetch(store, { fetch: acceptOnly('B').fetch })('/v2/parties').catch((e: unknown) => e)
      await vi.advanceTimersByTimeAsync(0)
      expect(queuedRefreshes(locks)).toHaveLength(1)
      store.destroy()
      expect(await call).toMatchObject({ name: 'SessionError', code: 'DESTROYED' })
      await vi.advanceTimersByTimeAsync(0)
      expect(queuedRefreshes(locks)).toEqual([])
    })

    it('C14, L2: a token refresh whose Web Locks lock came leaves no timer behind once it is done: its bound of the wait for the lock ends with it, so nothing keeps a Node process alive', async () => {
      vi.useFakeTimers()
      const { store } = await handConnected({ requestTimeoutMs: 1000, broadcast: { lockManager: createMockLockManager() } }, { status: liveStatus('B') })
      await vi.advanceTimersByTimeAsync(0)
      const response = await createLedgerFetch(store, { fetch: acceptOnly('B').fetch })('/v2/parties')
      expect(response.status).toBe(200)
      await vi.advanceTimersByTimeAsync(0)
      expect(vi.getTimerCount()).toBe(0)
      store.destroy()
    })

    it.each(['InvalidStateError', 'AbortError'])('C17, L2: a token refresh whose Web Locks request is dropped with %s never asks the wallet later, when the bound of the wait for the lock passes', async (name) => {
      vi.useFakeTimers()
      const dropping: LockManagerLike = { request: () => Promise.reject(new DOMException('The lock request was dropped.', name)) }
      const { store, wallet } = await handConnected({ requestTimeoutMs: 1000, broadcast: { lockManager: dropping } }, { status: liveStatus('B') })
      const statusReads = vi.fn()
      const status = wallet.answers.status
      wallet.answers.status = () => (statusReads(), status)
      const call = createLedgerFetch(store, { fetch: acceptOnly('B').fetch })('/v2/parties').catch((e: unknown) => e)
      await vi.advanceTimersByTimeAsync(0)
      expect(await call).toMatchObject({ name: 'SessionError', code: 4100 })
      await vi.advanceTimersByTimeAsync(60_000)
      expect(statusReads).not.toHaveBeenCalled()
      store.destroy()
    })

    it("C17, L1, L2: a statusChanged that comes while the token refresh waits wins over the refresh's older answer", async () => {
      vi.useFakeTimers()
      const { store, wallet } = await handConnected()
      wallet.held.add('status')
      const server = acceptOnly('C')
      const call = createLedgerFetch(store, { fetch: server.fetch })('/v2/parties').catch((e: unknown) => e)
      await vi.advanceTimersByTimeAsync(0)
      expect(wallet.waiting('status')).toBe(1)
      wallet.emit('statusChanged', liveStatus('C'))
      // the wallet's answer to the refresh, read before its event
      await wallet.answer('status', liveStatus('B'))
      expect(await call).toMatchObject({ status: 200 })
      expect(server.seen).toEqual(['A', 'C'])
      expect(getLedgerAuth(store)?.accessToken).toBe('C')
      store.destroy()
    })

    it.each([
      ['the access in hand', true],
      ['no access yet', false],
    ])("L1, L2: a tokenless re-announcement (the connected event) while the token refresh waits leaves its answer the last word on access, with %s", async (_, token) => {
      vi.useFakeTimers()
      const wallet = handWallet()
      const store = createSessionStore(wallet.provider, { storage: createMemoryStorage() })
      await store.connect()
      if (token) wallet.emit('statusChanged', liveStatus('A'))
      wallet.held.add('status')
      const server = acceptOnly('B')
      const call = createLedgerFetch(store, { fetch: server.fetch })('/v2/parties').catch((e: unknown) => e)
      await vi.advanceTimersByTimeAsync(0)
      expect(wallet.waiting('status')).toBe(1)
      wallet.emit('connected', { isConnected: true, isNetworkConnected: true })
      await wallet.answer('status', liveStatus('B'))
      expect(await call).toMatchObject({ status: 200 })
      expect(server.seen).toEqual(token ? ['A', 'B'] : ['B'])
      expect(getLedgerAuth(store)?.accessToken).toBe('B')
      store.destroy()
    })

    it("C7, C17, L2: a drop (statusChanged false) while the token refresh waits wins over the refresh's older answer: no reconnect from it, the call rejects with 4900", async () => {
      vi.useFakeTimers()
      const { store, wallet } = await handConnected({ reconnect: { baseDelayMs: 1000 } })
      wallet.held.add('status')
      const call = createLedgerFetch(store, { fetch: acceptOnly('B').fetch })('/v2/parties').catch((e: unknown) => e)
      await vi.advanceTimersByTimeAsync(0)
      wallet.emit('statusChanged', { connection: { isConnected: false } })
      expect(store.getSnapshot().status).toBe('reconnecting')
      await wallet.answer('status', liveStatus('B'))
      expect(await call).toMatchObject({ name: 'SessionError', code: 4900 })
      expect(store.getSnapshot().status).toBe('reconnecting')
      expect(getLedgerAuth(store)).toBeNull()
      store.destroy()
    })

    it("C8, C17, L1: a reconnect probe's answer that comes after the wallet's own statusChanged(true) does not replace that event's token", async () => {
      vi.useFakeTimers()
      const { store, wallet } = await handConnected({ reconnect: { baseDelayMs: 1000 } })
      wallet.held.add('status')
      wallet.emit('statusChanged', { connection: { isConnected: false } })
      await vi.advanceTimersByTimeAsync(1000)
      expect(wallet.waiting('status')).toBe(1)
      wallet.emit('statusChanged', liveStatus('C'))
      await vi.advanceTimersByTimeAsync(0)
      expect(store.getSnapshot().status).toBe('connected')
      await wallet.answer('status', liveStatus('B'))
      expect(getLedgerAuth(store)?.accessToken).toBe('C')
      store.destroy()
    })

    it('C6, C17, L1: the Ledger API access of a network answer asked in a session that ended never becomes the next session\'s', async () => {
      vi.useFakeTimers()
      const wallet = handWallet()
      const store = createSessionStore(wallet.provider, { storage: createMemoryStorage() })
      wallet.held.add('getActiveNetwork')
      void store.connect()
      await vi.advanceTimersByTimeAsync(0)
      expect(wallet.waiting('getActiveNetwork')).toBe(1)
      await store.disconnect()
      const connecting = store.connect()
      await vi.advanceTimersByTimeAsync(0)
      expect(wallet.waiting('getActiveNetwork')).toBe(2)
      await wallet.answer('getActiveNetwork', { networkId: 'canton:devnet', ledgerApi: LEDGER, accessToken: 'NEW' }, 1)
      expect((await connecting).status).toBe('connected')
      // the first session's answer, late
      await wallet.answer('getActiveNetwork', { networkId: 'canton:devnet', ledgerApi: LEDGER, accessToken: 'OLD' })
      expect(getLedgerAuth(store)?.accessToken).toBe('NEW')
      store.destroy()
    })
  })
  describe('a party switch the wallet has not told of yet (C11, L2)', () => {
    const BOB = [{ partyId: 'bob::1220bb', primary: true }]

    it('C11, L2: a wallet that answers the token refresh with the new party\'s token before its accountsChanged: the call rejects with 4100, never retried as the new party', async () => {
      const { store, wallet } = await handConnected()
      const server = acceptOnly('B')
      // The user switched to bob in the wallet; it answers with bob's token and tells of the switch later.
      wallet.answers.status = liveStatus('B')
      wallet.answers.listAccounts = BOB
      const error: unknown = await createLedgerFetch(store, { fetch: server.fetch })('/v2/state/active-contracts').catch((e: unknown) => e)
      expect(error).toMatchObject({ name: 'SessionError', code: 4100 })
      expect(server.seen).toEqual(['A'])
      // the store knows the switch by now: the next call is bob's
      expect(store.getSnapshot().account?.partyId).toBe('bob::1220bb')
      wallet.emit('accountsChanged', BOB)
      expect(store.getSnapshot().account?.partyId).toBe('bob::1220bb')
      store.destroy()
    })

    it("C11, L2: a 401 that finds the new party's token already told (statusChanged) before its accountsChanged: the call rejects with 4100, never retried as the new party", async () => {
      const { store, wallet } = await handConnected()
      const server = acceptOnly('B')
      let answer: (response: Response) => void = () => undefined
      // the first request waits for the test to answer it; the others go to the Ledger API
      const fetch = (input: RequestInfo | URL, init?: RequestInit) =>
        server.seen.length ? server.fetch(input, init) : (server.seen.push('A'), new Promise<Response>((resolve) => (answer = resolve)))
      const call = createLedgerFetch(store, { fetch })('/v2/parties')
      await sleep(0)
      // The user switches to bob while the call is on its way: the wallet tells of bob's token first.
      wallet.answers.listAccounts = BOB
      wallet.emit('statusChanged', liveStatus('B'))
      expect(getLedgerAuth(store)?.accessToken).toBe('B')
      answer(new Response('unauthorized', { status: 401 }))
      await expect(call).rejects.toMatchObject({ name: 'SessionError', code: 4100 })
      expect(server.seen).toEqual(['A'])
      expect(store.getSnapshot().account?.partyId).toBe('bob::1220bb')
      store.destroy()
    })

    it('C11, L2: a token refresh whose account re-read fails rejects with the wallet\'s error: whose the fresh token is, it cannot tell', async () => {
      const { store, wallet } = await handConnected()
      const server = acceptOnly('B')
      wallet.answers.status = liveStatus('B')
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- wallets reject with bare objects
      wallet.answers.listAccounts = () => Promise.reject({ code: 4100, message: 'Unauthorized' })
      await expect(createLedgerFetch(store, { fetch: server.fetch })('/v2/parties')).rejects.toMatchObject({ name: 'SessionError', code: 4100, cause: { message: 'Unauthorized' } })
      expect(server.seen).toEqual(['A'])
      store.destroy()
    })

    it("C18, L2: a token refresh whose status answer cannot be read (a throwing getter, a revoked proxy) or is no status rejects with a SessionError, instead of retrying with the token the Ledger API just refused", async () => {
      const revoked = Proxy.revocable({}, {})
      revoked.revoke()
      // (a revoked proxy as the answer itself fails the request already: resolving it reads its `then`)
      const unreadable = [{ connection: revoked.proxy }, { get connection(): never { throw new Error('gone') } }, 42]
      for (const answer of unreadable) {
        const { store, wallet } = await handConnected()
        const server = acceptOnly('B')
        wallet.answers.status = answer
        await expect(createLedgerFetch(store, { fetch: server.fetch })('/v2/parties')).rejects.toMatchObject({ name: 'SessionError', message: 'Invalid status result' })
        // the refused token went once, and only once
        expect(server.seen).toEqual(['A'])
        store.destroy()
      }
    })

    it('C15, C18, L2: a token refresh whose status answer is no status but carries a token rejects with a SessionError that holds no token', async () => {
      const { store, wallet } = await handConnected()
      wallet.answers.status = { connection: { isConnected: 'yes' }, network: { networkId: 'canton:devnet', ledgerApi: LEDGER, accessToken: 'secret-network' }, session: { accessToken: 'secret-session' } }
      const error: unknown = await createLedgerFetch(store, { fetch: acceptOnly('B').fetch })('/v2/parties').catch((e: unknown) => e)
      expect(error).toMatchObject({ name: 'SessionError', code: 'UNKNOWN', message: 'Invalid status result' })
      expect(inspect([error, store.getSnapshot()], { depth: Infinity, showHidden: true })).not.toContain('secret')
      store.destroy()
    })

    it("C4, C15, L2: a token refresh the wallet refuses with a message that quotes the rejected token, under no name (an opaque token), rejects with the wallet's code, without that token", async () => {
      const token = 'opaque7c6b5a4f3e2d'
      const provider = createMockProvider({ accessToken: token })
      const store = createSessionStore(provider, { storage: createMemoryStorage() })
      await store.connect()
      const server = ledgerServer(provider.wallet)
      server.expire()
      provider.wallet.failNext('status', { code: 4100, message: `Token ${token} has expired` })
      const error: unknown = await createLedgerFetch(store, { fetch: server.fetch })('/v2/parties').catch((e: unknown) => e)
      expect(error).toMatchObject({ name: 'SessionError', code: 4100 })
      for (const sink of [inspect([error, store.getSnapshot()], { depth: Infinity, showHidden: true }), JSON.stringify([error, (error as Error).message, (error as Error).cause])]) {
        expect(sink).not.toContain(token)
      }
      store.destroy()
    })
  })
})

describe('a re-authentication (C12, L1, L2)', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it("C12, C17, L1, L2: a token refresh asked before a re-auth that answers after it never hands the new session the old session's token", async () => {
    vi.useFakeTimers()
    const { store, wallet } = await handConnected({ expiry: { ttlMs: 1000, onReauthRequired: async () => { await store.connect() } } })
    wallet.held.add('status')
    const server = acceptOnly('B')
    const call = createLedgerFetch(store, { fetch: server.fetch })('/v2/parties').catch((e: unknown) => e)
    await vi.advanceTimersByTimeAsync(0)
    expect(wallet.waiting('status')).toBe(1)
    await vi.advanceTimersByTimeAsync(1000)
    // the call was made for the session that expired: it ends as the re-auth begins
    expect(await call).toMatchObject({ name: 'SessionError', code: 4900 })
    // the re-auth's own re-read: the wallet is connected, and tells no token
    expect(wallet.waiting('status')).toBe(2)
    await wallet.answer('status', { connection: { isConnected: true } }, 1)
    expect(store.getSnapshot().status).toBe('connected')
    expect(getLedgerAuth(store)).toBeNull()
    // the refresh asked before the re-auth, late, with the token of the session before it
    await wallet.answer('status', liveStatus('A'))
    expect(getLedgerAuth(store)).toBeNull()
    expect(server.seen).toEqual(['A'])
    store.destroy()
  })
})

describe("another tab's expiry (C12, L1, M3)", () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it("C12, L1, M3: a tab without a re-auth hook that ends on another tab's expiry (that tab re-authenticates) never hands the next session the expired session's token", async () => {
    vi.useFakeTimers()
    const hub = createChannelHub()
    const options = { storage: createMemoryStorage(), broadcast: { channelFactory: hub.channelFactory } }
    const a = createSessionStore(createMockProvider({ wallet: createMockWallet() }), { ...options, expiry: { ttlMs: 60_000, onReauthRequired: () => new Promise(() => undefined) } })
    // a wallet whose status tells the connection, and no token
    const b = handWallet({ status: { connection: { isConnected: true }, network: { networkId: 'canton:devnet', ledgerApi: LEDGER } } })
    const store = createSessionStore(b.provider, options)
    await a.connect()
    await store.connect()
    b.emit('statusChanged', liveStatus('A'))
    expect(getLedgerAuth(store)?.accessToken).toBe('A')
    await vi.advanceTimersByTimeAsync(60_000)
    // A's expiry reaches this tab on a task of its own, as BroadcastChannel delivers it
    await vi.advanceTimersByTimeAsync(1)
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 'SESSION_EXPIRED' } })
    expect(getLedgerAuth(store)).toBeNull()
    // the user connects again in this tab, and the wallet tells no token
    await store.connect()
    expect(store.getSnapshot().status).toBe('connected')
    expect(getLedgerAuth(store)).toBeNull()
    a.destroy()
    store.destroy()
  })
})

describe('a system sleep (C12, L1, L2)', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  for (const [limit, expiry] of [['TTL', { ttlMs: 60_000 }], ['idle timeout', { idleTimeoutMs: 60_000 }]] as const) {
    it(`C12, L1, L2: after a system sleep past the ${limit}, before the late timer fires, getLedgerAuth hands out no token and a ledger fetch sends nothing: the session expires first`, async () => {
      vi.useFakeTimers({ now: 1_000_000 })
      const provider = createMockProvider({ accessToken: 'tok' })
      const store = createSessionStore(provider, { storage: createMemoryStorage(), expiry })
      const expired = vi.fn()
      store.on('session:expired', expired)
      await store.connect()
      expect(getLedgerAuth(store)?.accessToken).toBe('tok')
      // the laptop sleeps for two hours: the wall clock moves on, the timers do not fire
      vi.setSystemTime(Date.now() + 2 * 3_600_000)
      expect(getLedgerAuth(store)).toBeNull()
      expect(expired).toHaveBeenCalledExactlyOnceWith({ expiredAt: 1_060_000, reason: limit === 'TTL' ? 'ttl' : 'idle' })
      expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 'SESSION_EXPIRED' } })
      const fetch = vi.fn(() => Promise.resolve(new Response('{}')))
      await expect(createLedgerFetch(store, { fetch })('/v2/state/ledger-end')).rejects.toMatchObject({ code: 4900 })
      expect(fetch).not.toHaveBeenCalled()
      store.destroy()
    })
  }

  it('C12, L2: after a system sleep past the TTL, a ledger fetch sends nothing with the expired session\'s token', async () => {
    vi.useFakeTimers({ now: 1_000_000 })
    const provider = createMockProvider({ accessToken: 'tok' })
    const store = createSessionStore(provider, { storage: createMemoryStorage(), expiry: { ttlMs: 60_000 } })
    await store.connect()
    vi.setSystemTime(Date.now() + 2 * 3_600_000)
    const fetch = vi.fn(() => Promise.resolve(new Response('{}')))
    await expect(createLedgerFetch(store, { fetch })('/v2/state/ledger-end')).rejects.toMatchObject({ code: 4900 })
    expect(fetch).not.toHaveBeenCalled()
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 'SESSION_EXPIRED' } })
    store.destroy()
  })
  it("C12, L2: after a system sleep past the TTL, with Web Locks and another tab holding the token-refresh lock, a ledger fetch rejects at once with 4900: the session its token read expired asks for no refresh", async () => {
    vi.useFakeTimers({ now: 1_000_000 })
    const locks = createMockLockManager()
    holdElsewhere(locks)
    const provider = createMockProvider({ accessToken: 'tok' })
    const store = createSessionStore(provider, { storage: createMemoryStorage(), expiry: { ttlMs: 60_000 }, broadcast: { lockManager: locks } })
    await store.connect()
    await walletEvents() // the connection's events, a task after its answer: before the sleep
    vi.setSystemTime(Date.now() + 2 * 3_600_000)
    const fetch = vi.fn(() => Promise.resolve(new Response('{}')))
    const call = outcome(createLedgerFetch(store, { fetch })('/v2/state/ledger-end'))
    await vi.advanceTimersByTimeAsync(0)
    expect(call.settled).toBe(true)
    expect(await call).toMatchObject({ name: 'SessionError', code: 4900 })
    expect(fetch).not.toHaveBeenCalled()
    expect(queuedRefreshes(locks)).toEqual([])
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 'SESSION_EXPIRED' } })
    store.destroy()
  })

  it("C12, C13, L2: after a system sleep past the TTL into a re-authentication, with Web Locks and another tab holding the token-refresh lock, a ledger fetch rejects at once with 4900 and never runs with the re-authenticated session's token", async () => {
    vi.useFakeTimers({ now: 1_000_000 })
    const locks = createMockLockManager()
    holdElsewhere(locks)
    const provider = createMockProvider({ accessToken: 'tok' })
    let reauth!: () => void
    const store = createSessionStore(provider, {
      storage: createMemoryStorage(),
      expiry: { ttlMs: 60_000, onReauthRequired: () => new Promise<void>((resolve) => (reauth = resolve)) },
      broadcast: { lockManager: locks },
    })
    await store.connect()
    vi.setSystemTime(Date.now() + 2 * 3_600_000)
    const fetch = vi.fn(() => Promise.resolve(new Response('{}')))
    const call = outcome(createLedgerFetch(store, { fetch })('/v2/state/ledger-end'))
    await vi.advanceTimersByTimeAsync(0)
    expect(store.getSnapshot().status).toBe('reconnecting')
    reauth()
    await vi.advanceTimersByTimeAsync(30_000)
    expect(call.settled).toBe(true)
    expect(await call).toMatchObject({ name: 'SessionError', code: 4900 })
    expect(fetch).not.toHaveBeenCalled()
    store.destroy()
  })

  it("C12, L2: a 401 that comes back after a system sleep past the TTL, with Web Locks and another tab holding the token-refresh lock, rejects at once with 4900: the expired session asks for no refresh", async () => {
    vi.useFakeTimers({ now: 1_000_000 })
    const locks = createMockLockManager()
    holdElsewhere(locks)
    const provider = createMockProvider({ accessToken: 'tok' })
    const store = createSessionStore(provider, { storage: createMemoryStorage(), expiry: { ttlMs: 60_000 }, broadcast: { lockManager: locks } })
    await store.connect()
    let answer!: (response: Response) => void
    const fetch = vi.fn(() => new Promise<Response>((resolve) => (answer = resolve)))
    const call = outcome(createLedgerFetch(store, { fetch })('/v2/state/ledger-end'))
    await vi.advanceTimersByTimeAsync(0)
    expect(fetch).toHaveBeenCalledTimes(1)
    // the system sleeps with the request in flight; it comes back refused
    vi.setSystemTime(Date.now() + 2 * 3_600_000)
    answer(new Response('unauthorized', { status: 401 }))
    await vi.advanceTimersByTimeAsync(0)
    expect(call.settled).toBe(true)
    expect(await call).toMatchObject({ name: 'SessionError', code: 4900 })
    expect(fetch).toHaveBeenCalledTimes(1)
    expect(queuedRefreshes(locks)).toEqual([])
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 'SESSION_EXPIRED' } })
    store.destroy()
  })
})

describe('a session that ends while a call waits for the token refresh (C6, C12, C14, L2)', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  /** Counts the store subscriptions made from now on that are still in place. */
  function countSubscriptions(store: SessionStore) {
    const subscribe = store.subscribe
    let active = 0
    store.subscribe = (listener) => {
      const unsubscribe = subscribe(listener)
      let left = false
      active++
      return () => {
        if (!left) active--
        left = true
        unsubscribe()
      }
    }
    return () => active
  }

  /** The waits the store's destroy() would end: none once every call settled. */
  const destroyHooks = (store: SessionStore) => (store as unknown as Record<typeof INTERNALS, StoreInternals>)[INTERNALS].aborts.size

  /**
   * A call that got a 401 and waits for the token refresh (the wallet holds its `status` answer, or
   * another tab holds the refresh lock), with a signal whose listeners are counted. `end` ends the
   * session; the call must settle at once with `code`, before the wallet answers, and leave no store
   * subscription and no listener on its signal.
   */
  async function endWhileWaiting(options: SessionStoreOptions, end: (store: SessionStore, wallet: ReturnType<typeof handWallet>) => unknown, code: number | string, viaLock = false) {
    vi.useFakeTimers()
    const locks = createMockLockManager()
    const { store, wallet } = await handConnected(viaLock ? { ...options, broadcast: { lockManager: locks } } : options)
    // another tab refreshes: it holds the refresh lock, and does not let it go
    if (viaLock) holdElsewhere(locks)
    wallet.held.add('status')
    const subscriptions = countSubscriptions(store)
    const page = new AbortController()
    const added = vi.spyOn(page.signal, 'addEventListener')
    const removed = vi.spyOn(page.signal, 'removeEventListener')
    const server = acceptOnly('B')
    const call = outcome(createLedgerFetch(store, { fetch: server.fetch })('/v2/parties', { signal: page.signal }))
    await vi.advanceTimersByTimeAsync(0)
    expect(server.seen).toEqual(['A'])
    expect(wallet.waiting('status')).toBe(viaLock ? 0 : 1)
    expect(call.settled).toBe(false)
    await end(store, wallet)
    await vi.advanceTimersByTimeAsync(0)
    expect(call.settled).toBe(true)
    expect(await call).toMatchObject({ name: 'SessionError', code })
    expect(subscriptions()).toBe(0)
    expect(removed.mock.calls.map((c) => c[1])).toEqual(added.mock.calls.filter((c) => c[0] === 'abort').map((c) => c[1]))
    // the wallet answers late: nothing changes, and the token goes nowhere
    if (!viaLock) await wallet.answer('status', liveStatus('B'))
    // the refresh that waits for the lock ends by its bound (four times requestTimeoutMs), asking nothing,
    // and withdraws its lock request (at once on destroy())
    else await vi.advanceTimersByTimeAsync(20_000)
    expect(locks.query().pending).toEqual([])
    expect(server.seen).toEqual(['A'])
    expect(destroyHooks(store)).toBe(0)
    return store
  }

  it('C14, L2: a call that waited for the token refresh and succeeded leaves no store subscription, no signal listener and nothing for destroy() to end', async () => {
    vi.useFakeTimers()
    const { store } = await handConnected({}, { status: liveStatus('B') })
    const subscriptions = countSubscriptions(store)
    const page = new AbortController()
    const ledgerFetch = createLedgerFetch(store, { fetch: acceptOnly('B').fetch })
    const calls = [ledgerFetch('/v2/parties', { signal: page.signal }), ledgerFetch('/v2/version')]
    await vi.advanceTimersByTimeAsync(0)
    expect((await Promise.all(calls)).map((r) => r.status)).toEqual([200, 200])
    expect(subscriptions()).toBe(0)
    expect(destroyHooks(store)).toBe(0)
    store.destroy()
  })

  it('C6, L2: disconnect() while the token refresh waits for the wallet rejects the call at once with 4900, not once the wallet answers (or TIMEOUT), and leaves no subscription or signal listener', async () => {
    const store = await endWhileWaiting({}, (s) => s.disconnect(), 4900)
    expect(store.getSnapshot().status).toBe('disconnected')
    store.destroy()
  })

  it("C6, L2: disconnect() while the token refresh waits for another tab's Web Locks lock rejects the call at once with 4900", async () => {
    const store = await endWhileWaiting({}, (s) => s.disconnect(), 4900, true)
    expect(store.getSnapshot().status).toBe('disconnected')
    store.destroy()
  })

  it("C6, M3, L2: another tab's sign-out heard while the token refresh waits for the wallet rejects the call at once with 4900", async () => {
    const hub = createChannelHub()
    const other = createSessionStore(createMockProvider({ wallet: createMockWallet() }), { storage: createMemoryStorage(), broadcast: { channelFactory: hub.channelFactory } })
    await other.connect()
    const store = await endWhileWaiting({ broadcast: { channelFactory: hub.channelFactory } }, async () => {
      await other.disconnect()
      await vi.advanceTimersByTimeAsync(10)
    }, 4900)
    expect(store.getSnapshot().status).toBe('disconnected')
    other.destroy()
    store.destroy()
  })

  for (const [limit, expiry] of [['TTL', { ttlMs: 1000 }], ['idle timeout', { idleTimeoutMs: 1000 }]] as const) {
    it(`C12, L2: a session that expires (${limit}, no re-auth hook) while the token refresh waits for the wallet rejects the call at once with 4900`, async () => {
      const store = await endWhileWaiting({ expiry }, () => vi.advanceTimersByTimeAsync(1000), 4900)
      expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: { code: 'SESSION_EXPIRED' } })
      store.destroy()
    })
  }

  it('C12, C13, L2: a session that expires into a re-authentication (reconnecting while the hook runs) while the token refresh waits rejects the call at once with 4900: it was made for the session that ended', async () => {
    const store = await endWhileWaiting({ expiry: { ttlMs: 1000, onReauthRequired: () => new Promise(() => undefined) } }, () => vi.advanceTimersByTimeAsync(1000), 4900)
    expect(store.getSnapshot().status).toBe('reconnecting')
    store.destroy()
  })

  it('C7, L2: a drop (reconnecting) while the token refresh waits rejects the call at once with 4900, as a call made while reconnecting does', async () => {
    const store = await endWhileWaiting({ reconnect: { baseDelayMs: 60_000 } }, (_, wallet) => wallet.emit('statusChanged', { connection: { isConnected: false } }), 4900)
    expect(store.getSnapshot().status).toBe('reconnecting')
    store.destroy()
  })

  it("C14, L2: destroy() while the token refresh waits for another tab's Web Locks lock rejects the call at once (DESTROYED), as while it waits for the wallet", async () => {
    const store = await endWhileWaiting({}, (s) => s.destroy(), 'DESTROYED', true)
    expect(getLedgerAuth(store)).toBeNull()
  })

  it('C14, L2: destroy() while the token refresh waits for the wallet rejects the call at once (DESTROYED), and leaves no subscription or signal listener', async () => {
    await endWhileWaiting({}, (s) => s.destroy(), 'DESTROYED')
  })

  it('C6, L2: a call of the next session never joins the token refresh of the session that ended (its status read still unanswered): it runs with its own token, or its own refresh, instead of waiting for that read and failing with it', async () => {
    vi.useFakeTimers()
    const { store, wallet } = await handConnected({ requestTimeoutMs: 1000 })
    wallet.held.add('status')
    const server = acceptOnly('N2')
    const ledgerFetch = createLedgerFetch(store, { fetch: server.fetch })
    const before = ledgerFetch('/v2/parties').catch((e: unknown) => e)
    await vi.advanceTimersByTimeAsync(0)
    expect(wallet.waiting('status')).toBe(1)
    await store.disconnect()
    expect(await before).toMatchObject({ name: 'SessionError', code: 4900 })
    // the user signs in again: a new session, with its own token
    wallet.held.delete('status')
    wallet.answers.status = liveStatus('N2')
    await store.connect()
    wallet.emit('statusChanged', liveStatus('N'))
    const after = outcome(ledgerFetch('/v2/parties'))
    await vi.advanceTimersByTimeAsync(0)
    expect(after.settled).toBe(true)
    expect(await after).toMatchObject({ status: 200 })
    expect(server.seen).toEqual(['A', 'N', 'N2'])
    store.destroy()
  })

  it("C6, L2: a token refresh of a session that ended, whose status read answers while the next session's refresh waits, leaves that refresh for the next session's calls to join: one status read, not two", async () => {
    vi.useFakeTimers()
    const { store, wallet } = await handConnected({ requestTimeoutMs: 10_000 })
    wallet.held.add('status')
    const server = acceptOnly('N2')
    const ledgerFetch = createLedgerFetch(store, { fetch: server.fetch })
    const before = outcome(ledgerFetch('/v2/parties'))
    await vi.advanceTimersByTimeAsync(0)
    expect(wallet.waiting('status')).toBe(1)
    await store.disconnect()
    expect(await before).toMatchObject({ name: 'SessionError', code: 4900 })
    // the next session, whose token the Ledger API refuses too: its first call refreshes
    await store.connect()
    wallet.emit('statusChanged', liveStatus('N'))
    const first = outcome(ledgerFetch('/v2/parties'))
    await vi.advanceTimersByTimeAsync(0)
    expect(wallet.waiting('status')).toBe(2)
    // the ended session's read answers now: its refresh settles, and leaves the next session's in place
    await wallet.answer('status', liveStatus('N'))
    expect(first.settled).toBe(false)
    const second = outcome(ledgerFetch('/v2/parties'))
    await vi.advanceTimersByTimeAsync(0)
    expect(wallet.waiting('status')).toBe(1)
    await wallet.answer('status', liveStatus('N2'))
    expect(await first).toMatchObject({ status: 200 })
    expect(await second).toMatchObject({ status: 200 })
    expect(server.seen).toEqual(['A', 'N', 'N2', 'N2'])
    store.destroy()
  })

  it('C6, L2: with Web Locks that cannot withdraw a request (no signal support), a token refresh dropped as its session ended asks the wallet nothing once the lock comes, also when the next session is connected by then', async () => {
    vi.useFakeTimers()
    const mock = createMockLockManager()
    // a Web Locks shim that ignores `signal`: a request cannot be withdrawn
    const shim = {
      request: (name: string, options: object, callback: (lock: unknown) => unknown) => mock.request(name, { ...options, signal: undefined }, callback),
    } as unknown as LockManagerLike
    // another tab refreshes, and lets the lock go only when the test says so
    let release!: () => void
    void mock.request(LEDGER_LOCK, () => new Promise<void>((resolve) => (release = resolve)))
    let reads = 0
    const { store, wallet } = await handConnected(
      { requestTimeoutMs: 1000, broadcast: { lockManager: shim } },
      { listAccounts: () => (reads++, [{ partyId: 'alice::1220aa', primary: true }]) },
    )
    const call = outcome(createLedgerFetch(store, { fetch: acceptOnly('B').fetch })('/v2/parties'))
    await vi.advanceTimersByTimeAsync(0)
    expect(queuedRefreshes(mock)).toHaveLength(1)
    await store.disconnect()
    expect(await call).toMatchObject({ name: 'SessionError', code: 4900 })
    await store.connect()
    wallet.emit('statusChanged', liveStatus('A'))
    wallet.held.add('status')
    const before = reads
    release()
    await vi.advanceTimersByTimeAsync(0)
    expect(queuedRefreshes(mock)).toEqual([])
    // (the reconnect lock its sign-out took is kept a second, M3, M6: no refresh lock)
    expect(mock.query().held.filter((lock) => lock.name === LEDGER_LOCK)).toEqual([])
    expect(wallet.waiting('status')).toBe(0)
    expect(reads).toBe(before)
    store.destroy()
  })
})

describe('a store destroyed before its call asks for a token refresh (C14, L2)', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it("C14, L2: a call whose request was in flight at destroy() and then got a 401, while another tab holds the refresh lock for good, settles at once (4100) and leaves no Web Locks request queued for the destroyed store", async () => {
    vi.useFakeTimers()
    const locks = createMockLockManager()
    holdElsewhere(locks)
    const { store, wallet } = await handConnected({ requestTimeoutMs: 1000, broadcast: { lockManager: locks } })
    const calls: unknown[] = []
    let answer!: (response: Response) => void
    const fetch = () => {
      calls.push(1)
      return new Promise<Response>((resolve) => (answer = resolve))
    }
    const call = outcome(createLedgerFetch(store, { fetch })('/v2/parties'))
    await vi.advanceTimersByTimeAsync(0)
    expect(calls).toHaveLength(1)
    store.destroy()
    answer(new Response('unauthorized', { status: 401 }))
    await vi.advanceTimersByTimeAsync(0)
    expect(call.settled).toBe(true)
    expect(await call).toMatchObject({ name: 'SessionError', code: 4100 })
    expect(queuedRefreshes(locks)).toEqual([])
    expect(wallet.waiting('status')).toBe(0)
    expect(calls).toHaveLength(1)
  })

  it('C14, L2: a call made on a destroyed store, while another tab holds the refresh lock for good, settles at once (4100), as without Web Locks, and queues no Web Locks request', async () => {
    vi.useFakeTimers()
    const locks = createMockLockManager()
    holdElsewhere(locks)
    const { store } = await handConnected({ requestTimeoutMs: 1000, broadcast: { lockManager: locks } })
    store.destroy()
    const call = outcome(createLedgerFetch(store, { fetch: acceptOnly('B').fetch })('/v2/parties'))
    await vi.advanceTimersByTimeAsync(0)
    expect(call.settled).toBe(true)
    expect(await call).toMatchObject({ name: 'SessionError', code: 4100 })
    expect(queuedRefreshes(locks)).toEqual([])
  })

  it('C14, C17, L2: with Web Locks that cannot withdraw a request (no signal support), a call on a store destroyed while its token refresh waited for the lock another tab holds for good settles at once (4100) instead of joining that refresh for ever', async () => {
    vi.useFakeTimers()
    const mock = createMockLockManager()
    // a Web Locks shim that ignores `signal`: a request cannot be withdrawn
    const shim = {
      request: (name: string, options: object, callback: (lock: unknown) => unknown) => mock.request(name, { ...options, signal: undefined }, callback),
    } as unknown as LockManagerLike
    holdElsewhere(mock)
    const { store, wallet } = await handConnected({ requestTimeoutMs: 1000, broadcast: { lockManager: shim } })
    const ledgerFetch = createLedgerFetch(store, { fetch: acceptOnly('B').fetch })
    const before = ledgerFetch('/v2/parties').catch((e: unknown) => e)
    await vi.advanceTimersByTimeAsync(0)
    store.destroy()
    expect(await before).toMatchObject({ name: 'SessionError', code: 'DESTROYED' })
    const after = outcome(ledgerFetch('/v2/parties'))
    await vi.advanceTimersByTimeAsync(0)
    expect(after.settled).toBe(true)
    expect(await after).toMatchObject({ name: 'SessionError', code: 4100 })
    expect(wallet.waiting('status')).toBe(0)
  })
})

describe("a store that is no core store: an app's own SessionStore (L2)", () => {
  /** An app's own `SessionStore`: connected by its snapshot, with no live access for the Ledger API. */
  function ownStore() {
    const listeners = new Set<(state: SessionState, previous: SessionState) => unknown>()
    let state: SessionState = { ...DISCONNECTED_STATE, status: 'connected', account: { partyId: 'alice::1220aa', primary: true }, networkId: 'canton:devnet' }
    const store = {
      getSnapshot: () => state,
      subscribe: (listener: (state: SessionState, previous: SessionState) => unknown) => {
        listeners.add(listener)
        return () => void listeners.delete(listener)
      },
    } as unknown as SessionStore
    const set = (next: Partial<SessionState>) => {
      const previous = state
      state = { ...state, ...next }
      for (const listener of [...listeners]) listener(state, previous)
    }
    return { store, set, listeners }
  }

  it("L2: a call on an app's own store whose signal aborts while it waits for the token refresh rejects with the abort reason, as with a core store, and leaves no subscription", async () => {
    const { store, listeners } = ownStore()
    const fetch = vi.fn(() => Promise.resolve(new Response('{}')))
    const page = new AbortController()
    const call = createLedgerFetch(store, { fetch })('/v2/parties', { signal: page.signal })
    const reason = new Error('left the page')
    expect(() => page.abort(reason)).not.toThrow()
    expect(await call.catch((e: unknown) => e)).toBe(reason)
    expect(listeners.size).toBe(0)
    expect(fetch).not.toHaveBeenCalled()
  })

  it("L2, C16: a call on an app's own store that signs out while it waits for the token refresh rejects with 4900 and throws nothing into the store's notification", async () => {
    const { store, set } = ownStore()
    const fetch = vi.fn(() => Promise.resolve(new Response('{}')))
    const call = createLedgerFetch(store, { fetch })('/v2/parties')
    expect(() => set({ status: 'disconnected', account: null })).not.toThrow()
    expect(await call.catch((e: unknown) => e)).toMatchObject({ name: 'SessionError', code: 4900 })
    expect(fetch).not.toHaveBeenCalled()
  })

  it("L2: a call on an app's own store that signs out while it waits for the token refresh lets go of each store subscription once: an unsubscribe that is not idempotent (an array's splice) takes none of the app's listeners along", async () => {
    let state: SessionState = { ...DISCONNECTED_STATE, status: 'connected', account: { partyId: 'alice::1220aa', primary: true }, networkId: 'canton:devnet' }
    const listeners: ((state: SessionState) => unknown)[] = []
    const store = {
      getSnapshot: () => state,
      subscribe: (listener: (state: SessionState) => unknown) => {
        listeners.push(listener)
        // a hand-written store's unsubscribe: called twice, it removes another listener
        return () => void listeners.splice(listeners.indexOf(listener), 1)
      },
    } as unknown as SessionStore
    const set = (next: Partial<SessionState>) => {
      state = { ...state, ...next }
      for (const listener of [...listeners]) listener(state)
    }
    const ui = vi.fn()
    store.subscribe(ui)
    const call = createLedgerFetch(store, { fetch: vi.fn(() => Promise.resolve(new Response('{}'))) })('/v2/parties')
    set({ status: 'disconnected', account: null })
    expect(await call.catch((e: unknown) => e)).toMatchObject({ name: 'SessionError', code: 4900 })
    await sleep(0)
    expect(listeners).toEqual([ui])
    ui.mockClear()
    set({ status: 'connecting' })
    expect(ui).toHaveBeenCalledTimes(1)
  })
})

describe('a party or network switch while a call waits for the token refresh (C11, L2)', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  const bob = [{ partyId: 'bob::1220bb', primary: true }]
  const changes: [string, (wallet: ReturnType<typeof handWallet>) => void][] = [
    ['a party switch', (wallet) => wallet.emit('accountsChanged', bob)],
    ['a network switch', (wallet) => wallet.emit('chainChanged', 'canton:testnet')],
  ]
  for (const [what, change] of changes) {
    for (const viaLock of [false, true]) {
      it(`C11, L2: ${what} while the token refresh after a 401 waits for ${viaLock ? "another tab's Web Locks lock" : 'the wallet'} rejects the call at once with 4100 saying the party or network changed (the 401 its cause, unread), not once the wallet answers or the wait times out`, async () => {
        vi.useFakeTimers()
        const locks = createMockLockManager()
        const { store, wallet } = await handConnected({ requestTimeoutMs: 1000, ...(viaLock ? { broadcast: { lockManager: locks } } : {}) })
        // another tab refreshes: it holds the refresh lock, and does not let it go
        if (viaLock) holdElsewhere(locks)
        // the wallet never answers the refresh's status read
        wallet.held.add('status')
        const server = acceptOnly('B')
        const call = outcome(createLedgerFetch(store, { fetch: server.fetch })('/v2/parties'))
        await vi.advanceTimersByTimeAsync(0)
        expect(server.seen).toEqual(['A'])
        expect(call.settled).toBe(false)
        wallet.answers.listAccounts = bob
        change(wallet)
        await vi.advanceTimersByTimeAsync(0)
        expect(call.settled).toBe(true)
        const error = await call
        expect(error).toBeInstanceOf(SessionError)
        expect(error).toMatchObject({ code: 4100, message: 'The active party or network changed' })
        expect((error as SessionError).cause).toMatchObject({ status: 401, bodyUsed: false })
        expect(store.getSnapshot().status).toBe('connected')
        expect(server.seen).toEqual(['A'])
        store.destroy()
      })
    }
  }

  it("C11, L2: a call made while the token refresh reads whose the new token is (the wallet handed out the switched-to party's token before telling of the switch) waits for that read and rejects with 4100, instead of running with that token for the previous party", async () => {
    vi.useFakeTimers()
    // the user switched to bob in the wallet, which hands out bob's token before it tells of the switch
    const { store, wallet } = await handConnected({ requestTimeoutMs: 1000 }, { status: liveStatus('B') })
    wallet.held.add('listAccounts')
    const server = acceptOnly('B')
    const ledgerFetch = createLedgerFetch(store, { fetch: server.fetch })
    const first = ledgerFetch('/v2/parties').catch((e: unknown) => e)
    await vi.advanceTimersByTimeAsync(0)
    // the refresh has bob's token, and reads the accounts
    expect(wallet.waiting('listAccounts')).toBe(1)
    const second = outcome(ledgerFetch('/v2/state/active-contracts'))
    await vi.advanceTimersByTimeAsync(0)
    expect(second.settled).toBe(false)
    await wallet.answer('listAccounts', bob)
    expect(store.getSnapshot().account?.partyId).toBe('bob::1220bb')
    for (const call of [first, second]) expect(await call).toMatchObject({ name: 'SessionError', code: 4100, message: 'The active party or network changed' })
    expect(server.seen).toEqual(['A'])
    store.destroy()
  })

  it('C11, L2: a party switch while the token is read for the first access (the wallet does not answer) rejects the call at once with 4100, not TIMEOUT', async () => {
    vi.useFakeTimers()
    const wallet = handWallet()
    const store = createSessionStore(wallet.provider, { storage: createMemoryStorage(), requestTimeoutMs: 1000 })
    await store.connect()
    expect(getLedgerAuth(store)).toBeNull()
    wallet.held.add('status')
    const server = acceptOnly('B')
    const call = outcome(createLedgerFetch(store, { fetch: server.fetch })('/v2/parties'))
    await vi.advanceTimersByTimeAsync(0)
    wallet.answers.listAccounts = bob
    wallet.emit('accountsChanged', bob)
    await vi.advanceTimersByTimeAsync(0)
    expect(call.settled).toBe(true)
    expect(await call).toMatchObject({ name: 'SessionError', code: 4100, message: 'The active party or network changed' })
    expect(server.seen).toEqual([])
    store.destroy()
  })

  for (const [what, change] of changes) {
    it(`C11, L2: ${what} while the request is out, whose 401 comes back after it, rejects the call at once with 4100 saying the party or network changed (the 401 its cause, unread), asking the wallet for no token refresh, not TIMEOUT`, async () => {
      vi.useFakeTimers()
      const { store, wallet } = await handConnected({ requestTimeoutMs: 1000 })
      wallet.held.add('status')
      let answer!: (response: Response) => void
      const fetch = vi.fn(() => new Promise<Response>((resolve) => (answer = resolve)))
      const call = outcome(createLedgerFetch(store, { fetch })('/v2/parties'))
      await vi.advanceTimersByTimeAsync(0)
      expect(fetch).toHaveBeenCalledTimes(1)
      wallet.answers.listAccounts = bob
      change(wallet)
      await vi.advanceTimersByTimeAsync(0)
      answer(new Response('unauthorized', { status: 401 }))
      await vi.advanceTimersByTimeAsync(0)
      expect(call.settled).toBe(true)
      const error = await call
      expect(error).toMatchObject({ name: 'SessionError', code: 4100, message: 'The active party or network changed' })
      expect((error as SessionError).cause).toMatchObject({ status: 401, bodyUsed: false })
      expect(wallet.waiting('status')).toBe(0)
      expect(fetch).toHaveBeenCalledTimes(1)
      store.destroy()
    })
  }
  it("C11, L2: a call made while the token refresh reads whose the new token is, when that account read fails, does not go on with that token: whose it is none can tell, so the store holds it no more and the call rejects with 4100, as the 401's call rejects with the wallet's error", async () => {
    vi.useFakeTimers()
    // the wallet hands out bob's token before it tells of the switch, and then fails the account read
    const { store, wallet } = await handConnected({ requestTimeoutMs: 1000 }, { status: liveStatus('B') })
    let fail!: (error: unknown) => void
    wallet.answers.listAccounts = () => new Promise((_, reject) => (fail = reject))
    const server = acceptOnly('B')
    const ledgerFetch = createLedgerFetch(store, { fetch: server.fetch })
    const first = outcome(ledgerFetch('/v2/parties'))
    await vi.advanceTimersByTimeAsync(0)
    // the refresh has the new token, and reads the accounts
    expect(getLedgerAuth(store)?.accessToken).toBe('B')
    const second = outcome(ledgerFetch('/v2/state/active-contracts'))
    await vi.advanceTimersByTimeAsync(0)
    expect(second.settled).toBe(false)
    fail({ code: 4100, message: 'Unauthorized' })
    await vi.advanceTimersByTimeAsync(0)
    expect(await first).toMatchObject({ name: 'SessionError', code: 4100, message: 'Unauthorized' })
    expect(await second).toMatchObject({ name: 'SessionError', code: 4100 })
    expect(server.seen).toEqual(['A'])
    expect(getLedgerAuth(store)).toBeNull()
    store.destroy()
  })
  /**
   * A connected store whose token refresh waits for the wallet's `held` answer as the user signs
   * out: the call it ran for has rejected with 4900 (fake timers).
   */
  const endedDuringRefresh = async (held: 'status' | 'listAccounts', answers?: Record<string, unknown>) => {
    const { store, wallet } = await handConnected({ requestTimeoutMs: 1000 }, answers)
    wallet.held.add(held)
    const call = outcome(createLedgerFetch(store, { fetch: acceptOnly('B').fetch })('/v2/parties'))
    await vi.advanceTimersByTimeAsync(0)
    expect(wallet.waiting(held)).toBe(1)
    await store.disconnect()
    expect(await call).toMatchObject({ name: 'SessionError', code: 4900 })
    return { store, wallet }
  }
  it("C6, L1, L2: a token refresh of a session that ended, whose status read answers once the next session began, asks the wallet nothing more: no account read for it, and the next session's token stays in hand when the wallet fails account reads", async () => {
    vi.useFakeTimers()
    const { store, wallet } = await endedDuringRefresh('status')
    // the user signs in again: a new session, with its own token
    await store.connect()
    wallet.emit('statusChanged', liveStatus('N'))
    expect(getLedgerAuth(store)?.accessToken).toBe('N')
    // the wallet now fails account reads; the first session's status read answers late
    const accountReads = vi.fn(() => Promise.reject(new Error('Internal error')))
    wallet.answers.listAccounts = accountReads
    await wallet.answer('status', liveStatus('OLD'))
    await vi.advanceTimersByTimeAsync(0)
    expect(accountReads).not.toHaveBeenCalled()
    expect(store.getSnapshot().status).toBe('connected')
    expect(getLedgerAuth(store)?.accessToken).toBe('N')
    store.destroy()
  })

  it("C6, L2: a token refresh of a session that ended, whose account read answers once the next session began as another party, reads no status in that session", async () => {
    vi.useFakeTimers()
    const { store, wallet } = await endedDuringRefresh('listAccounts', { status: liveStatus('B') })
    // the user signs in again, as bob: the wallet tells of the accounts first
    wallet.held.delete('listAccounts')
    wallet.answers.listAccounts = bob
    wallet.emit('accountsChanged', bob)
    await store.connect()
    wallet.emit('statusChanged', liveStatus('N'))
    expect(store.getSnapshot().account?.partyId).toBe('bob::1220bb')
    const statusReads = vi.fn(() => liveStatus('N'))
    wallet.answers.status = statusReads
    // the first session's account read answers late
    await wallet.answer('listAccounts', [{ partyId: 'alice::1220aa', primary: true }])
    await vi.advanceTimersByTimeAsync(0)
    expect(statusReads).not.toHaveBeenCalled()
    expect(getLedgerAuth(store)?.accessToken).toBe('N')
    store.destroy()
  })

  it("C6, L1, L2: the account read of a token refresh of a session that ended, failing once the next session began (a TIMEOUT), leaves that session's token in hand", async () => {
    vi.useFakeTimers()
    const { store, wallet } = await endedDuringRefresh('listAccounts', { status: liveStatus('B') })
    // the user signs in again: a new session, with its own token
    wallet.held.delete('listAccounts')
    await store.connect()
    wallet.emit('statusChanged', liveStatus('N'))
    expect(getLedgerAuth(store)?.accessToken).toBe('N')
    // the first session's account read times out
    await vi.advanceTimersByTimeAsync(1000)
    expect(store.getSnapshot().status).toBe('connected')
    expect(getLedgerAuth(store)?.accessToken).toBe('N')
    store.destroy()
  })
})

describe('a store handed out over a real store that is replaced (C14, L2)', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it("C14, L2: once the real store under a wrapper (as session-react's SessionProvider hands out) is destroyed while its token refresh waits for a lock another tab holds, with Web Locks that cannot withdraw a request (no signal support), a call over the next real store runs its own refresh instead of joining the destroyed store's for ever", async () => {
    vi.useFakeTimers()
    const mock = createMockLockManager()
    // a Web Locks shim that ignores `signal`: a request cannot be withdrawn
    const shim: LockManagerLike = {
      request: (name: string, options: object, callback: (lock: unknown) => unknown) => mock.request(name, { ...options, signal: undefined }, callback),
    } as unknown as LockManagerLike
    holdElsewhere(mock)
    const first = await handConnected({ requestTimeoutMs: 1000, broadcast: { lockManager: shim } })
    // the store handed out: its methods reach the real store of the moment, its prototype is that store
    let real: SessionStore = first.store
    const handedOut = { getSnapshot: () => real.getSnapshot(), subscribe: (listener: Parameters<SessionStore['subscribe']>[0]) => real.subscribe(listener) } as SessionStore
    Object.setPrototypeOf(handedOut, real)
    const ledgerFetch = createLedgerFetch(handedOut, { fetch: acceptOnly('B').fetch })
    const before = ledgerFetch('/v2/parties').catch((e: unknown) => e)
    await vi.advanceTimersByTimeAsync(0)
    first.store.destroy()
    expect(await before).toMatchObject({ name: 'SessionError', code: 'DESTROYED' })
    // the next real store (a remount), connected with the same token, whose wallet refreshes it
    const next = await handConnected({ requestTimeoutMs: 1000, broadcast: { lockManager: shim } }, { status: liveStatus('B') })
    real = next.store
    Object.setPrototypeOf(handedOut, real)
    const after = outcome(ledgerFetch('/v2/parties'))
    // its own refresh waits for the lock as long as another tab's refresh can hold it, then runs on its own
    await vi.advanceTimersByTimeAsync(4000)
    expect(after.settled).toBe(true)
    expect(await after).toMatchObject({ status: 200 })
    next.store.destroy()
  })
})

describe('a call made while the token refresh of another call runs (L2)', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it("L2, C17: a call that joined the token refresh of another call's 401, with a good token in hand, goes on with it when that refresh fails (the wallet did not answer status): it never got a 401, and does not reject with the refresh's TIMEOUT", async () => {
    vi.useFakeTimers()
    const { store, wallet } = await handConnected({ requestTimeoutMs: 1000 })
    wallet.held.add('status')
    const server = acceptOnly('B')
    const ledgerFetch = createLedgerFetch(store, { fetch: server.fetch })
    const first = outcome(ledgerFetch('/v2/parties'))
    await vi.advanceTimersByTimeAsync(0)
    // its 401 refreshes the token: the wallet does not answer the status read
    expect(server.seen).toEqual(['A'])
    expect(wallet.waiting('status')).toBe(1)
    // meanwhile the wallet tells of its new token on its own
    wallet.emit('statusChanged', liveStatus('B'))
    expect(getLedgerAuth(store)?.accessToken).toBe('B')
    const second = outcome(ledgerFetch('/v2/version'))
    await vi.advanceTimersByTimeAsync(0)
    expect(second.settled).toBe(false)
    await vi.advanceTimersByTimeAsync(1000)
    expect(await first).toMatchObject({ name: 'SessionError', code: 'TIMEOUT' })
    expect(second.settled).toBe(true)
    expect(await second).toMatchObject({ status: 200 })
    expect(server.seen).toEqual(['A', 'B'])
    store.destroy()
  })

  it.each([
    ["a new token: the retry goes out with it, not the refused one again", '', 'C'],
    ['the refused token again: no further read, the call rejects with 4100', '', 'B'],
    ["a new token: the retry goes out with it, not the refused one again", ' (Web Locks)', 'C'],
  ])("L2: a 401 that joins a token refresh which took the token in hand as fresh without reading status, and would hand back the very token just refused, gets one status read of its own; the wallet answers %s%s", async (_, viaLock, renewed) => {
    vi.useFakeTimers()
    const { store, wallet } = await handConnected({ requestTimeoutMs: 1000, ...(viaLock ? { broadcast: { lockManager: createMockLockManager() } } : {}) })
    let statusReads = 0
    wallet.answers.status = () => (statusReads++, liveStatus(renewed))
    wallet.held.add('listAccounts')
    // the Ledger API takes only C; the first two requests are answered when the test says
    const sent: string[] = []
    const answers: (() => void)[] = []
    const fetch = (_: RequestInfo | URL, init?: RequestInit) => {
      const token = new Headers(init?.headers).get('Authorization')?.replace('Bearer ', '') ?? ''
      sent.push(token)
      const response = () => new Response(token === 'C' ? '{}' : 'unauthorized', { status: token === 'C' ? 200 : 401 })
      return sent.length > 2 ? Promise.resolve(response()) : new Promise<Response>((resolve) => answers.push(() => resolve(response())))
    }
    const ledgerFetch = createLedgerFetch(store, { fetch })
    const first = outcome(ledgerFetch('/v2/parties'))
    await vi.advanceTimersByTimeAsync(0)
    // the wallet tells of token B on its own; a call made now sends B
    wallet.emit('statusChanged', liveStatus('B'))
    const second = outcome(ledgerFetch('/v2/version'))
    await vi.advanceTimersByTimeAsync(0)
    expect(sent).toEqual(['A', 'B'])
    // A is refused: B is already fresher, so that refresh reads the accounts only
    answers[0]?.()
    await vi.advanceTimersByTimeAsync(0)
    expect(wallet.waiting('listAccounts')).toBe(1)
    expect(statusReads).toBe(0)
    // B is refused too, while that refresh runs: the call joins it
    answers[1]?.()
    await vi.advanceTimersByTimeAsync(0)
    wallet.held.delete('listAccounts')
    await wallet.answer('listAccounts', [{ partyId: 'alice::1220aa', primary: true }])
    // the first call's retry with B is its second 401 (4100); the second call refused B itself
    expect(await first).toMatchObject({ name: 'SessionError', code: 4100 })
    expect(await second).toMatchObject(renewed === 'C' ? { status: 200 } : { name: 'SessionError', code: 4100 })
    expect(statusReads).toBe(1)
    expect(sent).toEqual(['A', 'B', 'B', renewed])
    store.destroy()
  })

  it('L2: two 401s of the same token that join a token refresh which took it as fresh without reading status share the one status read of their own', async () => {
    vi.useFakeTimers()
    const { store, wallet } = await handConnected({ requestTimeoutMs: 1000 })
    let statusReads = 0
    wallet.answers.status = () => (statusReads++, liveStatus('C'))
    wallet.held.add('listAccounts')
    // the Ledger API takes only C; the first three requests are answered when the test says
    const sent: string[] = []
    const answers: (() => void)[] = []
    const fetch = (_: RequestInfo | URL, init?: RequestInit) => {
      const token = new Headers(init?.headers).get('Authorization')?.replace('Bearer ', '') ?? ''
      sent.push(token)
      const response = () => new Response(token === 'C' ? '{}' : 'unauthorized', { status: token === 'C' ? 200 : 401 })
      return sent.length > 3 ? Promise.resolve(response()) : new Promise<Response>((resolve) => answers.push(() => resolve(response())))
    }
    const ledgerFetch = createLedgerFetch(store, { fetch })
    const first = outcome(ledgerFetch('/v2/parties'))
    await vi.advanceTimersByTimeAsync(0)
    wallet.emit('statusChanged', liveStatus('B'))
    const others = [outcome(ledgerFetch('/v2/version')), outcome(ledgerFetch('/v2/users'))]
    await vi.advanceTimersByTimeAsync(0)
    expect(sent).toEqual(['A', 'B', 'B'])
    for (const answer of answers) answer()
    await vi.advanceTimersByTimeAsync(0)
    wallet.held.delete('listAccounts')
    await wallet.answer('listAccounts', [{ partyId: 'alice::1220aa', primary: true }])
    expect(await first).toMatchObject({ name: 'SessionError', code: 4100 })
    for (const other of others) expect(await other).toMatchObject({ status: 200 })
    expect(statusReads).toBe(1)
    store.destroy()
  })

  /**
   * Brings a call to the status read of its own: its 401 refused B, and the refresh it joined (run for
   * another call's 401 of A) took B as fresh. That read waits for the wallet; with `locks`, another
   * tab holds the refresh lock once the joined refresh let it go, and never lets it go.
   */
  type OwnRead = { store: SessionStore; wallet: ReturnType<typeof handWallet>; abort: AbortController }
  async function toOwnStatusRead(locks?: ReturnType<typeof createMockLockManager>) {
    vi.useFakeTimers()
    const { store, wallet } = await handConnected({ requestTimeoutMs: 1000, ...(locks ? { broadcast: { lockManager: locks } } : {}) })
    wallet.held.add('listAccounts')
    // the Ledger API takes only C; the first two requests are answered when the test says
    const sent: string[] = []
    const answers: (() => void)[] = []
    const fetch = (_: RequestInfo | URL, init?: RequestInit) => {
      const token = new Headers(init?.headers).get('Authorization')?.replace('Bearer ', '') ?? ''
      sent.push(token)
      const response = () => new Response(token === 'C' ? '{}' : 'unauthorized', { status: token === 'C' ? 200 : 401 })
      return sent.length > 2 ? Promise.resolve(response()) : new Promise<Response>((resolve) => answers.push(() => resolve(response())))
    }
    const ledgerFetch = createLedgerFetch(store, { fetch })
    const first = outcome(ledgerFetch('/v2/parties'))
    await vi.advanceTimersByTimeAsync(0)
    wallet.emit('statusChanged', liveStatus('B'))
    const abort = new AbortController()
    const call = outcome(ledgerFetch('/v2/version', { signal: abort.signal }))
    await vi.advanceTimersByTimeAsync(0)
    for (const answer of answers) answer()
    await vi.advanceTimersByTimeAsync(0)
    wallet.held.delete('listAccounts')
    wallet.held.add('status')
    if (locks) holdElsewhere(locks)
    await wallet.answer('listAccounts', [{ partyId: 'alice::1220aa', primary: true }])
    expect(await first).toMatchObject({ name: 'SessionError', code: 4100 })
    expect(call.settled).toBe(false)
    return { store, wallet, call, abort, sent }
  }

  it.each([
    ['destroy() ends it with DESTROYED', { code: 'DESTROYED' }, ({ store }: OwnRead): void => store.destroy()],
    ['a party switch ends it with 4100, the 401 its cause (unread)', { code: 4100, message: 'The active party or network changed', cause: { status: 401, bodyUsed: false } }, ({ wallet }: OwnRead): void => wallet.emit('accountsChanged', [{ partyId: 'bob::1220bb', primary: true }])],
    ["the call's abort signal ends it with its reason", { message: 'gone' }, ({ abort }: OwnRead): void => abort.abort(new Error('gone'))],
    ['a sign-out ends it with 4900', { code: 4900 }, ({ store }: OwnRead): void => void store.disconnect()],
  ])("C6, C11, C14, L2: a 401 that reads status of its own after a joined refresh handed back its refused token waits for that read as for any refresh: %s, at once, and the retry never goes out", async (_, error, end) => {
    const setup = await toOwnStatusRead()
    expect(setup.wallet.waiting('status')).toBe(1)
    end(setup)
    await vi.advanceTimersByTimeAsync(0)
    expect(setup.call.settled).toBe(true)
    expect(await setup.call).toMatchObject(error)
    await setup.wallet.answer('status', liveStatus('C'))
    expect(setup.sent).toEqual(['A', 'B', 'B'])
    setup.store.destroy()
    expect(vi.getTimerCount()).toBe(0)
  })

  it("C14, C17, L2: a 401 that reads status of its own after a joined refresh handed back its refused token waits for another tab's Web Locks lock four times requestTimeoutMs, then reads on its own, and leaves no timer or lock request behind", async () => {
    const locks = createMockLockManager()
    const { store, wallet, call, sent } = await toOwnStatusRead(locks)
    await vi.advanceTimersByTimeAsync(3999)
    expect(wallet.waiting('status')).toBe(0)
    await vi.advanceTimersByTimeAsync(1)
    expect(wallet.waiting('status')).toBe(1)
    await wallet.answer('status', liveStatus('C'))
    expect(await call).toMatchObject({ status: 200 })
    expect(sent).toEqual(['A', 'B', 'B', 'C'])
    expect(vi.getTimerCount()).toBe(0)
    expect(queuedRefreshes(locks)).toEqual([])
    store.destroy()
  })

  it('C17, L2: a 401 whose status read of its own (after a joined refresh handed back its refused token) fails rejects with that failure (TIMEOUT), as a refresh of its own does: the refused token is not sent again', async () => {
    const { store, wallet, call, sent } = await toOwnStatusRead()
    expect(wallet.waiting('status')).toBe(1)
    await vi.advanceTimersByTimeAsync(1000)
    expect(call.settled).toBe(true)
    expect(await call).toMatchObject({ name: 'SessionError', code: 'TIMEOUT' })
    expect(sent).toEqual(['A', 'B', 'B'])
    store.destroy()
  })
})

describe('a party switch and back (A→B→A) during the token refresh (C11, L2)', () => {
  /**
   * A mock wallet that hands out the token of the party active at that instant (each switch issues
   * one), and whose user switches to bob and back to alice around the answers to `status` (`flips`
   * of them) — as the request is made, or once it is under way (`later`): the answer carries bob's
   * token, and the store, hearing both switches, shows alice again.
   */
  async function switchingBack(flips: number, later: boolean, failAgain?: boolean) {
    // 'sync': the switch and the switch back reach the tab at once, within the status read, which
    // no wallet delivering each event on a task of its own does (the tab would show the other party
    // for a task, and the call made for the first one rejects then, as C11 has it)
    const wallet = createMockWallet({ accessToken: 'tok', delivery: 'sync' })
    const inner = createMockProvider({ wallet })
    const owner = new Map([['tok', 'alice']])
    const switchTo = (partyId: string) => {
      wallet.rotateToken()
      wallet.switchParty(partyId)
      owner.set(wallet.state().accessToken, partyId.slice(0, partyId.indexOf(':')))
    }
    let left = 0
    const provider: CIP0103Provider = {
      on: (event, listener) => inner.on(event, listener),
      removeListener: (event, listener) => inner.removeListener(event, listener),
      async request(args) {
        if (args.method !== 'status' || !left) return inner.request(args)
        left--
        if (later) await sleep(0)
        switchTo('bob::1220bb')
        const answer = await inner.request(args)
        switchTo('alice::1220aa')
        // the wallet fails the status read that follows
        if (failAgain) wallet.failNext('status', { code: -32603, message: 'Internal error' })
        return answer
      },
    }
    const store = await connectedStore(provider)
    expect(store.getSnapshot().account?.partyId).toBe('alice::1220aa')
    // the Ledger API takes the token of any party it issued, but no longer the first one
    const sent: string[] = []
    const fetch = (_: RequestInfo | URL, init?: RequestInit) => {
      const token = new Headers(init?.headers).get('Authorization')?.replace('Bearer ', '') ?? ''
      sent.push(`${owner.get(token) ?? '?'}:${token}`)
      const ok = token !== 'tok' && owner.has(token)
      return Promise.resolve(new Response(ok ? '{}' : 'unauthorized', { status: ok ? 200 : 401 }))
    }
    const before = inner.calls.length
    left = flips
    const ledgerFetch = createLedgerFetch(store, { fetch })
    return { store, ledgerFetch, sent, asked: () => inner.calls.slice(before).map((c) => c.method) }
  }

  it("C11, L2: a switch to another party and back told as the token refresh asks for status: the answer carries the other party's token, so status is read again, and the call, made for the party the store shows again, goes out with that party's token, never the other's", async () => {
    const { store, ledgerFetch, sent, asked } = await switchingBack(1, false)
    expect((await ledgerFetch('/v2/parties')).status).toBe(200)
    expect(sent).toEqual(['alice:tok', 'alice:tok-3'])
    expect(asked()).toEqual(['status', 'listAccounts', 'status', 'listAccounts'])
    expect(store.getSnapshot().account?.partyId).toBe('alice::1220aa')
    expect(getLedgerAuth(store)?.accessToken).toBe('tok-3')
    store.destroy()
  })

  it("C11, L2: a switch to another party and back while the token refresh's status read is under way: the call waiting for it rejects with 4100 (a switch), and the refresh leaves the token of the party the store shows in hand, not the other's, for the next call", async () => {
    const { store, ledgerFetch, sent, asked } = await switchingBack(1, true)
    expect(await ledgerFetch('/v2/parties').catch((e: unknown) => e)).toMatchObject({ name: 'SessionError', code: 4100 })
    await sleep(10)
    expect(asked()).toEqual(['status', 'listAccounts', 'status', 'listAccounts'])
    expect(store.getSnapshot().account?.partyId).toBe('alice::1220aa')
    expect(getLedgerAuth(store)?.accessToken).toBe('tok-3')
    expect((await ledgerFetch('/v2/state/active-contracts')).status).toBe(200)
    expect(sent).toEqual(['alice:tok', 'alice:tok-3'])
    store.destroy()
  })

  it("C11, L2: a switch to another party and back told as the token refresh asks for status, when the status read once more fails: the call rejects with the wallet's error, and the other party's token is held no more — the next call reads status anew, and never goes out with it for the party the store shows", async () => {
    const { store, ledgerFetch, sent, asked } = await switchingBack(1, false, true)
    expect(await ledgerFetch('/v2/parties').catch((e: unknown) => e)).toMatchObject({ name: 'SessionError', code: -32603 })
    expect(asked()).toEqual(['status', 'listAccounts', 'status'])
    expect(store.getSnapshot().account?.partyId).toBe('alice::1220aa')
    expect(getLedgerAuth(store)).toBeNull()
    expect((await ledgerFetch('/v2/state/active-contracts')).status).toBe(200)
    expect(sent).toEqual(['alice:tok', 'alice:tok-3'])
    store.destroy()
  })

  it("C11, L2: a wallet that switches to another party and back around every status read: the token refresh reads status once more only, then gives up with 4100, sending no token of the other party and leaving none in hand", async () => {
    const { store, ledgerFetch, sent, asked } = await switchingBack(Infinity, false)
    expect(await ledgerFetch('/v2/parties').catch((e: unknown) => e)).toMatchObject({ name: 'SessionError', code: 4100 })
    await sleep(10)
    expect(asked().filter((method) => method === 'status')).toHaveLength(2)
    expect(sent).toEqual(['alice:tok'])
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', account: { partyId: 'alice::1220aa' } })
    expect(getLedgerAuth(store)).toBeNull()
    store.destroy()
  })
  it("C11, L2: a 401 after a switch to another party and back while the request was out — the wallet told the other party's token before that switch — reads status for the call's party: the call is never retried with the other party's token", async () => {
    const wallet = createMockWallet({ accessToken: 'tok' })
    const provider = createMockProvider({ wallet })
    const store = await connectedStore(provider)
    const owner = new Map([['tok', 'alice']])
    const sent: string[] = []
    // the Ledger API answers a moment later, and takes only the wallet's token of that moment
    const fetch = async (_: RequestInfo | URL, init?: RequestInit) => {
      const token = new Headers(init?.headers).get('Authorization')?.replace('Bearer ', '') ?? ''
      sent.push(`${owner.get(token) ?? '?'}:${token}`)
      await sleep(5)
      const ok = token === wallet.state().accessToken
      return new Response(ok ? '{}' : 'unauthorized', { status: ok ? 200 : 401 })
    }
    const call = createLedgerFetch(store, { fetch })('/v2/parties')
    // the wallet hands out bob's token and tells it before it tells of the switch to bob
    wallet.rotateToken()
    owner.set('tok-2', 'bob')
    wallet.emitRaw('statusChanged', liveStatus('tok-2'))
    wallet.switchParty('bob::1220bb')
    // and back to alice, with a token of hers that it does not tell
    wallet.rotateToken()
    owner.set('tok-3', 'alice')
    wallet.switchParty('alice::1220aa')
    expect(store.getSnapshot().account?.partyId).toBe('alice::1220aa')
    expect((await call).status).toBe(200)
    expect(sent).toEqual(['alice:tok', 'alice:tok-3'])
    store.destroy()
  })
})

describe('a wallet that tells its accounts again during the token refresh, with no party switch (C2, C11, L2)', () => {
  /**
   * A mock wallet that tells its accounts (accountsChanged) as it answers each account read: the
   * same ones again, or with a new account of another party that it allocated, the primary one kept.
   */
  async function announcing(next: (accounts: CIP0103Account[]) => CIP0103Account[]) {
    const wallet = createMockWallet()
    const inner = createMockProvider({ wallet })
    const provider: CIP0103Provider = {
      on: (event, listener) => inner.on(event, listener),
      removeListener: (event, listener) => inner.removeListener(event, listener),
      request(args) {
        if (args.method === 'listAccounts') wallet.setAccounts(next(wallet.state().accounts))
        return inner.request(args)
      },
    }
    const store = await connectedStore(provider)
    const server = ledgerServer(wallet)
    return { store, wallet, server, ledgerFetch: createLedgerFetch(store, { fetch: server.fetch }) }
  }
  const cases: [string, (accounts: CIP0103Account[]) => CIP0103Account[]][] = [
    ['the same accounts again', (accounts) => accounts],
    ['one more account, allocated, the primary one kept', (accounts) => [...accounts, { partyId: `new${accounts.length}::1220cc`, primary: false, status: 'allocated', hint: 'new', publicKey: 'k', namespace: '1220cc', networkId: 'canton:devnet', signingProviderId: 'participant' }]],
  ]
  for (const [told, next] of cases) {
    it(`C2, C11, L2: a wallet that tells ${told} (accountsChanged) as it answers each account read switches no party: after each 401 the token refresh takes the new token and the call is retried with it, rather than rejecting every call with 4100`, async () => {
      const { store, wallet, server, ledgerFetch } = await announcing(next)
      for (let i = 0; i < 3; i++) {
        wallet.rotateToken()
        expect((await ledgerFetch('/v2/parties')).status).toBe(200)
        expect(getLedgerAuth(store)?.accessToken).toBe(wallet.state().accessToken)
      }
      expect(server.seen.map((s) => s.authorization)).toEqual(['1', '2', '2', '3', '3', '4'].map((n) => `Bearer mock-token-${n}`))
      expect(store.getSnapshot().account?.partyId).toBe('alice::1220aa')
      store.destroy()
    })
  }
})
