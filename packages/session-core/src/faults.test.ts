import { createEncryptedIndexedDBStorage, decodeSessionEnvelope, restoreSession, type SessionStorage } from '@sessionlayer/session-crypto'
import { IDBFactory } from 'fake-indexeddb'
import { createChannelHub, createMockProvider } from '@sessionlayer/session-testing'
import { inspect } from 'node:util'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { CIP0103Provider } from './cip0103'
import { createMemoryStorage } from './createMemoryStorage'
import { createSessionStore } from './createSessionStore'
import { createWebStorage } from './createWebStorage'
import type { SessionStoreOptions } from './types'

/** Lets the wallet's events on their way reach the tabs: each arrives on a task of its own, as from a real wallet. */
const walletEvents = async () => {
  if (vi.isFakeTimers()) await vi.advanceTimersByTimeAsync(0)
  else await new Promise((resolve) => setTimeout(resolve, 0))
}

// Fault injection, end to end through the store: storages that refuse (quota, a blocked
// IndexedDB, a throwing Web Storage) and wallets that throw on every call, never answer, or
// answer after the timeout. The session never breaks, never throws at the app, and says why.

afterEach(() => {
  vi.useRealTimers()
})

const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0))
}

/** A store over a connected mock wallet and `storage`, recording its storage errors. */
async function overStorage(storage: SessionStorage) {
  const provider = createMockProvider({ connected: true })
  const store = createSessionStore(provider, { storage })
  const errors: { operation: string; error: unknown }[] = []
  store.on('storage:error', (e) => errors.push(e))
  return { provider, store, errors }
}

/** A provider whose every request fails the same way; events still come from the mock wallet. */
function failingProvider(request: CIP0103Provider['request']) {
  const mock = createMockProvider({ connected: true })
  const provider: CIP0103Provider = { request, on: (e, l) => mock.on(e, l), removeListener: (e, l) => mock.removeListener(e, l) }
  return { mock, provider }
}

describe('storage faults', () => {
  it('a full quota: every write is a storage:error, the session keeps working and reads still restore', async () => {
    const quota = new DOMException('The quota has been exceeded.', 'QuotaExceededError')
    const map = new Map<string, string>([['sessionlayer.session', '{}']])
    const storage: SessionStorage = {
      getItem: (k) => Promise.resolve(map.get(k) ?? null),
      setItem: () => Promise.reject(quota),
      removeItem: (k) => Promise.resolve(void map.delete(k)),
    }
    const { provider, store, errors } = await overStorage(storage)
    expect((await store.restore()).status).toBe('connected')
    provider.wallet.switchNetwork('canton:testnet')
    await walletEvents()
    await flush()
    expect(store.getSnapshot().networkId).toBe('canton:testnet')
    // one write per event: the network switch tells statusChanged, then accountsChanged, each on a
    // task of its own, the first write done by then
    expect(errors.map((e) => [e.operation, e.error])).toEqual([
      ['set', quota],
      ['set', quota],
      ['set', quota],
    ])
  })

  it('a blocked IndexedDB (default encrypted storage): storage:error for every operation, the session is unaffected', async () => {
    const blocked = { type: 'blocked' }
    const indexedDB = {
      open: () => {
        const request = {} as IDBOpenDBRequest
        setTimeout(() => {
          request.onblocked?.(blocked as IDBVersionChangeEvent)
        })
        return request
      },
    } as unknown as IDBFactory
    const { store, errors } = await overStorage(createEncryptedIndexedDBStorage({ indexedDB, origin: 'https://app.example' }))
    expect((await store.restore()).status).toBe('connected')
    await store.disconnect()
    expect(store.getSnapshot().status).toBe('disconnected')
    expect(errors.map((e) => e.operation)).toEqual(['get', 'set', 'remove'])
    for (const { error } of errors) expect((error as Error).cause).toBe(blocked)
  })

  it('a throwing Web Storage (private mode, SecurityError): rejected operations, never a throw', async () => {
    const denied = new DOMException('The operation is insecure.', 'SecurityError')
    const web = {
      getItem: () => {
        throw denied
      },
      setItem: () => {
        throw denied
      },
      removeItem: () => {
        throw denied
      },
    } as unknown as Storage
    const { store, errors } = await overStorage(createWebStorage(web))
    expect((await store.connect()).status).toBe('connected')
    await store.disconnect()
    expect(errors.map((e) => [e.operation, e.error])).toEqual([
      ['set', denied],
      ['remove', denied],
    ])
  })
  it('C15: a write that never settles (a stuck IndexedDB open) holds neither disconnect() nor a later restore()', async () => {
    vi.useFakeTimers()
    const base = createMemoryStorage()
    const storage: SessionStorage = { ...base, setItem: () => new Promise<void>(() => undefined) }
    const provider = createMockProvider()
    const store = createSessionStore(provider, { storage })
    const errors: string[] = []
    store.on('storage:error', (e) => errors.push(e.operation))
    await store.connect()
    const settled: string[] = []
    void store.disconnect().then(() => settled.push('disconnect'))
    await vi.advanceTimersByTimeAsync(10_000)
    void store.restore().then((state) => settled.push(`restore: ${state.status}`))
    // the restore's read waits its turn behind the removal, each of them the timeout at most
    await vi.advanceTimersByTimeAsync(20_000)
    expect(settled).toEqual(['disconnect', 'restore: disconnected'])
    await vi.advanceTimersByTimeAsync(10_000)
    // the write has not settled: the storage is not asked to remove or read meanwhile, each of
    // those fails once it waited the timeout for it (the restore's read as a failed one, then its removal)
    expect(errors).toEqual(['set', 'remove', 'get', 'remove'])
    store.destroy()
  })
  it('C6, C15: a write that answers only after its timeout does not bring back the entry a later disconnect() removed', async () => {
    vi.useFakeTimers()
    const base = createMemoryStorage()
    // a slow remote store: the value lands when the call settles, 15 s later
    const storage: SessionStorage = {
      ...base,
      setItem: (key, value) => new Promise<unknown>((resolve) => setTimeout(() => resolve(base.setItem(key, value)), 15_000)),
    }
    const store = createSessionStore(createMockProvider(), { storage })
    await store.connect()
    await vi.advanceTimersByTimeAsync(1_000)
    const disconnected = store.disconnect()
    // the write times out at 10 s; the removal waits for it, given to the storage once it settled at 15 s
    await vi.advanceTimersByTimeAsync(15_000)
    await disconnected
    await vi.advanceTimersByTimeAsync(10_000)
    expect(await base.getItem('sessionlayer.session')).toBeNull()
    store.destroy()
  })
  it('C15: a storage slower than the timeout in every operation still ends with the latest write, and nothing is redone without end', async () => {
    vi.useFakeTimers()
    const base = createMemoryStorage()
    const calls: string[] = []
    const slow = (name: string, fn: () => Promise<unknown>) =>
      new Promise<void>((resolve) => {
        calls.push(name)
        setTimeout(() => void fn().then(() => resolve()), 15_000)
      })
    const storage: SessionStorage = {
      ...base,
      setItem: (key, value) => slow('set', () => base.setItem(key, value)),
      removeItem: (key) => slow('remove', () => base.removeItem(key)),
    }
    const store = createSessionStore(createMockProvider(), { storage })
    await store.connect()
    const disconnected = store.disconnect()
    await vi.advanceTimersByTimeAsync(120_000)
    await disconnected
    expect(calls).toEqual(['set', 'remove'])
    expect(await base.getItem('sessionlayer.session')).toBeNull()
    store.destroy()
  })
  /**
   * A storage whose calls wait for an IndexedDB open that does not answer until `release()`: each
   * call waits inside the storage with what it was given, as the encrypted IndexedDB storage's do.
   * Once released, they run in the order they came, over memory.
   */
  function stuck() {
    const base = createMemoryStorage()
    const calls: string[] = []
    let release = () => undefined as void
    const open = new Promise<void>((resolve) => (release = resolve))
    const wait = <T>(name: string, run: () => Promise<T>) => {
      calls.push(name)
      return open.then(run)
    }
    const storage: SessionStorage = {
      getItem: (k) => wait('get', () => base.getItem(k)),
      setItem: (k, v) => wait('set', () => base.setItem(k, v)),
      removeItem: (k) => wait('remove', () => base.removeItem(k)),
    }
    return { base, calls, storage, release: () => release() }
  }
  /** A store over `storage` that times its operations out after 1 s, recording its storage errors. */
  const overStuck = (storage: SessionStorage, connected?: boolean) => {
    const provider = createMockProvider({ connected })
    const store = createSessionStore(provider, { storage, requestTimeoutMs: 1_000 })
    const errors: [string, unknown][] = []
    store.on('storage:error', ({ operation, error }) => errors.push([operation, (error as { code?: unknown }).code]))
    return { provider, store, errors }
  }
  /** 51 party switches a second apart, ending on bob. */
  const switches = async (provider: ReturnType<typeof createMockProvider>) => {
    for (let i = 1; i <= 51; i++) {
      provider.wallet.switchParty(i % 2 ? 'bob::1220bb' : 'alice::1220aa')
      await vi.advanceTimersByTimeAsync(1_000)
    }
  }
  const saved = async (base: SessionStorage) => decodeSessionEnvelope(await base.getItem('sessionlayer.session'))?.account?.partyId

  it('C15, C17, K7: while a storage call has not settled, even after its timeout, the store asks the storage nothing more: 51 party switches make no call of their own, each is a storage:error once it waited the timeout for that call, the session unaffected', async () => {
    vi.useFakeTimers()
    const { base, calls, storage, release } = stuck()
    const { provider, store, errors } = overStuck(storage)
    await store.connect()
    await switches(provider)
    await vi.advanceTimersByTimeAsync(1_000)
    // the connect's write, and nothing behind it: the storage holds one call, not one per change
    expect(calls).toEqual(['set'])
    // the connect's write timed out; each switch after it is a write of its own that waits for it
    // the timeout, one at a time, then fails — but the second, which came while the first one's
    // write still waited: it folded into that write
    expect(errors).toHaveLength(51)
    expect(errors.every(([operation, code]) => operation == 'set' && code == 'TIMEOUT')).toBe(true)
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', account: { partyId: 'bob::1220bb' }, lastError: null })
    // the storage answers at last: the write that waited lands, then the latest snapshot, once
    release()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(calls).toEqual(['set', 'set'])
    expect(await saved(base)).toBe('bob::1220bb')
    // and the storage is used as before
    provider.wallet.switchParty('alice::1220aa')
    await vi.advanceTimersByTimeAsync(0)
    expect(calls).toEqual(['set', 'set', 'set'])
    expect(await saved(base)).toBe('alice::1220aa')
    store.destroy()
  })

  it('C6, C15: a disconnect() after the switches, while the storage call has not settled, ends as a removal once it settles, not as a write', async () => {
    vi.useFakeTimers()
    const { base, calls, storage, release } = stuck()
    const { provider, store, errors } = overStuck(storage)
    await store.connect()
    await switches(provider)
    // the removal is not given to the storage either; disconnect() waits for it no longer than the timeout
    let left = false
    void store.disconnect().then(() => (left = true))
    await vi.advanceTimersByTimeAsync(999)
    expect(left).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(left).toBe(true)
    expect(calls).toEqual(['set'])
    expect(errors.at(-1)).toEqual(['remove', 'TIMEOUT'])
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: null })
    release()
    await vi.advanceTimersByTimeAsync(60_000)
    // the connect's write landed, then the removal: no write of the switches brings the session back
    expect(calls).toEqual(['set', 'remove'])
    expect(await base.getItem('sessionlayer.session')).toBeNull()
    store.destroy()
  })

  it('C9, C15: a read asked while a storage call has not settled waits for it the timeout, then fails (storage:error get): the restore goes on to ask the wallet; a connect after a disconnect() ends as its write once that call settles', async () => {
    vi.useFakeTimers()
    const { base, calls, storage, release } = stuck()
    const { provider, store, errors } = overStuck(storage, true)
    // a reload: the read of the entry never answers, and times out
    const restored = store.init()
    await vi.advanceTimersByTimeAsync(1_000)
    expect((await restored).status).toBe('connected')
    // the restore's write waits for that read, the timeout at most
    expect(errors).toEqual([['get', 'TIMEOUT']])
    await vi.advanceTimersByTimeAsync(1_000)
    expect(errors).toEqual([['get', 'TIMEOUT'], ['set', 'TIMEOUT']])
    await switches(provider)
    const left = store.disconnect()
    await vi.advanceTimersByTimeAsync(1_000)
    await left
    // a restore() after the sign-out: its read waits the timeout, then is answered as a failed
    // one, and the wallet tells the rest
    errors.length = 0
    let again = ''
    void store.restore().then((state) => (again = state.status))
    await vi.advanceTimersByTimeAsync(999)
    expect(again).toBe('')
    await vi.advanceTimersByTimeAsync(10)
    expect(again).toBe('disconnected')
    expect(errors[0]).toEqual(['get', 'TIMEOUT'])
    // the user connects again: that write comes after the removal, and wins
    await store.connect()
    expect(calls).toEqual(['get'])
    release()
    await vi.advanceTimersByTimeAsync(60_000)
    // the restore's removal and the connect's write still waited as the storage answered: each is
    // given to it then, in order
    expect(calls).toEqual(['get', 'remove', 'set'])
    expect(await saved(base)).toBe('bob::1220bb')
    store.destroy()
  })

  it('C6, C9, C15: a restore() whose read gives up waiting for a storage call that has not settled, and that keeps the entry (a wallet that fails), owes no read: the removal of the sign-out before it is still made', async () => {
    vi.useFakeTimers()
    const { base, calls, storage, release } = stuck()
    const { provider, store } = overStuck(storage)
    await store.connect()
    await vi.advanceTimersByTimeAsync(1_000)
    const left = store.disconnect()
    await vi.advanceTimersByTimeAsync(1_000)
    await left
    // the wallet cannot answer the restore's probe: that failure may pass, the restore keeps the entry (C9)
    provider.wallet.failNext('status', { code: -32603, message: 'Internal error' })
    const restoring = store.restore()
    await vi.advanceTimersByTimeAsync(1_000)
    expect((await restoring).lastError).not.toBeNull()
    release()
    await vi.advanceTimersByTimeAsync(60_000)
    // the connect's write, then the sign-out's removal: the skipped read is not made in its place
    expect(calls).toEqual(['set', 'remove'])
    expect(await base.getItem('sessionlayer.session')).toBeNull()
    store.destroy()
  })

  it('C6, C15: a removal that gave up waiting for a storage call is not made once a newer write was given to the storage: the session connected since stays stored, and the storage is used as before', async () => {
    vi.useFakeTimers()
    const { base, calls, storage, release } = stuck()
    const { provider, store, errors } = overStuck(storage)
    await store.connect()
    await vi.advanceTimersByTimeAsync(1_000)
    // the sign-out's removal waits for the connect's write the timeout, then fails: it is owed
    const left = store.disconnect()
    await vi.advanceTimersByTimeAsync(1_000)
    await left
    expect(errors).toEqual([['set', 'TIMEOUT'], ['remove', 'TIMEOUT']])
    // the user connects again; the storage answers while that write waits: it is given to the storage
    await store.connect()
    release()
    await vi.advanceTimersByTimeAsync(0)
    expect(calls).toEqual(['set', 'set'])
    provider.wallet.switchParty('bob::1220bb')
    await vi.advanceTimersByTimeAsync(0)
    expect(calls).toEqual(['set', 'set', 'set'])
    expect(await saved(base)).toBe('bob::1220bb')
    expect(errors).toHaveLength(2)
    store.destroy()
  })

  it('C6, C14: a sign-out whose removal waits for a storage call that has not settled, with destroy() right after it, still removes the entry once that call settles, as one queued at destroy() does; nothing else is asked', async () => {
    vi.useFakeTimers()
    const { base, calls, storage, release } = stuck()
    const { provider, store } = overStuck(storage)
    await store.connect()
    await vi.advanceTimersByTimeAsync(1_000)
    void store.disconnect()
    await vi.advanceTimersByTimeAsync(0)
    store.destroy() // the tab closes
    provider.wallet.switchParty('bob::1220bb')
    release()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(calls).toEqual(['set', 'remove'])
    expect(await base.getItem('sessionlayer.session')).toBeNull()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('C11, C15: a storage whose first call answers 1.2 s late (timeout 1 s), then at once: a party switch while it waits is written once it settled, with no storage:error, and broadcast after its write lands', async () => {
    vi.useFakeTimers()
    const base = createMemoryStorage()
    const log: string[] = []
    let chain: Promise<unknown> = Promise.resolve()
    let first = true
    const slow = <T>(run: () => Promise<T>) => (chain = chain.then(() => new Promise((r) => setTimeout(r, first ? ((first = false), 1_200) : 0))).then(run)) as Promise<T>
    const storage: SessionStorage = {
      getItem: (k) => slow(() => base.getItem(k)),
      setItem: (k, v) =>
        slow(async () => {
          await base.setItem(k, v)
          log.push(`landed ${String(decodeSessionEnvelope(v)?.account?.partyId)}`)
        }),
      removeItem: (k) => slow(() => base.removeItem(k)),
    }
    const hub = createChannelHub()
    const provider = createMockProvider()
    const store = createSessionStore(provider, { storage, requestTimeoutMs: 1_000, broadcast: { channelFactory: hub.channelFactory, lockManager: null } })
    store.on('storage:error', (e) => log.push('error ' + e.operation))
    await store.connect()
    const before = hub.sent.length
    await vi.advanceTimersByTimeAsync(500)
    provider.wallet.switchParty('bob::1220bb')
    for (let t = 0; t < 300; t++) {
      await vi.advanceTimersByTimeAsync(10)
      if (hub.sent.length > before && !log.includes('post')) log.push('post')
    }
    // the connect's write timed out (and landed late); the switch's write waited for it, then landed, then was told
    expect(log).toEqual(['error set', 'landed alice::1220aa', 'landed bob::1220bb', 'post'])
    store.destroy()
  })
})

describe('wallet faults', () => {
  const options: SessionStoreOptions = { requestTimeoutMs: 1_000, connectTimeoutMs: 5_000 }

  for (const [name, request] of [
    [
      'throws synchronously on every call',
      () => {
        throw new Error('extension crashed')
      },
    ],
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- wallets reject with bare objects
    ['rejects every call with a bare { code, message }', () => Promise.reject({ code: 4100, message: 'Unauthorized' })],
  ] as const) {
    it(`a wallet that ${name}: every action settles with lastError, nothing throws at the app`, async () => {
      const { mock, provider } = failingProvider(request)
      const store = createSessionStore(provider, options)
      const restored = await store.restore()
      expect(restored.status).toBe('disconnected')
      expect(restored.lastError?.cause).toBeDefined()
      const connected = await store.connect()
      expect([connected.status, connected.account, connected.lastError?.code]).toEqual(['disconnected', null, name.startsWith('throws') ? 'UNKNOWN' : 4100])
      await expect(store.disconnect()).resolves.toBeUndefined()
      expect(store.getSnapshot().lastError).not.toBeNull()
      store.destroy()
      expect(mock.listenerCount()).toBe(0)
    })
  }

  it('a wallet that never answers: restore, connect and disconnect each settle at their timeout', async () => {
    vi.useFakeTimers()
    const { mock, provider } = failingProvider(() => new Promise(() => undefined))
    const store = createSessionStore(provider, options)
    const restored = store.restore()
    await vi.advanceTimersByTimeAsync(1_000)
    expect((await restored).lastError?.code).toBe('TIMEOUT')
    const connected = store.connect()
    await vi.advanceTimersByTimeAsync(4_999)
    expect(store.getSnapshot().status).toBe('connecting')
    await vi.advanceTimersByTimeAsync(1)
    expect((await connected).lastError?.code).toBe('TIMEOUT')
    const disconnected = store.disconnect()
    await vi.advanceTimersByTimeAsync(1_000)
    await expect(disconnected).resolves.toBeUndefined()
    expect(store.getSnapshot().lastError?.code).toBe('TIMEOUT')
    store.destroy()
    expect(vi.getTimerCount()).toBe(0)
    expect(mock.listenerCount()).toBe(0)
  })

  it('C17: a request that never settles is let go at its timeout: 200 of them in a tab that stays open keep none of their errors alive', async () => {
    // what the store still holds of each timed-out request is told by the garbage collector
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    vi.useFakeTimers()
    const { provider } = failingProvider(() => new Promise(() => undefined))
    const store = createSessionStore(provider, options)
    let alive = 0
    const collected = new FinalizationRegistry(() => alive--)
    for (let i = 0; i < 200; i++) {
      const restored = store.restore()
      await vi.advanceTimersByTimeAsync(1_000)
      const { lastError } = await restored
      expect(lastError?.code).toBe('TIMEOUT')
      collected.register(lastError as object, i)
      alive++
    }
    vi.useRealTimers()
    for (let i = 0; i < 5; i++) {
      gc()
      await new Promise((resolve) => setTimeout(resolve, 0))
    }
    // the latest one is the store's lastError
    expect(alive).toBeLessThanOrEqual(1)
    store.destroy()
  })

  it('a wallet that answers every silent call after the timeout: the late answers change nothing', async () => {
    vi.useFakeTimers()
    const mock = createMockProvider({ connected: true })
    for (const method of ['status', 'listAccounts', 'getActiveNetwork']) mock.wallet.answerLate(method, 3_000)
    const store = createSessionStore(mock, { ...options, reconnect: false })
    const restored = store.restore()
    await vi.advanceTimersByTimeAsync(1_000)
    expect((await restored).lastError?.code).toBe('TIMEOUT')
    const settled = store.getSnapshot()
    const seen = vi.fn()
    store.subscribe(seen)
    await vi.advanceTimersByTimeAsync(5_000)
    expect(store.getSnapshot()).toBe(settled)
    expect(seen).not.toHaveBeenCalled()
    store.destroy()
  })
})

describe('a failing injected clock', () => {
  it('C16, C18: a clock that throws as a wallet event comes never throws into the wallet\'s emit: the throw is an `error` event, and the next event is taken as usual', async () => {
    const broken = new Error('clock broken')
    let failing = false
    const clock = {
      now: () => {
        if (failing) throw broken
        return Date.now()
      },
      setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
      clearTimeout: (id: unknown) => clearTimeout(id as ReturnType<typeof setTimeout>),
    }
    const provider = createMockProvider()
    const store = createSessionStore(provider, { storage: createMemoryStorage(), clock })
    const errors: unknown[] = []
    store.on('error', (e) => errors.push(e.error))
    await store.connect()
    await walletEvents() // the connection's events, before the clock breaks
    failing = true
    provider.wallet.switchParty('bob::1220bb')
    await walletEvents()
    failing = false
    expect(provider.listenerErrors).toEqual([])
    expect(errors).toEqual([broken])
    // the store still follows the wallet
    provider.wallet.switchNetwork('canton:testnet')
    await walletEvents()
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', networkId: 'canton:testnet', lastError: null })
    expect(provider.listenerErrors).toEqual([])
    store.destroy()
  })
})

describe('access tokens in wallet answers and errors (C4, C15)', () => {
  // Where a wallet puts its access token (CIP-0103: `session.accessToken`, `network.accessToken`),
  // in answers the store cannot use: none of it may reach an error an app logs.
  const token = { session: { accessToken: 'secret-session', userId: 'u' }, network: { networkId: 'canton:devnet', accessToken: 'secret-network' } }
  const unreadable: Record<string, unknown> = {
    status: { connection: { isConnected: 'yes' }, ...token },
    connect: { isConnected: 'yes', ...token },
    listAccounts: { accounts: [{ partyId: 'alice::1220aa' }], ...token },
  }
  const secretFree = (value: unknown) => expect(inspect(value, { depth: Infinity, showHidden: true })).not.toContain('secret')

  for (const method of Object.keys(unreadable)) {
    it(`C4, C15, C18: an invalid ${method} answer that carries an access token fails the action with a coded error that holds no token`, async () => {
      const mock = createMockProvider({ connected: true })
      const provider: CIP0103Provider = {
        request: (args) => (args.method === method ? Promise.resolve(unreadable[method]) : mock.request(args)),
        on: (e, l) => mock.on(e, l),
        removeListener: (e, l) => mock.removeListener(e, l),
      }
      const store = createSessionStore(provider, { storage: createMemoryStorage(), reconnect: { baseDelayMs: 1, maxAttempts: 1 } })
      const gaveUp: unknown[] = []
      store.on('reconnect:gaveup', (e) => gaveUp.push(e))
      const errors = [(await store.restore()).lastError]
      await store.disconnect()
      errors.push((await store.connect()).lastError)
      expect(errors.filter((e) => e?.message === `Invalid ${method} result`).map((e) => e?.code)).toContain('UNKNOWN')
      secretFree([errors, gaveUp, store.getSnapshot()])
      store.destroy()
    })
  }

  it('C4: an invalid listAccounts answer without an access token stays the cause of its error, for the app to see what the wallet said', async () => {
    const mock = createMockProvider({ connected: true })
    const answer = { accounts: 'alice::1220aa' }
    const provider: CIP0103Provider = {
      request: (args) => (args.method === 'listAccounts' ? Promise.resolve(answer) : mock.request(args)),
      on: (e, l) => mock.on(e, l),
      removeListener: (e, l) => mock.removeListener(e, l),
    }
    const store = createSessionStore(provider, { storage: createMemoryStorage() })
    const { lastError } = await store.restore()
    expect(lastError).toMatchObject({ code: 'UNKNOWN', message: 'Invalid listAccounts result' })
    expect(lastError?.cause).toBe(answer)
    store.destroy()
  })

  it('C18: a listAccounts answer of nested lists is invalid, as before an accountsChanged could come as one argument per account: no party is read from it', async () => {
    for (const answer of [[[{ partyId: 'mallory::1220ff', primary: true }]], [[]]]) {
      const mock = createMockProvider({ connected: true })
      const provider: CIP0103Provider = {
        request: (args) => (args.method === 'listAccounts' ? Promise.resolve(answer) : mock.request(args)),
        on: (e, l) => mock.on(e, l),
        removeListener: (e, l) => mock.removeListener(e, l),
      }
      const store = createSessionStore(provider, { storage: createMemoryStorage() })
      const state = await store.restore()
      expect(state).toMatchObject({ status: 'disconnected', account: null, lastError: { code: 'UNKNOWN', message: 'Invalid listAccounts result' } })
      store.destroy()
    }
  })

  it('C4, C15: a wallet that rejects status with an error whose data carries the session: lastError keeps its code and message, without the token', async () => {
    const mock = createMockProvider({ connected: true })
    const provider: CIP0103Provider = {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- wallets reject with bare objects
      request: (args) => (args.method === 'status' ? Promise.reject({ code: 4100, message: 'Unauthorized', data: { connection: { isConnected: true }, ...token } }) : mock.request(args)),
      on: (e, l) => mock.on(e, l),
      removeListener: (e, l) => mock.removeListener(e, l),
    }
    const store = createSessionStore(provider, { storage: createMemoryStorage() })
    const { lastError } = await store.restore()
    expect(lastError).toMatchObject({ name: 'SessionError', code: 4100, message: 'Unauthorized' })
    secretFree(store.getSnapshot())
    store.destroy()
  })
})

describe('denied storage and large wallets', () => {
  afterEach(() => {
    delete (globalThis as { indexedDB?: unknown }).indexedDB
    vi.useRealTimers()
  })

  it('K7: a getter-throwing indexedDB global (storage denied where reading it throws) never makes createSessionStore throw', async () => {
    Object.defineProperty(globalThis, 'indexedDB', {
      configurable: true,
      get() {
        throw new DOMException('The operation is insecure.', 'SecurityError')
      },
    })
    const provider = createMockProvider({ connected: true })
    const store = createSessionStore(provider) // the default storage falls back to memory
    await expect(store.restore()).resolves.toMatchObject({ status: 'connected' })
    store.destroy()
  })

  it('§2.1: on a page without WebCrypto (http://, an insecure context) the default storage is memory: IndexedDB is never opened, no storage error', async () => {
    const open = vi.fn(() => {
      throw Error('IndexedDB opened')
    })
    ;(globalThis as { indexedDB?: unknown }).indexedDB = { open }
    vi.stubGlobal('crypto', { getRandomValues: <T>(array: T) => array })
    try {
      const store = createSessionStore(createMockProvider())
      const errors: unknown[] = []
      store.on('storage:error', (e) => errors.push(e))
      await expect(store.connect()).resolves.toMatchObject({ status: 'connected' })
      await store.disconnect()
      expect(open).not.toHaveBeenCalled()
      expect(errors).toEqual([])
      store.destroy()
    } finally {
      vi.unstubAllGlobals()
    }
  })

  it.each([
    ['IndexedDB disabled', new DOMException('A mutation operation was attempted on a database that did not allow mutations.', 'InvalidStateError')],
    // Chromium's refusal, on an origin that is no opaque one: `indexedDB` reads fine (a frame
    // sandboxed without allow-same-origin, whose origin is 'null', gets memory: persistence.test.ts)
    ['a SecurityError from Chromium', new DOMException("Failed to execute 'open' on 'IDBFactory': access to the Indexed Database API is denied in this context.", 'SecurityError')],
  ])('K7, C15: where indexedDB.open throws (%s), the session works and each failed operation is a storage:error', async (_, denied) => {
    ;(globalThis as { indexedDB?: unknown }).indexedDB = {
      open() {
        throw denied
      },
    }
    const store = createSessionStore(createMockProvider())
    const operations: string[] = []
    store.on('storage:error', (e) => operations.push(e.operation))
    await expect(store.restore()).resolves.toMatchObject({ status: 'disconnected' })
    await expect(store.connect()).resolves.toMatchObject({ status: 'connected', account: { partyId: 'alice::1220aa' } })
    await vi.waitFor(() => expect(operations).toContain('set'))
    await store.disconnect()
    expect(store.getSnapshot().status).toBe('disconnected')
    await vi.waitFor(() => expect(operations.filter((o) => o == 'remove').length).toBeGreaterThan(0))
    expect(operations[0]).toBe('get')
    store.destroy()
  })

  it('K7, C15, C14: an IndexedDB open that never answers (default storage): connect() resolves connected, storage:error is emitted, a later write lands once IndexedDB answers again', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const real = new IDBFactory()
    let hangs = 1
    // the first open never fires a thing (Safari 14.1 on a first load); the ones after it answer
    ;(globalThis as { indexedDB?: unknown }).indexedDB = { open: (name: string) => (hangs-- > 0 ? {} : real.open(name)) }
    const provider = createMockProvider()
    const store = createSessionStore(provider)
    const errors: { operation: string; error: unknown }[] = []
    store.on('storage:error', (e) => errors.push(e))
    await expect(store.connect()).resolves.toMatchObject({ status: 'connected' })
    await vi.advanceTimersByTimeAsync(10_000)
    expect(errors.map((e) => e.operation)).toEqual(['set'])
    provider.wallet.switchNetwork('canton:testnet')
    const saved = () => restoreSession(createEncryptedIndexedDBStorage({ indexedDB: real }), 'sessionlayer.session')
    await vi.waitFor(async () => expect(await saved()).toMatchObject({ networkId: 'canton:testnet' }))
    expect(errors).toHaveLength(1)
    store.destroy()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('C14, K7: a store destroyed while the IndexedDB open hangs leaves nothing waiting on it: the next store of the page writes once IndexedDB answers', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const real = new IDBFactory()
    let hangs = 1
    ;(globalThis as { indexedDB?: unknown }).indexedDB = { open: (name: string) => (hangs-- > 0 ? {} : real.open(name)) }
    // a remount: the first store's write waits on the hung open as it is destroyed
    const first = createSessionStore(createMockProvider())
    await first.connect()
    first.destroy()
    const provider = createMockProvider()
    const second = createSessionStore(provider)
    const errors: string[] = []
    second.on('storage:error', (e) => errors.push(e.operation))
    await expect(second.connect()).resolves.toMatchObject({ status: 'connected' })
    await vi.advanceTimersByTimeAsync(10_000)
    expect(errors).toEqual(['set'])
    provider.wallet.switchNetwork('canton:testnet')
    const saved = () => restoreSession(createEncryptedIndexedDBStorage({ indexedDB: real }), 'sessionlayer.session')
    await vi.waitFor(async () => expect(await saved()).toMatchObject({ networkId: 'canton:testnet' }))
    second.destroy()
    expect(errors).toEqual(['set'])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('C12/K1: with a wallet of 200 parties, a reload keeps expiresAt (the persisted envelope reads back)', async () => {
    vi.useFakeTimers({ now: 1_000_000 })
    const accounts = Array.from({ length: 200 }, (_, i) => ({
      partyId: `party-${i}::1220${'ab'.repeat(32)}`,
      hint: `party-${i}`,
      status: 'allocated',
      publicKey: 'A'.repeat(44),
      namespace: `1220${'cd'.repeat(32)}`,
      networkId: 'canton:devnet',
      signingProviderId: 'participant',
      primary: i === 0,
    }))
    const provider = createMockProvider({ accounts })
    const storage = createMemoryStorage()
    const store = createSessionStore(provider, { storage, expiry: { ttlMs: 60_000 } })
    await store.connect()
    expect(store.getSnapshot().expiresAt).toBe(1_060_000)
    await vi.advanceTimersByTimeAsync(40_000)
    store.destroy()
    const reloaded = createSessionStore(createMockProvider({ wallet: provider.wallet }), { storage, expiry: { ttlMs: 60_000 } })
    expect((await reloaded.restore()).expiresAt).toBe(1_060_000) // the TTL does not restart at a reload
    reloaded.destroy()
  })
})
