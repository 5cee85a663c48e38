// @vitest-environment jsdom
import {
  createMemoryStorage,
  createSessionStore,
  sessionQueryKey,
  type CIP0103Provider,
  type SessionState,
  type SessionStore,
} from '@sessionlayer/session-core'
import { createMockProvider } from '@sessionlayer/session-testing'
import { QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query'
import { act } from '@testing-library/react'
import { lazy, StrictMode, Suspense, type ComponentType } from 'react'
import { hydrateRoot, type Root } from 'react-dom/client'
import { renderToString } from 'react-dom/server'
import { afterEach, describe, expect, it } from 'vitest'
import { CONNECTED_STATE, walletEvents } from '../test/helpers'
import { SessionProvider } from './SessionProvider'
import { useSession } from './useSession'
import { useSessionQueryInvalidation } from './useSessionQueryInvalidation'

/**
 * The parties the island's holdings query fetched for, those whose answer reached the cache, and
 * those whose query left it.
 */
type Fetches = { parties: string[]; stored: string[]; removed?: string[] }

/**
 * A server-rendered root (an island of a multi-island page, hydrated late) over an app-owned store:
 * the hook, then a list of the party's holdings, keyed with `sessionQueryKey` (with `beside`, that
 * list, then the part that lists them too).
 */
function island(store: SessionStore | CIP0103Provider, client: QueryClient, initialState: SessionState, fetches: Fetches, part?: (holdings: ComponentType) => ComponentType, beside = false) {
  function Invalidation() {
    useSessionQueryInvalidation()
    return null
  }
  function Holdings() {
    const session = useSession()
    const { data } = useQuery({
      queryKey: sessionQueryKey(session, 'holdings'),
      enabled: session.isConnected,
      // (it reads no abort signal, as most do: TanStack Query then lets a fetch whose query loses
      // its last observer run on, and keeps its answer)
      queryFn: async () => {
        const partyId = session.account?.partyId ?? ''
        fetches.parties.push(partyId)
        await new Promise((resolve) => setTimeout(resolve, 5))
        return `holdings of ${partyId}`
      },
    })
    return <p>{`${session.status}: ${data ?? 'no data'}`}</p>
  }
  return (
    <QueryClientProvider client={client}>
      <SessionProvider {...('subscribe' in store ? { store } : { provider: store })} initialState={initialState}>
        <Invalidation />
        {beside && <Holdings />}
        {part ? <Part part={part(Holdings)} /> : <Holdings />}
      </SessionProvider>
    </QueryClientProvider>
  )
}

/** A part of the island under its own `<Suspense>` boundary. */
function Part({ part: Holdings }: { part: ComponentType }) {
  return (
    <Suspense fallback="…">
      <Holdings />
    </Suspense>
  )
}

let root: Root | undefined
afterEach(() => {
  act(() => root?.unmount())
  root = undefined
  document.body.innerHTML = ''
})

/**
 * Renders the island on a server (a store that is never restored), then hydrates that HTML in the
 * page (under StrictMode if `strict`), and lets the fetches run. With `handed`, the server fetched
 * the holdings of the `initialState`'s party and handed them to the page with the HTML (as
 * `dehydrate` and `<HydrationBoundary>` do).
 */
async function hydrateLate(store: SessionStore | CIP0103Provider, initialState: SessionState, strict = false, part?: (holdings: ComponentType) => ComponentType, beside = false, handed?: string) {
  const server = createSessionStore(createMockProvider(), { storage: createMemoryStorage() })
  const serverClient = new QueryClient()
  if (handed) serverClient.setQueryData(sessionQueryKey(initialState, 'holdings'), handed)
  const html = renderToString(island(server, serverClient, initialState, { parties: [], stored: [] }, part && ((holdings) => holdings), beside))
  server.destroy()
  const container = document.createElement('div')
  container.innerHTML = html
  document.body.append(container)
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 60_000 } } })
  if (handed) client.setQueryData(sessionQueryKey(initialState, 'holdings'), handed)
  const fetches: Fetches = { parties: [], stored: [] }
  client.getQueryCache().subscribe((event) => {
    if (event.type === 'updated' && event.action.type === 'success') fetches.stored.push(String(event.query.queryKey[2]))
    if (event.type === 'removed') (fetches.removed ??= []).push(String(event.query.queryKey[2]))
  })
  const app = island(store, client, initialState, fetches, part, beside)
  await act(async () => {
    root = hydrateRoot(container, strict ? <StrictMode>{app}</StrictMode> : app)
    await Promise.resolve()
  })
  await act(() => new Promise((resolve) => setTimeout(resolve, part ? 60 : 30)))
  const cached = () => client.getQueryCache().findAll({ queryKey: ['sessionlayer'] }).map((q) => [q.queryKey[2], q.state.data])
  return { container, client, fetches, cached }
}

/** A store connected, then switched by the wallet to bob, before the hydration. */
async function switchedToBob() {
  const provider = createMockProvider()
  const store = createSessionStore(provider, { storage: createMemoryStorage() })
  await store.connect()
  provider.wallet.switchParty('bob::1220bb')
  await new Promise((resolve) => setTimeout(resolve, 0))
  expect(store.getSnapshot().account?.partyId).toBe('bob::1220bb')
  return store
}

describe('useSessionQueryInvalidation in a root hydrated after the session moved on', () => {
  it('C6: a session that ended before the hydration (signed out in another tab) leaves none of its party’s data in the cache, its fetch’s answer dropped, though the server rendered it connected', async () => {
    const store = createSessionStore(createMockProvider(), { storage: createMemoryStorage() })
    await store.connect()
    await store.disconnect()
    const { container, cached, fetches } = await hydrateLate(store, CONNECTED_STATE)
    expect(container.textContent).toBe('disconnected: no data')
    // the hydration rendered alice's session, whose query started: it is gone, its answer dropped
    expect(fetches).toEqual({ parties: ['alice::1220aa'], stored: [], removed: ['alice::1220aa'] })
    expect(cached()).toEqual([[null, undefined]])
    store.destroy()
  })

  it('C11: a party switched before the hydration keeps only the new party’s data, though the server rendered the previous one', async () => {
    const store = await switchedToBob()
    const { container, cached, fetches } = await hydrateLate(store, CONNECTED_STATE)
    expect(container.textContent).toBe('connected: holdings of bob::1220bb')
    expect(cached()).toEqual([['bob::1220bb', 'holdings of bob::1220bb']])
    expect(fetches).toEqual({ parties: ['alice::1220aa', 'bob::1220bb'], stored: ['bob::1220bb'], removed: ['alice::1220aa'] })
    store.destroy()
  })

  it('C11: under StrictMode (effects mounted twice) a party switched before the hydration keeps only the new party’s data', async () => {
    const store = await switchedToBob()
    const { container, cached, fetches } = await hydrateLate(store, CONNECTED_STATE, true)
    expect(container.textContent).toBe('connected: holdings of bob::1220bb')
    expect(cached()).toEqual([['bob::1220bb', 'holdings of bob::1220bb']])
    expect(fetches).toEqual({ parties: ['alice::1220aa', 'bob::1220bb'], stored: ['bob::1220bb'], removed: ['alice::1220aa'] })
    store.destroy()
  })

  it.each([false, true])('C6, C11: a part of the island that hydrates later (a lazy component under <Suspense>, StrictMode: %s) leaves none of the ended session’s data in the cache, though that part too rendered it', async (strict) => {
    const store = createSessionStore(createMockProvider(), { storage: createMemoryStorage() })
    await store.connect()
    await store.disconnect()
    // (its code loads once the island has hydrated: its boundary hydrates then, with the server's session)
    const lazyPart = (holdings: ComponentType) => lazy(() => new Promise<{ default: ComponentType }>((resolve) => setTimeout(() => resolve({ default: holdings }), 10)))
    const { container, cached, fetches } = await hydrateLate(store, CONNECTED_STATE, strict, lazyPart)
    expect(container.textContent).toBe('disconnected: no data')
    expect(fetches.stored).toEqual([])
    expect(cached()).toEqual([[null, undefined]])
    store.destroy()
  })

  it('C11: a part of the island that hydrates later, after a party switched before the hydration, keeps none of the previous party’s data', async () => {
    const store = await switchedToBob()
    const lazyPart = (holdings: ComponentType) => lazy(() => new Promise<{ default: ComponentType }>((resolve) => setTimeout(() => resolve({ default: holdings }), 10)))
    const { cached, fetches } = await hydrateLate(store, CONNECTED_STATE, false, lazyPart)
    expect(fetches.parties).toEqual(['alice::1220aa', 'bob::1220bb'])
    expect(fetches.stored).not.toContain('alice::1220aa')
    expect(cached().map(([partyId]) => partyId)).toEqual(['bob::1220bb'])
    store.destroy()
  })

  it.each([
    ['while the first restore is under way', 10, 100],
    ['once the first restore has ended', 40, 10],
  ])('C6, C9: a part of the island that hydrates later, %s, when the restore finds the wallet disconnected, leaves none of the server’s party’s data in the cache', async (_when, partMs, restoreMs) => {
    const storage = createMemoryStorage()
    await storage.setItem('sessionlayer.session', JSON.stringify({ version: 1, account: CONNECTED_STATE.account, accounts: CONNECTED_STATE.accounts, networkId: CONNECTED_STATE.networkId, connectedAt: 1 }))
    const store = createSessionStore(createMockProvider({ latencyMs: restoreMs }), { storage })
    const restored = store.init()
    expect(store.getSnapshot().status).toBe('reconnecting')
    const lazyPart = (holdings: ComponentType) => lazy(() => new Promise<{ default: ComponentType }>((resolve) => setTimeout(() => resolve({ default: holdings }), partMs)))
    const { container, cached, fetches } = await hydrateLate(store, CONNECTED_STATE, false, lazyPart)
    await act(() => restored)
    await act(() => new Promise((resolve) => setTimeout(resolve, 20)))
    expect(store.getSnapshot().status).toBe('disconnected')
    expect(container.textContent).toBe('disconnected: no data')
    // the part rendered alice's session, whose query started: it is gone
    expect(fetches.parties).toEqual(['alice::1220aa'])
    expect(cached()).toEqual([[null, undefined]])
    store.destroy()
  })

  it('C9: hydrated while the first restore is under way, it keeps the queries of the server’s party, which the wallet then confirms: no second fetch', async () => {
    const provider = createMockProvider({ connected: true, latencyMs: 10 })
    const store = createSessionStore(provider, { storage: createMemoryStorage() })
    const restored = store.init()
    expect(store.getSnapshot().status).toBe('reconnecting')
    const { container, fetches } = await hydrateLate(store, CONNECTED_STATE)
    await act(() => restored)
    await act(() => new Promise((resolve) => setTimeout(resolve, 20)))
    expect(container.textContent).toBe('connected: holdings of alice::1220aa')
    expect(fetches).toEqual({ parties: ['alice::1220aa'], stored: ['alice::1220aa'] })
    store.destroy()
  })

  it.each([false, true])('C9: a provider of its own (StrictMode: %s), which restores once mounted, keeps the queries of the server’s party that the wallet confirms: no second fetch', async (strict) => {
    const { container, cached, fetches } = await hydrateLate(createMockProvider({ connected: true }), CONNECTED_STATE, strict)
    expect(container.textContent).toBe('connected: holdings of alice::1220aa')
    // (and the disabled query of the disconnected store the hydration rendered before the restore)
    expect(cached()).toEqual([
      ['alice::1220aa', 'holdings of alice::1220aa'],
      [null, undefined],
    ])
    expect(fetches).toEqual({ parties: ['alice::1220aa'], stored: ['alice::1220aa'] }) // nothing removed, no second fetch
  })

  it.each([false, true])('hydrated with the session the store holds (StrictMode: %s), it removes nothing and fetches once', async (strict) => {
    const store = createSessionStore(createMockProvider(), { storage: createMemoryStorage() })
    await store.connect()
    expect(sessionQueryKey(store.getSnapshot())).toEqual(sessionQueryKey(CONNECTED_STATE))
    const { container, cached, fetches, client } = await hydrateLate(store, CONNECTED_STATE, strict)
    expect(container.textContent).toBe('connected: holdings of alice::1220aa')
    expect(cached()).toEqual([['alice::1220aa', 'holdings of alice::1220aa']])
    expect(fetches).toEqual({ parties: ['alice::1220aa'], stored: ['alice::1220aa'] })
    // a query of the app's own, outside the session keys, is untouched too
    expect(client.getQueryCache().getAll()).toHaveLength(1)
    store.destroy()
  })

  it.each([false, true])('C11: a part of the island that hydrates after a party switch (a lazy component under <Suspense>, StrictMode: %s), which kept the previous party’s queries, removes them: it neither fetches that party’s holdings again nor leaves them in the cache', async (strict) => {
    const provider = createMockProvider()
    const store = createSessionStore(provider, { storage: createMemoryStorage() })
    await store.connect()
    // (the server handed alice's holdings, which the island lists, and so does a part of it whose
    // code loads once the party switched: its boundary hydrates then, with the server's session and
    // its data)
    let load = () => {}
    const loaded = new Promise<void>((resolve) => (load = resolve))
    const lazyPart = (holdings: ComponentType) => lazy(() => loaded.then(() => ({ default: holdings })))
    const { container, cached, fetches } = await hydrateLate(store, CONNECTED_STATE, strict, lazyPart, true, 'holdings of alice::1220aa')
    expect(container.textContent).toBe('connected: holdings of alice::1220aa'.repeat(2))
    await act(async () => {
      provider.wallet.switchParty('bob::1220bb')
      await walletEvents()
    })
    // (the part's code loads now: its boundary hydrates, then its fetches run)
    load()
    await act(() => new Promise((resolve) => setTimeout(resolve, 60)))
    await act(() => new Promise((resolve) => setTimeout(resolve, 30)))
    expect(container.textContent).toBe('connected: holdings of bob::1220bb'.repeat(2))
    // (the part's query may start a fetch of alice's holdings: its answer is dropped)
    expect(fetches.stored).toEqual(['bob::1220bb'])
    expect(fetches.removed).toEqual(['alice::1220aa'])
    expect(cached()).toEqual([['bob::1220bb', 'holdings of bob::1220bb']])
    store.destroy()
  })

  it('C11: a party switch after the hydration invalidates the previous party’s queries, which the hydration rendered, and keeps them: the new party’s queries added then remove nothing', async () => {
    const provider = createMockProvider()
    const store = createSessionStore(provider, { storage: createMemoryStorage() })
    await store.connect()
    const { container, cached, client } = await hydrateLate(store, CONNECTED_STATE)
    await act(async () => {
      provider.wallet.switchParty('bob::1220bb')
      await walletEvents()
    })
    await act(() => new Promise((resolve) => setTimeout(resolve, 30)))
    expect(container.textContent).toBe('connected: holdings of bob::1220bb')
    expect(cached()).toEqual([
      ['alice::1220aa', 'holdings of alice::1220aa'],
      ['bob::1220bb', 'holdings of bob::1220bb'],
    ])
    expect(client.getQueryState(sessionQueryKey(CONNECTED_STATE, 'holdings'))?.isInvalidated).toBe(true)
    store.destroy()
  })
})
