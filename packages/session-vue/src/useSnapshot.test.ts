import { createMemoryStorage, createSessionStore, DISCONNECTED_STATE, type SessionState, type SessionStore } from '@sessionlayer/session-core'
import { createMockProvider } from '@sessionlayer/session-testing'
import { describe, expect, it } from 'vitest'
import { effectScope, shallowRef } from 'vue'
import { countListeners } from '../test/countListeners'
import { useSnapshot } from './useSnapshot'

const bob: SessionState = { ...DISCONNECTED_STATE, status: 'connected', account: { partyId: 'bob::1220bb' }, accounts: [{ partyId: 'bob::1220bb' }] }

describe('useSnapshot', () => {
  it('C2: on the client one subscription feeds the ref with the store snapshot itself, released with the scope', async () => {
    const counted = countListeners(createSessionStore(createMockProvider(), { storage: createMemoryStorage() }))
    const scope = effectScope()
    const state = scope.run(() => useSnapshot({ store: counted.store, server: false, initial: shallowRef(null) }))!
    expect(state.value).toBe(counted.store.getSnapshot())
    expect(counted.subscriptions()).toBe(1)
    await counted.store.connect()
    expect(state.value).toBe(counted.store.getSnapshot())
    scope.stop()
    expect(counted.subscriptions()).toBe(0)
  })

  it('hydration: outside a component that hydrates server HTML (here an effect scope on the client) the store shows from the start, whatever initial holds', () => {
    const store = createSessionStore(createMockProvider(), { storage: createMemoryStorage() })
    const state = effectScope().run(() => useSnapshot({ store, server: false, initial: shallowRef<SessionState | null>(bob) }))!
    expect(state.value).toBe(store.getSnapshot())
  })

  it('on the server the store is never touched: initial state, else the disconnected state', () => {
    const context = (initial: SessionState | null) => ({
      get store(): SessionStore {
        throw new Error('the store must not be touched on the server')
      },
      server: true,
      initial: shallowRef(initial),
    })
    expect(effectScope().run(() => useSnapshot(context(null)))?.value).toBe(DISCONNECTED_STATE)
    expect(effectScope().run(() => useSnapshot(context(bob)))?.value).toBe(bob)
  })
})
