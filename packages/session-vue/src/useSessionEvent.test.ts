// @vitest-environment jsdom
import { createMemoryStorage, createSessionStore, type ChangeEvent } from '@sessionlayer/session-core'
import { createMockProvider } from '@sessionlayer/session-testing'
import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, expectTypeOf, it, vi } from 'vitest'
import { createApp, defineComponent, effectScope } from 'vue'
import { countListeners } from '../test/countListeners'
import { createSessionPlugin } from './createSessionPlugin'
import { useSessionEvent } from './useSessionEvent'
import { walletEvents } from '../test/walletEvents'

describe('useSessionEvent', () => {
  it('C11: the handler gets the typed payload, and is detached on unmount', async () => {
    const provider = createMockProvider()
    const counted = countListeners(createSessionStore(provider, { storage: createMemoryStorage() }))
    const onParty = vi.fn((event: ChangeEvent) => event)
    const onInvalidate = vi.fn()
    const Listener = defineComponent({
      setup() {
        useSessionEvent('party:changed', (event) => {
          expectTypeOf(event).toEqualTypeOf<ChangeEvent>()
          onParty(event)
        })
        useSessionEvent('invalidate', onInvalidate)
        return () => null
      },
    })
    const wrapper = mount(Listener, { global: { plugins: [createSessionPlugin(counted.store)] } })
    expect(counted.handlers()).toBe(2)
    await counted.store.connect()
    provider.wallet.switchParty('bob::1220bb')
    await walletEvents()
    await flushPromises()
    expect(onParty).toHaveBeenCalledOnce()
    expect(onParty).toHaveBeenCalledWith({ previous: 'alice::1220aa', current: 'bob::1220bb', source: 'local' })
    expect(onInvalidate).toHaveBeenCalledWith({ type: 'party:changed', previous: 'alice::1220aa', current: 'bob::1220bb', source: 'local' })
    wrapper.unmount()
    expect(counted.handlers()).toBe(0)
    provider.wallet.switchParty('alice::1220aa')
    await walletEvents()
    await flushPromises()
    expect(counted.store.getSnapshot().account?.partyId).toBe('alice::1220aa')
    expect(onParty).toHaveBeenCalledOnce()
  })

  it('§2.2, C16: an async handler that rejects becomes an error event of the store', async () => {
    const provider = createMockProvider()
    const store = createSessionStore(provider, { storage: createMemoryStorage() })
    const errors: unknown[] = []
    store.on('error', (e) => errors.push(e.error))
    const Listener = defineComponent({
      setup() {
        useSessionEvent('party:changed', async (event) => {
          await Promise.resolve()
          throw new Error(`refetch for ${event.current} failed`)
        })
        return () => null
      },
    })
    const wrapper = mount(Listener, { global: { plugins: [createSessionPlugin(store)] } })
    await store.connect()
    provider.wallet.switchParty('bob::1220bb')
    await walletEvents()
    await flushPromises()
    expect(errors).toMatchObject([{ message: 'refetch for bob::1220bb failed' }])
    wrapper.unmount()
    store.destroy()
  })

  it('§5, C11: a handler whose scope an earlier handler of the same event disposes is not called any more, not even for that event', async () => {
    const provider = createMockProvider()
    const store = createSessionStore(provider, { storage: createMemoryStorage() })
    const app = createApp({ render: () => null }).use(createSessionPlugin(store))
    const calls: string[] = []
    const page = effectScope()
    const feature = effectScope()
    app.runWithContext(() =>
      page.run(() => {
        // the party switch closes a feature that listens to it too
        useSessionEvent('party:changed', () => {
          calls.push('page')
          feature.stop()
        })
        feature.run(() => {
          useSessionEvent('party:changed', () => calls.push('feature'))
        })
      }),
    )
    await store.connect()
    provider.wallet.switchParty('bob::1220bb')
    provider.wallet.switchParty('alice::1220aa')
    await walletEvents()
    expect(calls).toEqual(['page', 'page'])
    page.stop()
    store.destroy()
  })
})
