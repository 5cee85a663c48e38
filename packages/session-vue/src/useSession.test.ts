// @vitest-environment jsdom
import { createMemoryStorage, createSessionStore, DISCONNECTED_STATE, type SessionState } from '@sessionlayer/session-core'
import { createMockProvider } from '@sessionlayer/session-testing'
import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { createApp, createRenderer, defineComponent, effectScope, h, nextTick, onMounted, ref, version, watch, type Ref } from 'vue'
import { countListeners } from '../test/countListeners'
import { createSessionPlugin } from './createSessionPlugin'
import { useSession, type UseSessionReturnType } from './useSession'
import { walletEvents } from '../test/walletEvents'

/**
 * Vue 3.3, where a computed ref triggers whenever its source does: a component that reads one ref
 * renders again at each change of the session, with the same output (README, "Composables").
 */
const VUE_33 = version.startsWith('3.3.')

function setup() {
  const provider = createMockProvider()
  const counted = countListeners(createSessionStore(provider, { storage: createMemoryStorage() }))
  let session!: UseSessionReturnType
  const Status = defineComponent({
    setup() {
      session = useSession()
      const { status, account, networkId, isConnected } = session
      return () => h('p', `${status.value}|${account.value?.partyId ?? '-'}|${networkId.value ?? '-'}|${isConnected.value}`)
    },
  })
  const wrapper = mount(Status, { global: { plugins: [createSessionPlugin(counted.store)] } })
  return { provider, wallet: provider.wallet, ...counted, wrapper, session: () => session }
}

describe('useSession', () => {
  it('C3, C11, C6: refs update on connect, on a party switch and on disconnect', async () => {
    const { store, wallet, wrapper } = setup()
    expect(wrapper.text()).toBe('disconnected|-|-|false')
    await store.connect()
    await flushPromises()
    expect(wrapper.text()).toBe('connected|alice::1220aa|canton:devnet|true')
    wallet.switchParty('bob::1220bb')
    await walletEvents()
    await flushPromises()
    expect(wrapper.text()).toBe('connected|bob::1220bb|canton:devnet|true')
    await store.disconnect()
    await flushPromises()
    expect(wrapper.text()).toBe('disconnected|-|-|false')
  })

  it('C1, C2: every state field is a read-only ref of that field, and state is the store snapshot itself', async () => {
    const { store, session } = setup()
    await store.connect()
    const s = session()
    const snapshot = store.getSnapshot()
    expect(s.state.value).toBe(snapshot)
    for (const key of Object.keys(DISCONNECTED_STATE) as (keyof SessionState)[]) {
      expect((s as unknown as Record<string, { value: unknown }>)[key]?.value).toBe(snapshot[key])
    }
    expect([s.isConnected.value, s.isConnecting.value, s.isReconnecting.value, s.isDisconnected.value]).toEqual([true, false, false, false])
    expect(s.connectedAt.value).toEqual(expect.any(Number))
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    ;(s.status as { value: string }).value = 'disconnected'
    expect(s.status.value).toBe('connected')
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/readonly/)
    warn.mockRestore()
  })

  it('C3, C7: exactly one status flag holds in each status: disconnected, connecting, connected, reconnecting', async () => {
    const provider = createMockProvider({ connectMode: 'async' })
    const store = createSessionStore(provider, { storage: createMemoryStorage(), reconnect: { baseDelayMs: 100 } })
    let session!: UseSessionReturnType
    const wrapper = mount(defineComponent({ setup: () => ((session = useSession()), () => null) }), { global: { plugins: [createSessionPlugin(store)] } })
    const flags = () => [session.isConnected.value, session.isConnecting.value, session.isReconnecting.value, session.isDisconnected.value]
    expect(flags()).toEqual([false, false, false, true])
    const pending = store.connect()
    await flushPromises()
    expect(session.status.value).toBe('connecting')
    expect(flags()).toEqual([false, true, false, false])
    provider.wallet.approve()
    await pending
    expect(flags()).toEqual([true, false, false, false])
    provider.wallet.drop()
    await walletEvents()
    await flushPromises()
    expect(session.status.value).toBe('reconnecting')
    expect(flags()).toEqual([false, false, true, false])
    wrapper.unmount()
    store.destroy()
  })

  it('C3: a component that reads only isConnected does not render again when another field changes (a declined connect: status and lastError)', async () => {
    const provider = createMockProvider()
    const store = createSessionStore(provider, { storage: createMemoryStorage() })
    let renders = 0
    const Badge = defineComponent({
      setup() {
        const { isConnected } = useSession()
        return () => (renders++, h('p', String(isConnected.value)))
      },
    })
    const wrapper = mount(Badge, { global: { plugins: [createSessionPlugin(store)] } })
    let changes = 0
    store.subscribe(() => changes++)
    provider.wallet.failNext('connect', { code: 4001 })
    await store.connect()
    await flushPromises()
    expect(store.getSnapshot().lastError?.code).toBe(4001)
    expect([renders, wrapper.text()]).toEqual([VUE_33 ? 1 + changes : 1, 'false'])
    await store.connect()
    await flushPromises()
    expect([renders, wrapper.text()]).toEqual([VUE_33 ? 1 + changes : 2, 'true'])
  })

  it('C2, C7: a reconnect that brings the same accounts back keeps account and accounts: a watcher of the account does not fire, a component showing it does not render again', async () => {
    vi.useFakeTimers()
    try {
      const provider = createMockProvider()
      const store = createSessionStore(provider, { storage: createMemoryStorage(), reconnect: { baseDelayMs: 100 } })
      await store.connect()
      const watched: unknown[] = []
      let renders = 0
      const Party = defineComponent({
        setup() {
          const { account, accounts } = useSession()
          watch([account, accounts], (next) => watched.push(next))
          return () => (renders++, h('p', account.value?.partyId))
        },
      })
      const wrapper = mount(Party, { global: { plugins: [createSessionPlugin(store)] } })
      let changes = 0
      store.subscribe(() => changes++)
      const before = store.getSnapshot()
      provider.wallet.drop()
      await vi.advanceTimersByTimeAsync(0)
      expect(store.getSnapshot().status).toBe('reconnecting')
      provider.wallet.recover()
      await vi.advanceTimersByTimeAsync(100)
      expect(store.getSnapshot()).toMatchObject({ status: 'connected', account: before.account, accounts: before.accounts })
      expect(watched).toEqual([])
      expect([renders, wrapper.text()]).toEqual([VUE_33 ? 1 + changes : 1, 'alice::1220aa'])
    } finally {
      vi.useRealTimers()
    }
  })

  it('C4: the actions reach the store: connect, enqueue, restore, disconnect', async () => {
    const { store, provider, session } = setup()
    const { connect, enqueue, restore, disconnect, isConnecting, lastError } = session()
    const pending = connect({ app: 'demo' })
    expect(isConnecting.value).toBe(true)
    expect((await pending).status).toBe('connected')
    expect(provider.calls[0]).toEqual({ method: 'connect', params: { app: 'demo' } })
    await expect(enqueue(() => 42)).resolves.toBe(42)
    expect((await restore()).status).toBe('connected')
    await disconnect()
    expect(store.getSnapshot().status).toBe('disconnected')
    provider.wallet.failNext('connect', { code: 4001 })
    await connect()
    expect(lastError.value?.code).toBe(4001)
  })

  it('one subscribe per call, every one released on unmount', async () => {
    const { store, wrapper, subscriptions } = setup()
    expect(subscriptions()).toBe(1)
    wrapper.unmount()
    expect(subscriptions()).toBe(0)
    await store.connect()
    expect(store.getSnapshot().status).toBe('connected')
  })

  it('C2: a client-rendered component whose vnode is rendered again (a vnode kept in a variable) shows the store from its first render on, not the disconnected state', async () => {
    const store = createSessionStore(createMockProvider({ connected: true }), { storage: createMemoryStorage() })
    await store.init()
    const rendered: string[] = []
    const Child = defineComponent({
      setup() {
        const { status } = useSession()
        return () => h('i', (rendered.push(status.value), status.value))
      },
    })
    const child = h(Child) // Vue renders a copy of it the second time, with the element of the first
    const shown = ref(true)
    const App = defineComponent({ setup: () => () => h('div', shown.value ? [child] : []) })
    mount(App, { global: { plugins: [createSessionPlugin(store)] } })
    shown.value = false
    await nextTick()
    shown.value = true
    await nextTick()
    expect(rendered).toEqual(['connected', 'connected'])
  })

  it('C2: under a renderer whose nodes are no DOM nodes (a custom renderer), a vnode rendered again shows the store, and nothing throws', async () => {
    type Node = { tag: string; text: string; parent: Node | null; children: Node[] }
    const node = (tag: string, text = ''): Node => ({ tag, text, parent: null, children: [] })
    const { createApp: createCustomApp } = createRenderer<Node, Node>({
      createElement: (tag) => node(tag),
      createText: (text) => node('#text', text),
      createComment: (text) => node('#comment', text),
      setText: (n, text) => void (n.text = text),
      setElementText: (n, text) => void (n.children = [node('#text', text)]),
      insert: (child, parent, anchor) => {
        child.parent = parent
        const at = anchor ? parent.children.indexOf(anchor) : -1
        parent.children.splice(at < 0 ? parent.children.length : at, 0, child)
      },
      remove: (child) => {
        child.parent?.children.splice(child.parent.children.indexOf(child), 1)
        child.parent = null
      },
      parentNode: (n) => n.parent,
      nextSibling: (n) => (n.parent ? (n.parent.children[n.parent.children.indexOf(n) + 1] ?? null) : null),
      patchProp: () => undefined,
    })
    const store = createSessionStore(createMockProvider({ connected: true }), { storage: createMemoryStorage() })
    await store.init()
    const rendered: string[] = []
    const Child = defineComponent({
      setup() {
        const { status } = useSession()
        return () => h('i', (rendered.push(status.value), status.value))
      },
    })
    const child = h(Child) // rendered again, it carries its first node, which has no getRootNode()
    const shown = ref(true)
    const App = defineComponent({ setup: () => () => h('div', shown.value ? [h('section', [child])] : []) })
    const errors: unknown[] = []
    const app = createCustomApp(App).use(createSessionPlugin(store))
    app.config.errorHandler = (error) => void errors.push(error)
    app.mount(node('root'))
    shown.value = false
    await nextTick()
    shown.value = true
    await nextTick()
    expect(errors).toEqual([])
    expect(rendered).toEqual(['connected', 'connected'])
    app.unmount()
  })

  it('C2: a client-rendered component whose vnode is rendered again after its element was removed inside a removed parent shows the store from its first render on', async () => {
    const store = createSessionStore(createMockProvider({ connected: true }), { storage: createMemoryStorage() })
    await store.init()
    const rendered: string[] = []
    const Child = defineComponent({
      setup() {
        const { status } = useSession()
        return () => h('i', (rendered.push(status.value), status.value))
      },
    })
    const child = h(Child) // rendered again, it carries its first element, still inside the removed <section>
    const shown = ref(true)
    const App = defineComponent({ setup: () => () => h('div', shown.value ? [h('section', [child])] : []) })
    mount(App, { global: { plugins: [createSessionPlugin(store)] } })
    shown.value = false
    await nextTick()
    shown.value = true
    await nextTick()
    expect(rendered).toEqual(['connected', 'connected'])
  })

  it('called once its component has mounted (in onMounted), the refs follow the store', async () => {
    const store = createSessionStore(createMockProvider(), { storage: createMemoryStorage() })
    let status: Ref<string> | undefined
    const Late = defineComponent({
      setup() {
        onMounted(() => {
          status = useSession().status
        })
        return () => h('p')
      },
    })
    const wrapper = mount(Late, { global: { plugins: [createSessionPlugin(store)] } })
    await store.connect()
    await flushPromises()
    expect(status?.value).toBe('connected')
    wrapper.unmount()
  })

  it('works in an effect scope outside components (app.runWithContext), released when the scope stops', async () => {
    const provider = createMockProvider()
    const counted = countListeners(createSessionStore(provider, { storage: createMemoryStorage() }))
    const app = createApp({ render: () => null }).use(createSessionPlugin(counted.store))
    const scope = effectScope()
    const session = app.runWithContext(() => scope.run(() => [useSession(), useSession()]))!
    expect(counted.subscriptions()).toBe(2)
    await counted.store.connect()
    expect(session[1]?.account.value?.partyId).toBe('alice::1220aa')
    scope.stop()
    expect(counted.subscriptions()).toBe(0)
  })

  it('without createSessionPlugin or provideSession it throws an error naming both', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    expect(() => useSession()).toThrow(/createSessionPlugin.*provideSession/)
    const errors: unknown[] = []
    const app = createApp(defineComponent({ setup: () => (useSession(), () => null) }))
    app.config.errorHandler = (error) => errors.push(error)
    app.mount(document.createElement('div'))
    expect(String(errors[0])).toMatch(/createSessionPlugin.*provideSession/)
    warn.mockRestore()
  })
})
