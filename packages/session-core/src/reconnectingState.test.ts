import { createMockProvider } from '@sessionlayer/session-testing'
import { describe, expect, it } from 'vitest'
import { createMemoryStorage } from './createMemoryStorage'
import { createSessionStore } from './createSessionStore'
import * as core from './index'
import { DISCONNECTED_STATE, RECONNECTING_STATE } from './machine'
import type { CIP0103Provider } from './cip0103'
import type { SessionState, SessionStore, SessionStoreOptions } from './types'

const flush = () => new Promise((resolve) => setTimeout(resolve, 0))

/** What a binding calls: a store whose init() is yet to come (the third argument, not part of the public signature). */
const createBoundStore = createSessionStore as (provider: CIP0103Provider, options: SessionStoreOptions, bound: 1) => SessionStore

describe('RECONNECTING_STATE', () => {
  it('C1, C9: is exported, frozen, and is the very state init() shows at once (reconnecting, no account, no error)', () => {
    expect(core.RECONNECTING_STATE).toBe(RECONNECTING_STATE)
    expect(RECONNECTING_STATE).toEqual({ ...DISCONNECTED_STATE, status: 'reconnecting' })
    expect(Object.isFrozen(RECONNECTING_STATE) && Object.isFrozen(RECONNECTING_STATE.accounts)).toBe(true)
    const store = createSessionStore(createMockProvider(), { storage: createMemoryStorage() })
    expect(store.getSnapshot()).toBe(DISCONNECTED_STATE) // C1: a store of the app's reads as it is
    void store.init()
    expect(store.getSnapshot()).toBe(RECONNECTING_STATE)
    store.destroy()
  })
})

describe("a binding's store (init() to come)", () => {
  it('C9: reads as the restore from its creation until init(), which goes on from there without a change of snapshot; then settles', async () => {
    const store = createBoundStore(createMockProvider({ connected: true }), { storage: createMemoryStorage() }, 1)
    const seen: SessionState[] = []
    store.subscribe((state) => void seen.push(state))
    expect(store.getSnapshot()).toBe(RECONNECTING_STATE)
    const restored = store.init()
    expect(store.getSnapshot()).toBe(RECONNECTING_STATE)
    await expect(restored).resolves.toMatchObject({ status: 'connected' })
    expect(seen.map((state) => state.status)).toEqual(['reconnecting', 'connected'])
    store.destroy()
  })

  it('C9: with nothing to restore, it settles to disconnected', async () => {
    const store = createBoundStore(createMockProvider(), { storage: createMemoryStorage() }, 1)
    await expect(store.init()).resolves.toBe(DISCONNECTED_STATE)
    expect(store.getSnapshot()).toBe(DISCONNECTED_STATE)
    store.destroy()
  })

  it('C14: never lies once destroyed: disconnected, whether init() came or not', async () => {
    const never = createBoundStore(createMockProvider(), { storage: createMemoryStorage() }, 1)
    never.destroy()
    expect(never.getSnapshot()).toBe(DISCONNECTED_STATE)
    const restored = createBoundStore(createMockProvider({ connected: true }), { storage: createMemoryStorage() }, 1)
    await restored.init()
    expect(restored.getSnapshot().status).toBe('connected')
    restored.destroy()
    expect(restored.getSnapshot()).toBe(DISCONNECTED_STATE)
  })

  it('C3: what happens before init() is shown as it is (a connect)', async () => {
    const store = createBoundStore(createMockProvider(), { storage: createMemoryStorage() }, 1)
    const connecting = store.connect()
    expect(store.getSnapshot().status).toBe('connecting')
    await connecting
    expect(store.getSnapshot().status).toBe('connected')
    await flush()
    store.destroy()
  })
})
