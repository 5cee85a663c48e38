/**
 * The public types as a TypeScript user meets them. `pnpm typecheck` compiles this file: a
 * `@ts-expect-error` that finds no error, or a line that does not compile, fails it. The runtime
 * part shows that what the types accept works.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import { EventEmitter } from 'node:events'
import type { SessionStorage } from '@sessionlayer/session-crypto'
import { del, get, set } from 'idb-keyval'
import type localforage from 'localforage'
import { createMockProvider } from '@sessionlayer/session-testing'
import { describe, expect, expectTypeOf, it } from 'vitest'
import type { CIP0103Account, CIP0103Provider } from './cip0103'
import { createMemoryStorage } from './createMemoryStorage'
import { createWebStorage } from './createWebStorage'
import { createSessionStore } from './createSessionStore'
import { createLedgerFetch, getLedgerAuth } from './ledger'
import { DISCONNECTED_STATE, RECONNECTING_STATE } from './machine'
import { SessionError, toSessionError, type SessionErrorCode } from './SessionError'
import type { ChangeEvent, SessionEventMap, SessionState, SessionStatus, SessionStore } from './types'

const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0))
}

/** A wallet's provider built on Node's `EventEmitter`: listeners typed `(...args: any[]) => void`. */
class EmitterProvider extends EventEmitter {
  constructor(private readonly backend: CIP0103Provider) {
    super()
    for (const event of ['statusChanged', 'accountsChanged', 'connected', 'txChanged']) {
      backend.on(event, (payload: unknown) => this.emit(event, payload))
    }
  }
  request(args: { method: string; params?: readonly unknown[] | object }): Promise<unknown> {
    return this.backend.request(args)
  }
}

describe('the provider parameter', () => {
  it('C3: a provider whose listeners take any arguments (EventEmitter, typed overloads) is accepted without a cast, and works', async () => {
    const backend = createMockProvider()
    const store = createSessionStore(new EmitterProvider(backend), { storage: createMemoryStorage() })
    expect((await store.connect()).account?.partyId).toBe('alice::1220aa')
    backend.wallet.switchParty('bob::1220bb')
    await flush()
    expect(store.getSnapshot().account?.partyId).toBe('bob::1220bb')
    store.destroy()

    // the listener shapes wallets declare: `unknown[]`, a payload per event, the official generic one
    type Request = (args: { method: string; params?: unknown }) => Promise<unknown>
    expectTypeOf<{ request: Request; on(e: string, l: (...args: unknown[]) => void): void; removeListener(e: string, l: (...args: unknown[]) => void): void }>().toExtend<CIP0103Provider>()
    expectTypeOf<{ request: Request; on: (e: string, l: (...args: any[]) => void) => unknown; removeListener: (e: string, l: (...args: any[]) => void) => unknown }>().toExtend<CIP0103Provider>()
    expectTypeOf<{
      request: Request
      on(e: 'statusChanged', l: (status: { connection: { isConnected: boolean } }) => void): void
      on(e: 'accountsChanged', l: (accounts: { partyId: string }[]) => void): void
      removeListener(e: string, l: (...args: never[]) => void): void
    }>().toExtend<CIP0103Provider>()
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the official provider's shape
    expectTypeOf<{ request: Request; on<E>(e: string, l: (...args: E[]) => void): unknown; removeListener<E>(e: string, l: (...args: E[]) => void): unknown }>().toExtend<CIP0103Provider>()
    // what is no provider is still refused
    expectTypeOf<{ request: Request }>().not.toExtend<CIP0103Provider>()
    expectTypeOf<{ request: Request; on: string; removeListener(e: string, l: () => void): void }>().not.toExtend<CIP0103Provider>()
    // and a listener handed to the provider may still declare the payload it expects
    backend.on('statusChanged', (status: { connection: { isConnected: boolean } }) => status)
    const provider: CIP0103Provider = backend
    provider.on('accountsChanged', (accounts: readonly { partyId: string }[]) => accounts)
  })
})

describe('SessionError', () => {
  it('C4: code narrows to a store code or a wallet number, cause is unknown, instanceof holds for what toSessionError returns', () => {
    const error = toSessionError({ code: 4001, message: 'User rejected' })
    expect(error).toBeInstanceOf(SessionError)
    expect(error).toBeInstanceOf(Error)
    expect(error).toMatchObject({ name: 'SessionError', code: 4001, message: 'User rejected', shortMessage: 'User rejected' })
    const timeout = new SessionError('Request timed out', 'TIMEOUT', error)
    expect(timeout.cause).toBe(error)
    expect(new SessionError('No cause', 'UNKNOWN').cause).toBeUndefined()
    expectTypeOf(timeout.cause).toBeUnknown()
    expectTypeOf(timeout.code).toEqualTypeOf<SessionErrorCode>()
    expectTypeOf<SessionErrorCode>().toEqualTypeOf<number | 'DESTROYED' | 'TIMEOUT' | 'SESSION_EXPIRED' | 'REAUTH_FAILED' | 'QUEUE_FULL' | 'INVALID_PROVIDER' | 'UNKNOWN'>()
    const code = timeout.code
    if (typeof code === 'string') expectTypeOf(code).toEqualTypeOf<'DESTROYED' | 'TIMEOUT' | 'SESSION_EXPIRED' | 'REAUTH_FAILED' | 'QUEUE_FULL' | 'INVALID_PROVIDER' | 'UNKNOWN'>()
    else expectTypeOf(code).toEqualTypeOf<number>()
    // @ts-expect-error -- no such code: a typo is caught
    expect(timeout.code === 'TIME_OUT').toBe(false)
    // @ts-expect-error -- no such code
    expect(new SessionError('m', 'NOT_A_CODE').code).toBe('NOT_A_CODE')
    // @ts-expect-error -- the code is read-only
    timeout.code = 4001
  })
})

describe('options', () => {
  it('C15: a storage whose setItem and removeItem resolve with a value (localforage, idb-keyval, a Map, a per-request AsyncLocalStorage) is accepted, and what they resolve with is ignored', async () => {
    // localforage's `setItem<T>` resolves with the value it stored
    expectTypeOf<typeof localforage>().toExtend<SessionStorage>()
    expectTypeOf<ReturnType<typeof localforage.createInstance>>().toExtend<SessionStorage>()
    const idbKeyval: SessionStorage = { getItem: async (k) => (await get<string>(k)) ?? null, setItem: (k, v) => set(k, v), removeItem: (k) => del(k) }
    // a synchronous Map-backed object goes through createWebStorage, whatever its methods return
    const map = new Map<string, string>()
    const sync: SessionStorage = createWebStorage({ getItem: (k) => map.get(k) ?? null, setItem: (k, v) => map.set(k, v), removeItem: (k) => map.delete(k) })
    // on a server, one entry per request: Map#set resolves with the Map, Map#delete with a boolean
    const request = new AsyncLocalStorage<Map<string, string>>()
    const perRequest: SessionStorage = {
      getItem: async (k) => request.getStore()?.get(k) ?? null,
      setItem: async (k, v) => request.getStore()?.set(k, v),
      removeItem: async (k) => request.getStore()?.delete(k),
    }
    // what is no storage is still refused
    expectTypeOf<{ getItem: (k: string) => Promise<string | null>; setItem: (k: string, v: number) => Promise<void>; removeItem: (k: string) => Promise<void> }>().not.toExtend<SessionStorage>()
    expectTypeOf<{ getItem: (k: string) => Promise<number>; setItem: (k: string, v: string) => Promise<void>; removeItem: (k: string) => Promise<void> }>().not.toExtend<SessionStorage>()
    expect(idbKeyval).toBeTypeOf('object')

    for (const [storage, entries] of [[perRequest, new Map<string, string>()], [sync, map]] as const) {
      await request.run(entries, async () => {
        const provider = createMockProvider()
        const store = createSessionStore(provider, { storage, storageKey: 'k' })
        const failures: unknown[] = []
        store.on('storage:error', (e) => failures.push(e.error))
        await store.connect()
        await flush()
        expect(JSON.parse(entries.get('k') ?? 'null')).toMatchObject({ account: { partyId: 'alice::1220aa' } })
        await store.disconnect()
        await flush()
        expect(entries.has('k')).toBe(false)
        expect(failures).toEqual([])
        store.destroy()
      })
    }
  })

  it('C11: onInvalidate may return what a cache returns (a Promise.all of invalidations), whose rejection is still an error event', async () => {
    const provider = createMockProvider()
    const dropped: string[] = []
    const cache = {
      invalidate: async (key: string) => {
        dropped.push(key)
        if (key === 'balances') throw new Error('refetch failed')
        return key.length
      },
    }
    const store = createSessionStore(provider, {
      storage: createMemoryStorage(),
      // resolves to number[], as Promise.all over a query client's calls resolves to an array
      onInvalidate: (e) => Promise.all([cache.invalidate(`${e.type}:${e.current}`), cache.invalidate('balances')]),
    })
    const errors: unknown[] = []
    store.on('error', (e) => errors.push(e.error))
    await store.connect()
    provider.wallet.switchParty('bob::1220bb')
    await flush()
    expect(dropped).toEqual(['party:changed:bob::1220bb', 'balances'])
    expect(errors).toMatchObject([{ message: 'refetch failed' }])
    store.destroy()
  })
})

describe('onInvalidate', () => {
  it('C11: onInvalidate may return a plain value (a Map delete\'s boolean, the party id) or a promise of anything; only a promise is awaited', async () => {
    const provider = createMockProvider()
    const cache = new Map<string | null, number>([['alice::1220aa', 1]])
    const seen: unknown[] = []
    const stores = [
      createSessionStore(provider, { storage: createMemoryStorage(), onInvalidate: (e) => cache.delete(e.previous) }),
      createSessionStore(provider, { storage: createMemoryStorage(), onInvalidate: (e) => e.current }),
      createSessionStore(provider, { storage: createMemoryStorage(), onInvalidate: async (e) => seen.push(e.current) }),
    ]
    for (const store of stores) {
      store.on('error', (e) => seen.push(e.error))
      await store.connect()
    }
    provider.wallet.switchParty('bob::1220bb')
    await flush()
    expect(cache.has('alice::1220aa')).toBe(false)
    expect(seen).toEqual(['bob::1220bb'])
    for (const store of stores) store.destroy()
  })
})

describe('the store', () => {
  it('C9: every function of the store works detached (destructured, or passed on as a callback), as its type tells linters', async () => {
    const provider = createMockProvider({ connected: true })
    const store = createSessionStore(provider, { storage: createMemoryStorage() })
    const { init, restore, connect, disconnect, getSnapshot, subscribe, getProvider, on, enqueue, touch, cancelReconnect, destroy } = store
    const seen: string[] = []
    const off = subscribe((state) => seen.push(state.status))
    on('party:changed', (e) => seen.push(`party:${e.current}`))
    expect((await init()).status).toBe('connected')
    expect((await restore()).status).toBe('connected')
    expect(getSnapshot()).toBe(store.getSnapshot())
    expect(getProvider()).toBe(provider)
    expect(await enqueue(() => 7)).toBe(7)
    touch()
    cancelReconnect()
    provider.wallet.switchParty('bob::1220bb')
    await flush()
    await disconnect()
    expect((await connect()).status).toBe('connected')
    off()
    destroy()
    expect(seen).toEqual(['reconnecting', 'connected', 'connected', 'party:bob::1220bb', 'disconnected', 'connecting', 'connected'])
  })
})

describe('state, events and options', () => {
  it('C1, C2: the state is read-only in its type as it is frozen at run time; status is the union of four', () => {
    const store = createSessionStore(createMockProvider(), { storage: createMemoryStorage() })
    const state = store.getSnapshot()
    expect(Object.isFrozen(state) && Object.isFrozen(state.accounts)).toBe(true)
    expectTypeOf(DISCONNECTED_STATE).toEqualTypeOf<SessionState>()
    expectTypeOf(RECONNECTING_STATE).toEqualTypeOf<SessionState>()
    expectTypeOf<SessionStatus>().toEqualTypeOf<'disconnected' | 'connecting' | 'connected' | 'reconnecting'>()
    expectTypeOf(state.accounts).toEqualTypeOf<readonly CIP0103Account[]>()
    const mutate = (s: SessionState) => {
      // @ts-expect-error -- read-only
      s.status = 'connected'
      // @ts-expect-error -- read-only
      s.accounts.push({ partyId: 'x' })
      // @ts-expect-error -- read-only
      if (s.account) s.account.partyId = 'x'
    }
    expect(() => {
      mutate(state)
    }).toThrow(TypeError)
    store.destroy()
  })

  it('§2.2: on() types each handler by its event, refuses an unknown event, and returns the unsubscribe function', () => {
    const store = createSessionStore(createMockProvider(), { storage: createMemoryStorage() })
    const off = store.on('party:changed', (e) => {
      expectTypeOf(e).toEqualTypeOf<ChangeEvent>()
      expectTypeOf(e.source).toEqualTypeOf<'local' | 'remote' | 'restore'>()
    })
    expectTypeOf(off).toEqualTypeOf<() => void>()
    store.on('connect:pending', (e) => expectTypeOf(e.userUrl).toEqualTypeOf<string | undefined>())
    store.on('reconnect:scheduled', (e) => expectTypeOf(e).toEqualTypeOf<{ readonly attempt: number; readonly delayMs: number }>())
    store.on('reconnect:attempt', (e) => expectTypeOf(e).toEqualTypeOf<{ readonly attempt: number }>())
    store.on('reconnect:succeeded', (e) => expectTypeOf(e).toEqualTypeOf<{ readonly attempt: number }>())
    store.on('reconnect:gaveup', (e) => expectTypeOf(e).toEqualTypeOf<{ readonly attempts: number; readonly lastError: SessionError }>())
    store.on('session:expired', (e) => expectTypeOf(e).toEqualTypeOf<{ readonly expiredAt: number; readonly reason: 'ttl' | 'idle' }>())
    store.on('network:changed', (e) => expectTypeOf(e).toEqualTypeOf<ChangeEvent>())
    store.on('storage:error', (e) => expectTypeOf(e).toEqualTypeOf<{ readonly operation: 'get' | 'set' | 'remove'; readonly error: unknown }>())
    store.on('error', (e) => expectTypeOf(e).toEqualTypeOf<{ readonly error: unknown }>())
    // @ts-expect-error -- no such event
    store.on('party:change', () => undefined)
    expectTypeOf<SessionEventMap['invalidate']['type']>().toEqualTypeOf<'party:changed' | 'network:changed' | 'disconnected' | 'expired'>()
    off()
    store.destroy()
  })

  it('§2.1: options of the wrong type do not compile; enqueue infers what its op resolves to', async () => {
    const provider = createMockProvider()
    const storage = createMemoryStorage()
    const ok = [
      createSessionStore(provider, { storage, reconnect: true }),
      createSessionStore(provider, { storage, reconnect: false, broadcast: false }),
      createSessionStore(provider, { storage, reconnect: { maxAttempts: 3, jitter: true }, expiry: { ttlMs: 60_000, idleTimeoutMs: 1_000, pendingQueueSize: 4, onReauthRequired: () => undefined } }),
      createSessionStore(provider, { storage, clock: { now: Date.now, setTimeout, clearTimeout }, requestTimeoutMs: 1_000, connectTimeoutMs: 2_000 }),
      // @ts-expect-error -- not a policy field
      createSessionStore(provider, { storage, reconnect: { maxAttempt: 3 } }),
      // @ts-expect-error -- not an expiry field
      createSessionStore(provider, { storage, expiry: { ttl: 60_000 } }),
      // @ts-expect-error -- no such option
      createSessionStore(provider, { storage, storagekey: 'k' }),
    ]
    expect(ok).toHaveLength(7)
    // @ts-expect-error -- expiry is an object (and throws -32602 at run time)
    expect(() => createSessionStore(provider, { storage, expiry: 60_000 })).toThrow(expect.objectContaining({ code: -32602 }))
    // @ts-expect-error -- not a boolean nor a policy (and throws -32602 at run time)
    expect(() => createSessionStore(provider, { storage, reconnect: 'always' })).toThrow(expect.objectContaining({ code: -32602 }))
    // @ts-expect-error -- not a boolean nor broadcast options (and throws -32602 at run time)
    expect(() => createSessionStore(provider, { storage, broadcast: 'tabs' })).toThrow(expect.objectContaining({ code: -32602 }))
    const store: SessionStore = ok[0]!
    expectTypeOf(store.enqueue(async () => 1)).toEqualTypeOf<Promise<number>>()
    expectTypeOf(store.enqueue(() => 'a')).toEqualTypeOf<Promise<string>>()
    expectTypeOf(store.enqueue(async () => undefined)).toEqualTypeOf<Promise<undefined>>()
    expect(await store.enqueue(async () => 1)).toBe(1)
    for (const s of ok) s.destroy()
  })
})

describe('Ledger API helpers', () => {
  it('L1: getLedgerAuth and createLedgerFetch take a store the app may not have made yet (undefined or null) without a cast: null, and a fetch that rejects with 4900', async () => {
    expectTypeOf(getLedgerAuth).parameter(0).toEqualTypeOf<SessionStore | null | undefined>()
    expectTypeOf(createLedgerFetch).parameter(0).toEqualTypeOf<SessionStore | null | undefined>()
    const fetch = () => Promise.resolve(new Response('{}'))
    const maybe: (SessionStore | null | undefined)[] = [undefined, null]
    for (const store of maybe) {
      expect(getLedgerAuth(store)).toBeNull()
      await expect(createLedgerFetch(store, { fetch })('/v2/version')).rejects.toMatchObject({ name: 'SessionError', code: 4900 })
    }
  })
})
