// @vitest-environment jsdom
import { createMemoryStorage, createSessionStore, DISCONNECTED_STATE, type SessionState, type SessionStore } from '@sessionlayer/session-core'
import { createMockProvider } from '@sessionlayer/session-testing'
import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { createApp, createSSRApp, defineComponent, h, onMounted, Suspense } from 'vue'
import { renderToString } from 'vue/server-renderer'
import { countListeners } from '../test/countListeners'
import { createSessionPlugin } from './createSessionPlugin'
import { provideSession } from './provideSession'
import { useSession } from './useSession'
import { useSessionEvent } from './useSessionEvent'

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
    // (the network read too: connect's answer comes before the events that tell it)
    expect(provider.calls.map((c) => c.method)).toEqual(['connect', 'listAccounts', 'getActiveNetwork'])
    wrapper.unmount()
    expect(counted.subscriptions()).toBe(0)
    expect(provider.listenerCount()).toBe(listeners)
    expect(counted.store.getSnapshot().status).toBe('connected')
  })

  it('a client-rendered subtree (no server markup to match) reports the store from its first render on, as React does: initialState only stands for what the server rendered', async () => {
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
    expect(seen).toEqual([null])
    await flushPromises()
    expect(wrapper.text()).toBe('-')
  })

  it('hydration: a component that hydrates after the providing component has mounted (under <Suspense>) reports initialState until it has mounted', async () => {
    const bob = { partyId: 'bob::1220bb', primary: true }
    const initialState: SessionState = { ...DISCONNECTED_STATE, status: 'connected', account: bob, accounts: [bob], networkId: 'canton:devnet' }
    const Page = defineComponent({
      async setup() {
        await new Promise((resolve) => setTimeout(resolve, 5))
        return () => h('div', [h(Status)])
      },
    })
    const Root = (store: SessionStore) =>
      defineComponent({
        setup() {
          provideSession(store, initialState)
          onMounted(() => void store.init())
          return () => h(Suspense, null, { default: () => h(Page) })
        },
      })
    // the server render, where there is no window
    vi.stubGlobal('window', undefined)
    const html = await renderToString(createSSRApp(Root(createSessionStore(createMockProvider(), { storage: createMemoryStorage() }))))
    vi.unstubAllGlobals()
    expect(html).toBe('<div><span>connected|bob::1220bb</span></div>')
    const container = document.createElement('div')
    container.innerHTML = html
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const store = createSessionStore(createMockProvider({ connected: true }), { storage: createMemoryStorage() })
    const app = createSSRApp(Root(store))
    app.mount(container)
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect([...warn.mock.calls, ...error.mock.calls].flat().join('\n')).not.toMatch(/mismatch/i)
    await flushPromises()
    expect(container.innerHTML).toBe('<div><span>connected|alice::1220aa</span></div>')
    app.unmount()
    warn.mockRestore()
    error.mockRestore()
  })

  it('§5 SSR: under a plugin told to render on the server (`server: true`, where a `window` exists), a provideSession subtree renders its initialState and neither subscribes nor listens', async () => {
    const counted = countListeners(createSessionStore(createMockProvider(), { storage: createMemoryStorage() }))
    await counted.store.connect()
    const initialState: SessionState = { ...DISCONNECTED_STATE, networkId: 'canton:mainnet' }
    const Child = defineComponent({
      setup() {
        const { status, networkId } = useSession()
        useSessionEvent('party:changed', () => undefined)
        return () => h('span', `${status.value}|${networkId.value ?? '-'}`)
      },
    })
    const Parent = defineComponent({
      setup() {
        provideSession(counted.store, initialState)
        return () => h(Child)
      },
    })
    const plugin = createSessionPlugin({ provider: undefined as never, server: true })
    expect(await renderToString(createSSRApp(Parent).use(plugin))).toBe('<span>disconnected|canton:mainnet</span>')
    expect([counted.subscriptions(), counted.handlers()]).toEqual([0, 0])
  })

  it('§5: as with Vue\'s provide / inject, the store reaches the components below the providing one, not that component itself, which still reads the enclosing session', async () => {
    const outer = createSessionStore(createMockProvider(), { storage: createMemoryStorage() })
    const inner = createSessionStore(createMockProvider({ accounts: [{ partyId: 'bob::1220bb', primary: true }] }), { storage: createMemoryStorage() })
    let own: string | undefined
    const Scope = defineComponent({
      setup() {
        provideSession(inner)
        const { account } = useSession()
        return () => h('div', [`${(own = account.value?.partyId ?? '-')} / `, h(Status)])
      },
    })
    const wrapper = mount(Scope, { global: { plugins: [createSessionPlugin(outer)] } })
    await Promise.all([outer.connect(), inner.connect()])
    await flushPromises()
    expect(own).toBe('alice::1220aa')
    expect(wrapper.text()).toBe('alice::1220aa / connected|bob::1220bb')
    wrapper.unmount()
    // without an enclosing session, the providing component's own composables throw
    expect(() => mount(Scope)).toThrow('Missing createSessionPlugin or provideSession')
  })

  it('misuse: something that is not a session store throws a clear error', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const errors: unknown[] = []
    const app = createApp(defineComponent({ setup: () => (provideSession({} as never), () => null) }))
    app.config.errorHandler = (error) => errors.push(error)
    app.mount(document.createElement('div'))
    warn.mockRestore()
    expect(String(errors[0])).toMatch(/provideSession: not a session store/)
  })
})
