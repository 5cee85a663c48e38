// @vitest-environment jsdom
import { createMemoryStorage, createSessionStore, DISCONNECTED_STATE, sessionQueryKey, type SessionState, type SessionStore } from '@sessionlayer/session-core'
import { createMockProvider, type MockProviderOptions } from '@sessionlayer/session-testing'
import { dehydrate, hydrate, QueryClient, useQuery, VueQueryPlugin } from '@tanstack/vue-query'
import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { computed, createApp, createSSRApp, defineAsyncComponent, defineComponent, h, onMounted, Suspense, type App, type Component } from 'vue'
import { renderToString } from 'vue/server-renderer'
import { createSessionPlugin } from './createSessionPlugin'
import { provideSession } from './provideSession'
import { useSession } from './useSession'
import { useSessionQueryInvalidation } from './useSessionQueryInvalidation'
import { walletEvents } from '../test/walletEvents'

/** A connected session, as a server would read it from cookie storage. */
const ALICE: SessionState = Object.freeze({
  ...DISCONNECTED_STATE,
  status: 'connected',
  account: { partyId: 'alice::1220aa', primary: true },
  accounts: Object.freeze([{ partyId: 'alice::1220aa', primary: true }]),
  networkId: 'canton:devnet',
  connectedAt: 1_700_000_000_000,
})

/**
 * The parties the holdings query fetched for, those whose answer reached the cache, and those
 * whose query left it.
 */
type Fetches = { parties: string[]; stored: string[]; removed: string[] }

/** A list of the party's holdings, keyed with `sessionQueryKey`, whose fetches `fetches` records. */
const holdingsList = (fetches: Fetches) =>
  defineComponent({
    setup() {
      const { state, isConnected } = useSession()
      const holdings = useQuery({
        queryKey: computed(() => sessionQueryKey(state.value, 'holdings')),
        enabled: isConnected,
        // (it reads no abort signal, as most do: Vue Query then lets a fetch whose query loses its
        // last observer run on, and keeps its answer)
        queryFn: async () => {
          const partyId = state.value.account?.partyId ?? ''
          fetches.parties.push(partyId)
          await new Promise((resolve) => setTimeout(resolve, 5))
          return `holdings of ${partyId}`
        },
      })
      return () => h('p', `${state.value.status}: ${holdings.data.value ?? 'no data'}`)
    },
  })

/**
 * A server-rendered page (an island of a multi-island page, hydrated late): a component that keeps
 * the cache in step, around a list of the party's holdings keyed with `sessionQueryKey`; with
 * `store`, the page provides the app's store with `provideSession(store, initialState)`.
 */
function page(fetches: Fetches, store?: SessionStore, initialState?: SessionState, restoreOnMount = false, part = (holdings: Component) => holdings) {
  const List = part(holdingsList(fetches))
  const Invalidation = defineComponent({
    setup() {
      useSessionQueryInvalidation()
      return () => h(List)
    },
  })
  return defineComponent({
    setup() {
      if (store) provideSession(store, initialState)
      // (as provideSession's example does: the app restores its store once the page has mounted)
      if (store && restoreOnMount) onMounted(() => void store.init())
      return () => h(Invalidation)
    },
  })
}

/**
 * The page of `page`, made an async page under <Suspense> (as a Nuxt page is): it keeps the cache
 * in step (or, with `outside`, a layout around the <Suspense> does), then awaits its data, then
 * lists the party's holdings. It hydrates after the mount.
 */
function asyncPage(fetches: Fetches, store?: SessionStore, initialState?: SessionState, outside = false) {
  const Holdings = holdingsList(fetches)
  const Page = defineComponent({
    async setup() {
      if (!outside) useSessionQueryInvalidation()
      await new Promise((resolve) => setTimeout(resolve, 10))
      return () => h(Holdings)
    },
  })
  // (with `outside`, a layout around the <Suspense> keeps the cache in step: it mounts before the page hydrates)
  const Layout = defineComponent({
    setup() {
      if (outside) useSessionQueryInvalidation()
      return () => h(Suspense, null, { default: () => h(Page) })
    },
  })
  return defineComponent({
    setup() {
      if (store) provideSession(store, initialState)
      return () => h(Layout)
    },
  })
}

/**
 * The page of `page` whose list of holdings is an async component (`defineAsyncComponent`): its
 * code loads, and it hydrates, after the page has mounted.
 */
function asyncPart(fetches: Fetches, store?: SessionStore, initialState?: SessionState, restoreOnMount = false, loadMs = 10) {
  return page(fetches, store, initialState, restoreOnMount, (holdings) =>
    defineAsyncComponent(() => new Promise<Component>((resolve) => setTimeout(() => resolve(holdings), loadMs))),
  )
}

let app: App | undefined
afterEach(() => {
  app?.unmount()
  app = undefined
  document.body.innerHTML = ''
})

/**
 * Renders the page on a server with `initialState`, then hydrates that HTML in the page over the
 * app's `store` (provided by the page), or over a store of the plugin's own for `wallet`, and lets
 * the fetches run.
 */
async function hydrateLate(initialState: SessionState, target: { store: SessionStore; restoreOnMount?: boolean } | { wallet: MockProviderOptions }, make: (fetches: Fetches, store?: SessionStore, initialState?: SessionState, restoreOnMount?: boolean) => Component = page) {
  const store = 'store' in target ? target.store : undefined
  // (on the server, a store that is never restored)
  const serverStore = createSessionStore(createMockProvider(), { storage: createMemoryStorage() })
  const server = createSSRApp(make({ parties: [], stored: [], removed: [] }, store && serverStore, initialState))
  const html = await renderToString(
    server.use(createSessionPlugin({ provider: undefined as never, initialState, server: true })).use(VueQueryPlugin, { queryClient: new QueryClient() }),
  )
  serverStore.destroy()
  const container = document.createElement('div')
  container.innerHTML = html
  document.body.append(container)
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 60_000 } } })
  const fetches: Fetches = { parties: [], stored: [], removed: [] }
  queryClient.getQueryCache().subscribe((event) => {
    if (event.type === 'updated' && event.action.type === 'success') fetches.stored.push(String(event.query.queryKey[2]))
    if (event.type === 'removed') fetches.removed.push(String(event.query.queryKey[2]))
  })
  app = createSSRApp(make(fetches, store, initialState, 'store' in target && target.restoreOnMount)).use(VueQueryPlugin, { queryClient })
  // (an app's store is provided by the page; else the plugin's own store restores once mounted)
  if ('wallet' in target) app.use(createSessionPlugin({ provider: createMockProvider(target.wallet), initialState, storage: createMemoryStorage() }))
  app.mount(container)
  const first = container.innerHTML
  await new Promise((resolve) => setTimeout(resolve, 30))
  // (on a busy machine the page's and the fetch's timers run late: wait for the fetches to end)
  await vi.waitFor(() => expect(queryClient.isFetching()).toBe(0))
  await flushPromises()
  const cached = queryClient
    .getQueryCache()
    .findAll({ queryKey: ['sessionlayer'] })
    .map((query) => [query.queryKey[2], query.state.data])
  return { first, html, container, fetches, cached, queryClient }
}

/** An app's store, connected, then switched by the wallet to bob, before the hydration. */
async function switchedToBob() {
  const provider = createMockProvider()
  const store = createSessionStore(provider, { storage: createMemoryStorage() })
  await store.connect()
  await walletEvents() // the connection's events
  provider.wallet.switchParty('bob::1220bb')
  await walletEvents()
  await flushPromises()
  expect(store.getSnapshot().account?.partyId).toBe('bob::1220bb')
  return store
}

describe('useSessionQueryInvalidation in a page hydrated after the session moved on', () => {
  it('C6: a session that ended before the hydration (signed out in another tab) leaves none of its party’s data in the cache, though the server rendered it connected', async () => {
    const store = createSessionStore(createMockProvider(), { storage: createMemoryStorage() })
    await store.connect()
    await store.disconnect()
    const { first, html, container, fetches, cached } = await hydrateLate(ALICE, { store })
    expect(first).toBe(html)
    expect(container.textContent).toBe('disconnected: no data')
    // the hydration rendered alice's session, whose query started: it is gone, its answer dropped
    expect(fetches).toEqual({ parties: ['alice::1220aa'], stored: [], removed: ['alice::1220aa'] })
    expect(cached).toEqual([[null, undefined]])
    store.destroy()
  })

  it.each<[string, NonNullable<Parameters<typeof hydrateLate>[2]>]>([
    ['a party switched before the hydration keeps only the new party’s data, though the server rendered the previous one', page],
    ['an async page under <Suspense> (hydrated after the mount) that keeps the cache in step keeps only the new party’s data, though the server rendered the previous one', asyncPage],
    [
      'an async page under <Suspense> whose layout keeps the cache in step (mounted before the page hydrates) keeps only the new party’s data, though the page too rendered the previous one',
      (fetches, store, initialState) => asyncPage(fetches, store, initialState, true),
    ],
    ['an async component that hydrates after the page mounted, after a party switched before the hydration, keeps only the new party’s data', asyncPart],
  ])('C11: %s', async (_case, make) => {
    const store = await switchedToBob()
    const { container, fetches, cached } = await hydrateLate(ALICE, { store }, make)
    expect(container.textContent).toBe('connected: holdings of bob::1220bb')
    expect(cached).toEqual([['bob::1220bb', 'holdings of bob::1220bb']])
    expect(fetches).toEqual({ parties: ['alice::1220aa', 'bob::1220bb'], stored: ['bob::1220bb'], removed: ['alice::1220aa'] })
    store.destroy()
  })

  it('C6: an async component (defineAsyncComponent) that hydrates after the page mounted leaves none of the ended session’s data in the cache, though it too rendered it', async () => {
    const store = createSessionStore(createMockProvider(), { storage: createMemoryStorage() })
    await store.connect()
    await store.disconnect()
    const { container, fetches, cached } = await hydrateLate(ALICE, { store }, asyncPart)
    expect(container.textContent).toBe('disconnected: no data')
    expect(fetches).toEqual({ parties: ['alice::1220aa'], stored: [], removed: ['alice::1220aa'] })
    expect(cached).toEqual([[null, undefined]])
    store.destroy()
  })

  it.each([
    ['while the first restore is under way', 10, 100],
    ['once the first restore has ended', 40, 10],
  ])('C6, C9: an async component that hydrates %s, when the restore finds the wallet disconnected, leaves none of the server’s party’s data in the cache', async (_when, loadMs, restoreMs) => {
    const storage = createMemoryStorage()
    await storage.setItem('sessionlayer.session', JSON.stringify({ version: 1, account: ALICE.account, accounts: ALICE.accounts, networkId: ALICE.networkId, connectedAt: 1 }))
    const store = createSessionStore(createMockProvider({ latencyMs: restoreMs }), { storage })
    const restored = store.init()
    expect(store.getSnapshot().status).toBe('reconnecting')
    const { container, fetches, queryClient } = await hydrateLate(ALICE, { store }, (fetches, store, initialState) => asyncPart(fetches, store, initialState, false, loadMs))
    await restored
    await new Promise((resolve) => setTimeout(resolve, 20))
    await flushPromises()
    expect(store.getSnapshot().status).toBe('disconnected')
    expect(container.textContent).toBe('disconnected: no data')
    // the async component rendered alice's session, whose query started: it is gone
    expect(fetches.parties).toEqual(['alice::1220aa'])
    expect(queryClient.getQueryCache().findAll({ queryKey: sessionQueryKey(ALICE) })).toEqual([])
    store.destroy()
  })

  it('C9: hydrated while the first restore is under way, it keeps the queries of the server’s party, which the wallet then confirms: no second fetch', async () => {
    const store = createSessionStore(createMockProvider({ connected: true, latencyMs: 10 }), { storage: createMemoryStorage() })
    const restored = store.init()
    expect(store.getSnapshot().status).toBe('reconnecting')
    const { fetches } = await hydrateLate(ALICE, { store })
    await restored
    await new Promise((resolve) => setTimeout(resolve, 20))
    await flushPromises()
    expect(document.body.textContent).toBe('connected: holdings of alice::1220aa')
    expect(fetches).toEqual({ parties: ['alice::1220aa'], stored: ['alice::1220aa'], removed: [] })
    store.destroy()
  })

  it('C9: the plugin’s own store, which restores once the app has mounted, keeps the queries of the server’s party that the wallet confirms', async () => {
    const { container, fetches, cached } = await hydrateLate(ALICE, { wallet: { connected: true } })
    expect(container.textContent).toBe('connected: holdings of alice::1220aa')
    expect(cached).toContainEqual(['alice::1220aa', 'holdings of alice::1220aa'])
    expect(fetches.removed).toEqual([])
  })

  it('C9: an app’s store that the page restores once mounted keeps the queries of the server’s party that the wallet confirms', async () => {
    const store = createSessionStore(createMockProvider({ connected: true }), { storage: createMemoryStorage() })
    const { container, fetches, cached } = await hydrateLate(ALICE, { store, restoreOnMount: true })
    expect(container.textContent).toBe('connected: holdings of alice::1220aa')
    expect(cached).toContainEqual(['alice::1220aa', 'holdings of alice::1220aa'])
    expect(fetches.removed).toEqual([])
    store.destroy()
  })

  it.each([
    ['ended before the page mounted (signed out in another tab): they are removed once it has mounted', false],
    ['the store holds: they are kept', true],
  ])('C6: the server’s queries put in the cache before the mount (its dehydrated state), which no component of the page uses, of a session %s', async (_case, connected) => {
    const store = createSessionStore(createMockProvider(), { storage: createMemoryStorage() })
    if (connected) await store.connect()
    const server = new QueryClient()
    server.setQueryData(sessionQueryKey(ALICE, 'profile'), 'profile of alice::1220aa')
    const queryClient = new QueryClient()
    hydrate(queryClient, JSON.parse(JSON.stringify(dehydrate(server))))
    const Invalidation = defineComponent(() => (useSessionQueryInvalidation(), () => h('p', 'page')))
    app = createApp(
      defineComponent(() => {
        provideSession(store, ALICE)
        return () => h(Invalidation)
      }),
    ).use(VueQueryPlugin, { queryClient })
    app.mount(document.createElement('div'))
    await flushPromises()
    expect(queryClient.getQueryData(sessionQueryKey(ALICE, 'profile'))).toBe(connected ? 'profile of alice::1220aa' : undefined)
    store.destroy()
  })

  it('hydrated with the session the store holds, it removes nothing and fetches once', async () => {
    const store = createSessionStore(createMockProvider(), { storage: createMemoryStorage() })
    await store.connect()
    expect(sessionQueryKey(store.getSnapshot())).toEqual(sessionQueryKey(ALICE))
    const { container, fetches, cached } = await hydrateLate(ALICE, { store })
    expect(container.textContent).toBe('connected: holdings of alice::1220aa')
    expect(cached).toEqual([['alice::1220aa', 'holdings of alice::1220aa']])
    expect(fetches).toEqual({ parties: ['alice::1220aa'], stored: ['alice::1220aa'], removed: [] })
    store.destroy()
  })

  it('C11: an async component that hydrates after a party switch, which kept the previous party’s queries, removes them: it neither fetches that party’s holdings again nor leaves them in the cache', async () => {
    const provider = createMockProvider()
    const store = createSessionStore(provider, { storage: createMemoryStorage() })
    await store.connect()
    // (the page lists alice's holdings, and so does a part of it, an async component whose code
    // loads, and which hydrates, once the party switched)
    let load = () => {}
    const loaded = new Promise<void>((resolve) => (load = resolve))
    let made = 0
    const withLatePart = (holdings: Component) => {
      // (the server renders the part at once; the page's part waits for its code)
      const code = made++ ? loaded : Promise.resolve()
      const Late = defineAsyncComponent(() => code.then(() => holdings))
      return defineComponent(() => () => [h(holdings), h(Late)])
    }
    const { container, fetches, queryClient } = await hydrateLate(ALICE, { store }, (fetches, store, initialState) => page(fetches, store, initialState, false, withLatePart))
    expect(fetches.stored).toEqual(['alice::1220aa'])
    provider.wallet.switchParty('bob::1220bb')
    await walletEvents()
    load()
    await new Promise((resolve) => setTimeout(resolve, 80))
    await flushPromises()
    expect(container.textContent).toBe('connected: holdings of bob::1220bb'.repeat(2))
    expect(fetches.stored).toEqual(['alice::1220aa', 'bob::1220bb'])
    expect(queryClient.getQueryCache().findAll({ queryKey: sessionQueryKey(ALICE) })).toEqual([])
    store.destroy()
  })

  it('C11: a party switch after the hydration invalidates the previous party’s queries, which the hydration rendered, and keeps them: the new party’s queries added then remove nothing', async () => {
    const provider = createMockProvider()
    const store = createSessionStore(provider, { storage: createMemoryStorage() })
    await store.connect()
    const { container, fetches, queryClient } = await hydrateLate(ALICE, { store })
    provider.wallet.switchParty('bob::1220bb')
    await new Promise((resolve) => setTimeout(resolve, 30))
    await flushPromises()
    expect(container.textContent).toBe('connected: holdings of bob::1220bb')
    expect(fetches).toEqual({ parties: ['alice::1220aa', 'bob::1220bb'], stored: ['alice::1220aa', 'bob::1220bb'], removed: [] })
    expect(queryClient.getQueryState(sessionQueryKey(ALICE, 'holdings'))).toMatchObject({ data: 'holdings of alice::1220aa', isInvalidated: true })
    store.destroy()
  })
})
