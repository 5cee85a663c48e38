// @vitest-environment jsdom
import { createMemoryStorage, createSessionStore, DISCONNECTED_STATE, sessionQueryKey, type SessionStore, type SessionStoreOptions } from '@sessionlayer/session-core'
import { createChannelHub, createMockProvider, createMockWallet, type MockWallet } from '@sessionlayer/session-testing'
import { QueryClient, useQuery, VueQueryPlugin } from '@tanstack/vue-query'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as Vue from 'vue'
import { computed, createApp, createSSRApp, defineComponent, h, shallowRef, Suspense, type PropType } from 'vue'
import { renderToString } from 'vue/server-renderer'
import { createSessionPlugin } from './createSessionPlugin'
import { SESSION_KEY } from './SESSION_KEY'
import { provideSession } from './provideSession'
import { useSession } from './useSession'
import { useSessionQueryInvalidation } from './useSessionQueryInvalidation'
import { useSessionStore } from './useSessionStore'
import { walletEvents } from '../test/walletEvents'

function setup(options: SessionStoreOptions = {}, explicitClient = false) {
  const provider = createMockProvider()
  const store = createSessionStore(provider, { storage: createMemoryStorage(), ...options })
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, gcTime: Infinity } } })
  const fetches: string[] = []
  const App = defineComponent({
    setup() {
      useSessionQueryInvalidation(explicitClient ? queryClient : undefined)
      const { state } = useSession()
      const holdings = useQuery({
        queryKey: computed(() => sessionQueryKey(state.value, 'holdings')),
        queryFn: () => {
          const party = state.value.account?.partyId ?? 'none'
          fetches.push(party)
          return `holdings of ${party}`
        },
      }, explicitClient ? queryClient : undefined)
      return () => h('p', holdings.data.value ?? '-')
    },
  })
  const plugins = [createSessionPlugin(store), ...(explicitClient ? [] : [[VueQueryPlugin, { queryClient }] as const])]
  const wrapper = mount(App, { global: { plugins: plugins as never } })
  queryClient.setQueryData(['other'], 'untouched')
  return { provider, store, queryClient, wrapper, fetches }
}

afterEach(() => {
  vi.useRealTimers()
})

/**
 * Mounts a component whose ['sessionlayer', 'me'] query (a key that stays the same whoever is
 * connected, with `initialData` if given) reads the party when it fetches; each fetch waits in
 * `pending` until let through.
 */
function mountMe(store: SessionStore, queryClient: QueryClient, initialData?: string) {
  const asked: string[] = []
  const pending: (() => void)[] = []
  const Me = defineComponent({
    setup() {
      const me = useQuery({
        queryKey: ['sessionlayer', 'me'],
        queryFn: () => {
          const party = store.getSnapshot().account?.partyId ?? 'none'
          asked.push(party)
          return new Promise<string>((resolve) => pending.push(() => resolve(`me: ${party}`)))
        },
        initialData,
      })
      return () => h('p', me.data.value ?? '-')
    },
  })
  const wrapper = mount(Me, { global: { plugins: [createSessionPlugin(store), [VueQueryPlugin, { queryClient }]] as never } })
  return { wrapper, asked, pending }
}

/** Two wallets' stores, alice's and bob's, each provided by a keyed subtree made again when `wallet` names the other (C6). */
function keyedWallets() {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 60_000 } } })
  const stores = {
    alice: createSessionStore(createMockProvider(), { storage: createMemoryStorage() }),
    bob: createSessionStore(createMockProvider({ accounts: [{ partyId: 'bob::1220bb', primary: true }] }), { storage: createMemoryStorage() }),
  }
  const wallet = shallowRef<keyof typeof stores>('alice')
  const Me = defineComponent({
    setup() {
      const { account, isConnected } = useSession()
      const me = useQuery({ queryKey: ['sessionlayer', 'me'], enabled: isConnected, queryFn: () => `me: ${account.value?.partyId}` })
      return () => h('p', `${account.value?.partyId ?? 'nobody'} sees ${me.data.value ?? 'nothing'}`)
    },
  })
  const Invalidation = defineComponent({ setup: () => (useSessionQueryInvalidation(), () => null) })
  // the wallet's subtree, made again for another wallet
  const Wallet = defineComponent({
    props: { store: { type: Object as PropType<SessionStore>, required: true } },
    setup(props) {
      provideSession(props.store)
      return () => [h(Invalidation), h(Me)]
    },
  })
  const App = defineComponent({ setup: () => () => h(Wallet, { key: wallet.value, store: stores[wallet.value] }) })
  const wrapper = mount(App, { global: { plugins: [[VueQueryPlugin, { queryClient }]] as never } })
  return { queryClient, stores, wallet, wrapper }
}

describe('useSessionQueryInvalidation', () => {
  it('C11: a party switch invalidates the session-scoped queries, and only those', async () => {
    const { provider, store, queryClient, fetches } = setup()
    await store.connect()
    await flushPromises()
    const holdings = sessionQueryKey(store.getSnapshot(), 'holdings')
    const idle = sessionQueryKey(store.getSnapshot(), 'idle')
    queryClient.setQueryData(idle, 'cached')
    expect(queryClient.getQueryData(holdings)).toBe('holdings of alice::1220aa')
    provider.wallet.switchParty('bob::1220bb')
    await walletEvents()
    await flushPromises()
    expect(queryClient.getQueryState(holdings)?.isInvalidated).toBe(true)
    expect(queryClient.getQueryState(idle)?.isInvalidated).toBe(true)
    expect(queryClient.getQueryState(['other'])?.isInvalidated).toBe(false)
    expect(queryClient.getQueryData(['other'])).toBe('untouched')
    expect(fetches).toEqual(['none', 'alice::1220aa', 'bob::1220bb'])
  })

  it('C11: a party switch fetches no query outside the session root, not even one in use', async () => {
    const provider = createMockProvider()
    const store = createSessionStore(provider, { storage: createMemoryStorage() })
    const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } })
    let priceFetches = 0
    const App = defineComponent({
      setup() {
        useSessionQueryInvalidation()
        const prices = useQuery({ queryKey: ['prices'], queryFn: () => `prices ${++priceFetches}` })
        return () => h('p', prices.data.value ?? '-')
      },
    })
    const wrapper = mount(App, { global: { plugins: [createSessionPlugin(store), [VueQueryPlugin, { queryClient }]] as never } })
    await store.connect()
    await flushPromises()
    expect(wrapper.text()).toBe('prices 1')
    provider.wallet.switchParty('bob::1220bb')
    await flushPromises()
    expect(wrapper.text()).toBe('prices 1')
    expect(priceFetches).toBe(1)
    wrapper.unmount()
    store.destroy()
  })

  it('C11: back to a party whose data is cached, its query is fetched once, not started and then started again', async () => {
    const provider = createMockProvider()
    const store = createSessionStore(provider, { storage: createMemoryStorage() })
    const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } })
    const asked: unknown[] = []
    const pending: (() => void)[] = []
    const App = defineComponent({
      setup() {
        useSessionQueryInvalidation()
        const { state, isConnected } = useSession()
        const holdings = useQuery({
          queryKey: computed(() => sessionQueryKey(state.value, 'holdings')),
          queryFn: ({ queryKey }) => {
            asked.push(queryKey[2])
            return new Promise<string>((resolve) => pending.push(() => resolve(`holdings of ${String(queryKey[2])}`)))
          },
          enabled: isConnected,
        })
        return () => h('p', holdings.data.value ?? '-')
      },
    })
    const wrapper = mount(App, { global: { plugins: [createSessionPlugin(store), [VueQueryPlugin, { queryClient }]] as never } })
    const answer = async () => {
      await flushPromises()
      for (const done of pending.splice(0)) done()
      await flushPromises()
    }
    await store.connect()
    await answer()
    provider.wallet.switchParty('bob::1220bb')
    await answer()
    provider.wallet.switchParty('alice::1220aa')
    await walletEvents()
    await answer()
    expect(wrapper.text()).toBe('holdings of alice::1220aa')
    expect(asked).toEqual(['alice::1220aa', 'bob::1220bb', 'alice::1220aa'])
  })

  it.each([
    ['second', ['sessionlayer', 'alice::1220aa', 'profile']],
    ['third', ['sessionlayer', 'directory', 'alice::1220aa']],
  ])('C11: a session query whose key stays the same and names the previous party as its %s part is fetched again at a party switch', async (_, queryKey) => {
    const { provider, store, queryClient } = setup()
    let fetches = 0
    // not a sessionQueryKey: the same key for every party, which names alice where a sessionQueryKey holds the network or the party
    const Entry = defineComponent({
      setup() {
        const entry = useQuery({ queryKey, queryFn: () => `entry ${++fetches}` })
        return () => h('p', entry.data.value ?? '-')
      },
    })
    const wrapper = mount(Entry, { global: { plugins: [createSessionPlugin(store), [VueQueryPlugin, { queryClient }]] as never } })
    await store.connect()
    await flushPromises()
    expect(wrapper.text()).toBe('entry 1')
    provider.wallet.switchParty('bob::1220bb')
    await walletEvents()
    await flushPromises()
    expect(wrapper.text()).toBe('entry 2')
  })

  it('C11: a session query whose key stays the same and whose fetch is under way at a party switch is fetched again for the new party', async () => {
    const { provider, store, queryClient } = setup()
    const { wrapper, asked, pending } = mountMe(store, queryClient)
    await store.connect()
    await flushPromises()
    for (const done of pending.splice(0)) done()
    await flushPromises()
    void queryClient.refetchQueries({ queryKey: ['sessionlayer', 'me'] }) // a refetch under way for alice...
    await flushPromises()
    provider.wallet.switchParty('bob::1220bb') // ...when the party switches
    await walletEvents()
    await flushPromises()
    for (const done of pending.splice(0)) done()
    await flushPromises()
    expect(asked).toEqual(['none', 'alice::1220aa', 'bob::1220bb'])
    expect(wrapper.text()).toBe('me: bob::1220bb')
  })

  it('C11: a first fetch of a session query whose key stays the same, under way at a party switch, is fetched again for the new party', async () => {
    const { provider, store, queryClient } = setup()
    await store.connect()
    await flushPromises()
    // mounted once connected: its first fetch, for alice, has no data yet...
    const { wrapper, asked, pending } = mountMe(store, queryClient)
    await flushPromises()
    provider.wallet.switchParty('bob::1220bb') // ...when the party switches
    await walletEvents()
    await flushPromises()
    for (const done of pending.splice(0)) done()
    await flushPromises()
    expect(asked).toEqual(['alice::1220aa', 'bob::1220bb'])
    expect(wrapper.text()).toBe('me: bob::1220bb')
  })

  it('C11: a session query with initial data, whose first fetch is under way at a party switch, is fetched again for the new party', async () => {
    const { provider, store, queryClient } = setup()
    await store.connect()
    await flushPromises()
    const { wrapper, asked, pending } = mountMe(store, queryClient, 'me: loading')
    await flushPromises()
    provider.wallet.switchParty('bob::1220bb') // its fetch for alice still under way
    await walletEvents()
    await flushPromises()
    for (const done of pending.splice(0)) done()
    await flushPromises()
    expect(asked).toEqual(['alice::1220aa', 'bob::1220bb'])
    expect(wrapper.text()).toBe('me: bob::1220bb')
  })

  it('C11: a session query with initial data and a staleTime is fetched for the new party after a party switch, and for the new network after a network switch, as in React', async () => {
    const provider = createMockProvider()
    const store = createSessionStore(provider, { storage: createMemoryStorage() })
    const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } })
    const asked: string[] = []
    const App = defineComponent({
      setup() {
        useSessionQueryInvalidation()
        const { state } = useSession()
        const holdings = useQuery({
          queryKey: computed(() => sessionQueryKey(state.value, 'holdings')),
          queryFn: ({ queryKey }) => (asked.push(`${String(queryKey[1])} ${String(queryKey[2])}`), Promise.resolve(`holdings of ${String(queryKey[2])}`)),
          // fresh for a minute: the new session's query does not fetch by itself
          initialData: 'no holdings yet',
          staleTime: 60_000,
        })
        return () => h('p', holdings.data.value)
      },
    })
    const wrapper = mount(App, { global: { plugins: [createSessionPlugin(store), [VueQueryPlugin, { queryClient }]] as never } })
    await store.connect()
    await flushPromises()
    provider.wallet.switchParty('bob::1220bb')
    await walletEvents()
    await flushPromises()
    expect(wrapper.text()).toBe('holdings of bob::1220bb')
    provider.wallet.switchNetwork('canton:testnet')
    await walletEvents()
    await flushPromises()
    expect(asked).toEqual(['canton:devnet bob::1220bb', 'canton:testnet bob::1220bb'])
    wrapper.unmount()
    store.destroy()
  })

  it('C11: a party switch while a page still hydrates (its session holds what the server rendered) fetches nothing for the previous party', async () => {
    // what `<script setup>` compiles a top-level `await` to
    const { withAsyncContext } = Vue as unknown as { withAsyncContext: (getAwaitable: () => Promise<unknown>) => [Promise<unknown>, () => void] }
    const alice = { ...DISCONNECTED_STATE, status: 'connected', account: { partyId: 'alice::1220aa', primary: true }, accounts: [{ partyId: 'alice::1220aa', primary: true }], networkId: 'canton:devnet' } as const
    const key = sessionQueryKey(alice, 'holdings')
    const asked: unknown[] = []
    let store: SessionStore | undefined
    /** `<Suspense>` around a root that keeps the cache in step, around a page that awaits `gate` after its query. */
    const app = (gate: Promise<unknown>) => {
      const Page = defineComponent({
        async setup() {
          const { state } = useSession()
          const holdings = useQuery({
            queryKey: computed(() => sessionQueryKey(state.value, 'holdings')),
            queryFn: ({ queryKey }) => {
              asked.push(queryKey[2])
              return `holdings of ${String(queryKey[2])}`
            },
          })
          const [wait, restore] = withAsyncContext(() => gate)
          await wait
          restore()
          return () => h('p', holdings.data.value ?? '-')
        },
      })
      const Root = defineComponent({
        setup() {
          useSessionQueryInvalidation()
          store = useSessionStore()
          return () => h(Page)
        },
      })
      return createSSRApp(defineComponent({ setup: () => () => h(Suspense, null, { default: () => h(Root) }) }))
    }
    // the server rendered alice's page with her holdings, and handed its cache to the client
    const client = () => {
      const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } })
      queryClient.setQueryData(key, 'holdings of alice::1220aa')
      return queryClient
    }
    const container = document.createElement('div')
    container.innerHTML = await renderToString(
      app(Promise.resolve())
        .use(createSessionPlugin({ provider: undefined as never, initialState: alice, server: true }))
        .use(VueQueryPlugin, { queryClient: client() }),
    )
    expect(container.innerHTML).toBe('<p>holdings of alice::1220aa</p>')
    const provider = createMockProvider({ connected: true })
    const queryClient = client()
    let open: () => void = () => undefined
    const hydrated = app(new Promise<void>((resolve) => (open = resolve)))
      .use(createSessionPlugin({ provider, initialState: alice, storage: createMemoryStorage() }))
      .use(VueQueryPlugin, { queryClient })
    hydrated.mount(container)
    await flushPromises()
    expect(store?.getSnapshot().account?.partyId).toBe('alice::1220aa') // restored, as the server said
    provider.wallet.switchParty('bob::1220bb') // while the page still waits
    await walletEvents()
    await flushPromises()
    expect(asked).toEqual([])
    open()
    await flushPromises()
    expect(container.innerHTML).toBe('<p>holdings of bob::1220bb</p>')
    expect(asked).toEqual(['bob::1220bb'])
    expect(queryClient.getQueryData(key)).toBe('holdings of alice::1220aa')
    hydrated.unmount()
  })

  it('C6: a disconnect removes the session-scoped queries and leaves the others', async () => {
    const { store, queryClient } = setup()
    await store.connect()
    await flushPromises()
    const holdings = sessionQueryKey(store.getSnapshot(), 'holdings')
    expect(queryClient.getQueryData(holdings)).toBe('holdings of alice::1220aa')
    await store.disconnect()
    await flushPromises()
    expect(queryClient.getQueryState(holdings)).toBeUndefined()
    expect(queryClient.getQueryCache().findAll({ queryKey: ['sessionlayer', 'canton:devnet'] })).toEqual([])
    expect(queryClient.getQueryData(['other'])).toBe('untouched')
  })

  it('C6: a query under the root whose key outlives the session shows nothing of the previous party after a disconnect, nor to the next party', async () => {
    const { provider, store, queryClient } = setup() // its app keeps the cache in step with the store
    const asked: string[] = []
    // reads no session: its key, and so its observer, stay the same from one session to the next
    const Profile = defineComponent({
      setup() {
        const profile = useQuery({
          queryKey: ['sessionlayer', 'profile'],
          queryFn: () => {
            const party = store.getSnapshot().account?.partyId ?? 'none'
            asked.push(party)
            return `profile of ${party}`
          },
        })
        return () => h('p', profile.data.value ?? 'no profile')
      },
    })
    const wrapper = mount(Profile, { global: { plugins: [createSessionPlugin(store), [VueQueryPlugin, { queryClient }]] as never } })
    await store.connect()
    await queryClient.refetchQueries({ queryKey: ['sessionlayer', 'profile'] })
    await flushPromises()
    expect(wrapper.text()).toBe('profile of alice::1220aa')
    await store.disconnect()
    await flushPromises()
    expect(wrapper.text()).not.toBe('profile of alice::1220aa')
    provider.wallet.switchParty('bob::1220bb')
    await walletEvents()
    await store.connect()
    await flushPromises()
    expect(wrapper.text()).toBe('profile of none')
    expect(queryClient.getQueryCache().findAll({ queryKey: ['sessionlayer'] }).map((query) => query.state.data)).not.toContain('profile of alice::1220aa')
    expect(asked).toEqual(['none', 'alice::1220aa', 'none'])
  })

  it('C6: another wallet\'s store in place of the previous one (a keyed subtree that provides it) removes the session queries of the one it replaces: the new party never sees the previous party\'s data', async () => {
    const { queryClient, stores, wallet, wrapper } = keyedWallets()
    await stores.alice.connect()
    await flushPromises()
    expect(wrapper.text()).toBe('alice::1220aa sees me: alice::1220aa')
    wallet.value = 'bob'
    await flushPromises()
    expect(wrapper.text()).toBe('nobody sees nothing')
    expect(queryClient.getQueryData(['sessionlayer', 'me'])).toBeUndefined()
    await stores.bob.connect()
    await flushPromises()
    expect(wrapper.text()).toBe('bob::1220bb sees me: bob::1220bb')
    wrapper.unmount()
  })

  it('C6: back to the first wallet\'s store (a keyed subtree made again for it) removes the session queries of the second one too', async () => {
    const { stores, wallet, wrapper } = keyedWallets()
    await stores.alice.connect()
    await flushPromises()
    wallet.value = 'bob'
    await flushPromises()
    await stores.bob.connect()
    await flushPromises()
    expect(wrapper.text()).toBe('bob::1220bb sees me: bob::1220bb')
    wallet.value = 'alice' // her session went on meanwhile
    await flushPromises()
    expect(wrapper.text()).toBe('alice::1220aa sees me: alice::1220aa')
    wrapper.unmount()
  })

  it('C6: the component that keeps the cache in step, mounted again over the same store, leaves the session queries: the session goes on', async () => {
    const store = createSessionStore(createMockProvider(), { storage: createMemoryStorage() })
    const queryClient = new QueryClient()
    await store.connect()
    const key = sessionQueryKey(store.getSnapshot(), 'cached')
    queryClient.setQueryData(key, 'cached')
    const shown = shallowRef(true)
    const Invalidation = defineComponent({ setup: () => (useSessionQueryInvalidation(queryClient), () => null) })
    const wrapper = mount(defineComponent({ setup: () => () => (shown.value ? h(Invalidation) : null) }), { global: { plugins: [createSessionPlugin(store)] } })
    shown.value = false
    await flushPromises()
    shown.value = true
    await flushPromises()
    expect(queryClient.getQueryState(key)).toMatchObject({ data: 'cached', isInvalidated: false })
    wrapper.unmount()
    store.destroy()
  })

  /**
   * A store of a mock wallet, one query client, and `open()` mounting an app over both that keeps the
   * client in step and shows who is connected on which network and what the query under a key that
   * outlives the session holds.
   */
  const appOver = () => {
    const provider = createMockProvider()
    const store = createSessionStore(provider, { storage: createMemoryStorage() })
    const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 60_000 } } })
    const App = defineComponent({
      setup() {
        useSessionQueryInvalidation()
        const { account, networkId, isConnected } = useSession()
        const who = () => `${account.value?.partyId ?? 'nobody'} on ${networkId.value ?? 'none'}`
        const me = useQuery({ queryKey: ['sessionlayer', 'me'], enabled: isConnected, queryFn: () => `me: ${who()}` })
        return () => h('p', `${who()} sees ${me.data.value ?? 'nothing'}`)
      },
    })
    const open = () => mount(App, { global: { plugins: [createSessionPlugin(store), [VueQueryPlugin, { queryClient }]] as never } })
    return { provider, store, open }
  }

  it('C6: mounted again over the same store after its session ended while no component kept the cache in step (the app unmounted, the store and the client lived on), it removes the ended session\'s queries: the next party never sees them', async () => {
    const { provider, store, open } = appOver()
    const first = open()
    await store.connect()
    await flushPromises()
    expect(first.text()).toBe('alice::1220aa on canton:devnet sees me: alice::1220aa on canton:devnet')
    first.unmount()
    await store.disconnect()
    const second = open()
    await flushPromises()
    expect(second.text()).toBe('nobody on none sees nothing')
    provider.wallet.switchParty('bob::1220bb')
    await store.connect()
    await flushPromises()
    expect(second.text()).toBe('bob::1220bb on canton:devnet sees me: bob::1220bb on canton:devnet')
    second.unmount()
    store.destroy()
  })

  it.each([
    ['party', 'alice::1220aa on canton:devnet', 'bob::1220bb on canton:devnet', (wallet: MockWallet) => wallet.switchParty('bob::1220bb')],
    ['network', 'alice::1220aa on canton:devnet', 'alice::1220aa on canton:testnet', (wallet: MockWallet) => wallet.switchNetwork('canton:testnet')],
  ] as const)('C6, C11: mounted again over the same store whose %s switched while no component kept the cache in step (the session stayed connected), it removes the queries of the one before: the new session never sees its data', async (_, before, after, change) => {
    const { provider, store, open } = appOver()
    const first = open()
    await store.connect()
    await flushPromises()
    expect(first.text()).toBe(`${before} sees me: ${before}`)
    first.unmount()
    // the switch reaches the store (the wallet's events, a task each) while no component is mounted
    change(provider.wallet)
    await walletEvents()
    await flushPromises()
    expect(store.getSnapshot().status).toBe('connected')
    const second = open()
    await flushPromises()
    expect(second.text()).toBe(`${after} sees me: ${after}`)
    second.unmount()
    store.destroy()
  })

  it('C6, C9: mounted again over the same store whose restore began while no component kept the cache in step (no party nor network yet), it keeps the session queries the server prefetched', async () => {
    const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 60_000 } } })
    const key = ['sessionlayer', 'canton:devnet', 'alice::1220aa', 'holdings']
    queryClient.setQueryData(key, 'prefetched')
    const store = createSessionStore(createMockProvider({ connected: true }), { storage: createMemoryStorage() })
    const Invalidation = defineComponent({ setup: () => (useSessionQueryInvalidation(queryClient), () => null) })
    const shown = shallowRef(true)
    const wrapper = mount(defineComponent({ setup: () => () => (shown.value ? h(Invalidation) : null) }), { global: { plugins: [createSessionPlugin(store)] } })
    shown.value = false
    await flushPromises()
    const before = store.getSnapshot()
    const restored = store.restore()
    expect(store.getSnapshot()).not.toBe(before)
    expect(sessionQueryKey(store.getSnapshot())).toEqual(sessionQueryKey(before))
    shown.value = true
    await Vue.nextTick()
    await restored
    await flushPromises()
    expect(store.getSnapshot().account?.partyId).toBe('alice::1220aa')
    expect(queryClient.getQueryState(key)).toMatchObject({ data: 'prefetched', isInvalidated: false })
    wrapper.unmount()
    store.destroy()
  })

  it('C6: a second store in the page (an embedded widget that provides its own store of the same wallet), sharing the query client, mounted and mounted again, leaves the session queries of the app, whose session goes on', async () => {
    const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 60_000 } } })
    const provider = createMockProvider()
    const app = createSessionStore(provider, { storage: createMemoryStorage() })
    const widget = createSessionStore(provider, { storage: createMemoryStorage() })
    await app.connect()
    await widget.restore()
    let fetches = 0
    const Invalidation = defineComponent({ setup: () => (useSessionQueryInvalidation(), () => null) })
    const Holdings = defineComponent({
      setup() {
        const { state } = useSession()
        const holdings = useQuery({ queryKey: computed(() => sessionQueryKey(state.value, 'holdings')), queryFn: () => `holdings ${++fetches}` })
        return () => h('p', holdings.data.value ?? 'loading')
      },
    })
    const Widget = defineComponent({
      setup() {
        provideSession(widget)
        return () => h(Invalidation)
      },
    })
    const open = shallowRef(true)
    const App = defineComponent({ setup: () => () => [h(Invalidation), h(Holdings), open.value ? h(Widget) : null] })
    const wrapper = mount(App, { global: { plugins: [createSessionPlugin(app), [VueQueryPlugin, { queryClient }]] as never } })
    await flushPromises()
    expect(wrapper.text()).toBe('holdings 1')
    open.value = false
    await flushPromises()
    open.value = true
    await flushPromises()
    expect(wrapper.text()).toBe('holdings 1')
    expect(queryClient.getQueryData(sessionQueryKey(app.getSnapshot(), 'holdings'))).toBe('holdings 1')
    expect(fetches).toBe(1)
    wrapper.unmount()
  })

  it('§5 SSR: on the server it asks nothing of the session context\'s store (the plugin creates its server store only on first access)', async () => {
    const Root = defineComponent({ setup: () => (useSessionQueryInvalidation(), () => h('p', 'ok')) })
    const app = createSSRApp(Root).use(VueQueryPlugin, { queryClient: new QueryClient() })
    app.provide(SESSION_KEY, {
      server: true,
      initial: shallowRef(null),
      get store(): SessionStore {
        throw Error('the store was asked for')
      },
    })
    expect(await renderToString(app)).toBe('<p>ok</p>')
  })

  it('C12: an expiry removes them too; an explicit client works without VueQueryPlugin', async () => {
    vi.useFakeTimers()
    const { store, queryClient } = setup({ expiry: { ttlMs: 1000 } }, true)
    await store.connect()
    queryClient.setQueryData(sessionQueryKey(store.getSnapshot(), 'holdings'), 'cached')
    await vi.advanceTimersByTimeAsync(1000)
    expect(store.getSnapshot().lastError?.code).toBe('SESSION_EXPIRED')
    expect(queryClient.getQueryData(['sessionlayer', 'canton:devnet', 'alice::1220aa', 'holdings'])).toBeUndefined()
    expect(queryClient.getQueryData(['other'])).toBe('untouched')
  })

  it('C6: in an effect scope outside components (app.runWithContext) it keeps the cache in step, without a Vue warning, and is released when the scope stops', async () => {
    const store = createSessionStore(createMockProvider(), { storage: createMemoryStorage() })
    await store.connect()
    const queryClient = new QueryClient()
    // (Vue warns on the console outside a component)
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const app = createApp({ render: () => null }).use(createSessionPlugin(store))
    const scope = Vue.effectScope()
    app.runWithContext(() => scope.run(() => useSessionQueryInvalidation(queryClient)))
    const key = sessionQueryKey(store.getSnapshot(), 'holdings')
    queryClient.setQueryData(key, 'holdings of alice::1220aa')
    await store.disconnect()
    await flushPromises()
    expect(queryClient.getQueryData(key)).toBeUndefined()
    scope.stop()
    await store.connect()
    queryClient.setQueryData(key, 'kept')
    await store.disconnect()
    await flushPromises()
    expect(queryClient.getQueryData(key)).toBe('kept')
    const warned = warn.mock.calls.map(String)
    warn.mockRestore()
    expect(warned).toEqual([])
  })

  it('is released on unmount: later changes touch the cache no more', async () => {
    const { provider, store, queryClient, wrapper } = setup()
    await store.connect()
    await flushPromises()
    wrapper.unmount()
    const key = sessionQueryKey(store.getSnapshot(), 'kept')
    queryClient.setQueryData(key, 'kept')
    provider.wallet.switchParty('bob::1220bb')
    await store.disconnect()
    expect(queryClient.getQueryData(key)).toBe('kept')
    expect(queryClient.getQueryState(key)?.isInvalidated).toBe(false)
  })

  it('without VueQueryPlugin nor a client it throws Vue Query\'s error', () => {
    const store = createSessionStore(createMockProvider(), { storage: createMemoryStorage() })
    const errors: unknown[] = []
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const app = createApp(defineComponent({ setup: () => (useSessionQueryInvalidation(), () => null) })).use(createSessionPlugin(store))
    app.config.errorHandler = (error) => errors.push(error)
    app.mount(document.createElement('div'))
    warn.mockRestore()
    expect(String(errors[0])).toMatch(/VueQueryPlugin/)
  })
})

describe('useSessionQueryInvalidation: every source', () => {
  /** A query client with one session query and one other query, kept in step with `store`. */
  function mounted(store: SessionStore, party: string, network = 'canton:devnet') {
    const client = new QueryClient()
    client.setQueryData(['sessionlayer', network, party, 'holdings'], 'cached')
    client.setQueryData(['prices'], 'prices')
    const wrapper = mount(defineComponent({ setup: () => (useSessionQueryInvalidation(client), () => null) }), { global: { plugins: [createSessionPlugin(store)] } })
    const session = () => client.getQueryState(['sessionlayer', network, party, 'holdings'])
    return { client, session, wrapper }
  }

  it('C11: a network switch invalidates the session queries, and only those', async () => {
    const provider = createMockProvider()
    const store = createSessionStore(provider, { storage: createMemoryStorage() })
    await store.connect()
    const { client, session, wrapper } = mounted(store, 'alice::1220aa')
    provider.wallet.switchNetwork('canton:testnet')
    await walletEvents()
    await flushPromises()
    expect(store.getSnapshot().networkId).toBe('canton:testnet')
    expect(session()?.isInvalidated).toBe(true)
    expect(client.getQueryState(['prices'])?.isInvalidated).toBe(false)
    wrapper.unmount()
  })

  it.each([
    ['party', (wallet: MockWallet) => wallet.switchParty('bob::1220bb'), { previous: 'alice::1220aa', current: 'bob::1220bb', source: 'remote' }],
    ['network', (wallet: MockWallet) => wallet.switchNetwork('canton:testnet'), { previous: 'canton:devnet', current: 'canton:testnet', source: 'remote' }],
  ] as const)('M5: a %s switch in another tab invalidates this tab’s session queries', async (kind, change, expected) => {
    const hub = createChannelHub()
    const wallet = createMockWallet({ connected: true })
    const broadcast = { channelFactory: hub.channelFactory, lockManager: null }
    const here = createMockProvider({ wallet })
    const a = createSessionStore(here, { storage: createMemoryStorage(), broadcast })
    const b = createSessionStore(createMockProvider({ wallet }), { storage: createMemoryStorage(), broadcast })
    await a.restore()
    await b.restore()
    here.detach() // this tab hears of the switch only from the other tab
    const { client, session, wrapper } = mounted(a, 'alice::1220aa')
    const changes: unknown[] = []
    a.on(`${kind}:changed`, (e) => changes.push(e))
    change(wallet)
    // the other tab hears the wallet's event (a task), tells this tab (a task), and this tab reads
    // the wallet (its answer): waited for, however busy the machine
    await vi.waitFor(() => expect(changes).toHaveLength(1))
    expect(changes).toEqual([expected])
    expect(session()?.isInvalidated).toBe(true)
    expect(client.getQueryState(['prices'])?.isInvalidated).toBe(false)
    wrapper.unmount()
    a.destroy()
    b.destroy()
  })

  it.each([
    ['party', 'carol::1220cc', 'canton:devnet'],
    ['network', 'alice::1220aa', 'canton:testnet'],
  ])('C10: a restore that finds another %s than the persisted one invalidates the session queries', async (kind, party, network) => {
    const storage = createMemoryStorage()
    await storage.setItem(
      'sessionlayer.session',
      JSON.stringify({ version: 1, account: { partyId: party, primary: true }, accounts: [{ partyId: party, primary: true }], networkId: network, connectedAt: 1 }),
    )
    const store = createSessionStore(createMockProvider({ connected: true }), { storage })
    const changes: unknown[] = []
    store.on(`${kind as 'party' | 'network'}:changed`, (e) => changes.push(e))
    const { client, session, wrapper } = mounted(store, party, network)
    await store.restore()
    expect(store.getSnapshot()).toMatchObject({ account: { partyId: 'alice::1220aa' }, networkId: 'canton:devnet' })
    expect(changes).toHaveLength(1)
    expect(changes[0]).toMatchObject({ source: 'restore' })
    expect(session()?.isInvalidated).toBe(true)
    expect(client.getQueryState(['prices'])?.isInvalidated).toBe(false)
    wrapper.unmount()
  })
})
