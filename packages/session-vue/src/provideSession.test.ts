// @vitest-environment jsdom
import { createMemoryStorage, createSessionStore, DISCONNECTED_STATE, type SessionState } from '@sessionlayer/session-core'
import { createMockProvider } from '@sessionlayer/session-testing'
import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { createApp, defineComponent, h } from 'vue'
import { countListeners } from '../test/countListeners'
import { provideSession } from './provideSession'
import { useSession } from './useSession'

const Status = defineComponent({
  setup() {
    const { status, account } = useSession()
    return () => h('span', `${status.value}|${account.value?.partyId ?? '-'}`)
  },
})

describe('provideSession', () => {
  it('provides an app-owned store to a subtree, which never initialises nor destroys it', async () => {
    const provider = createMockProvider()
    const counted = countListeners(createSessionStore(provider, { storage: createMemoryStorage() }))
    const listeners = provider.listenerCount()
    const Parent = defineComponent({
      setup() {
        provideSession(counted.store)
        return () => h('div', [h(Status), h(Status)])
      },
    })
    const wrapper = mount(Parent)
    expect(counted.subscriptions()).toBe(2)
    await counted.store.connect()
    await flushPromises()
    expect(wrapper.text()).toBe('connected|alice::1220aa'.repeat(2))
    expect(provider.calls.map((c) => c.method)).toEqual(['connect'])
    wrapper.unmount()
    expect(counted.subscriptions()).toBe(0)
    expect(provider.listenerCount()).toBe(listeners)
    expect(counted.store.getSnapshot().status).toBe('connected')
  })

  it('hydration: the subtree reports initialState until the providing component has mounted', async () => {
    const store = createSessionStore(createMockProvider(), { storage: createMemoryStorage() })
    const initialState: SessionState = { ...DISCONNECTED_STATE, networkId: 'canton:devnet' }
    const seen: (string | null)[] = []
    const Child = defineComponent({
      setup() {
        const { networkId } = useSession()
        seen.push(networkId.value)
        return () => h('span', networkId.value ?? '-')
      },
    })
    const Parent = defineComponent({
      setup() {
        provideSession(store, initialState)
        return () => h(Child)
      },
    })
    const wrapper = mount(Parent)
    expect(seen).toEqual(['canton:devnet'])
    await flushPromises()
    expect(wrapper.text()).toBe('-')
  })

  it('misuse: something that is not a session store throws a clear error', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const errors: unknown[] = []
    const app = createApp(defineComponent({ setup: () => (provideSession({} as never), () => null) }))
    app.config.errorHandler = (error) => errors.push(error)
    app.mount(document.createElement('div'))
    warn.mockRestore()
    expect(String(errors[0])).toMatch(/provideSession\(store\): not a session store/)
  })
})
