/**
 * The public types as a TypeScript user meets them. `pnpm typecheck` compiles this file: a
 * `@ts-expect-error` that finds no error, or a line that does not compile, fails it. The runtime
 * part shows that what the types accept works.
 */
import { EventEmitter } from 'node:events'
import { createMockProvider } from '@sessionlayer/session-testing'
import { describe, expect, expectTypeOf, it } from 'vitest'
import type { CIP0103Provider } from './cip0103'
import { createMemoryStorage } from './createMemoryStorage'
import { createSessionStore } from './createSessionStore'
import { SessionError, toSessionError, type SessionErrorCode } from './SessionError'

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
