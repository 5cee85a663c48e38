// @vitest-environment jsdom
import { createMemoryStorage, createSessionStore, sessionQueryKey, type SessionStore } from '@sessionlayer/session-core'
import { createChannelHub, createMockProvider, createMockWallet, type MockWallet } from '@sessionlayer/session-testing'
import { QueryClient, QueryClientProvider, useQuery, useSuspenseQuery } from '@tanstack/react-query'
import { act, render, renderHook, screen, waitFor } from '@testing-library/react'
import { StrictMode, Suspense, type ReactNode } from 'react'
import { describe, expect, it, vi } from 'vitest'
import { setup, walletEvents } from '../test/helpers'
import { SessionProvider } from './SessionProvider'
import { useSession } from './useSession'
import { useSessionQueryInvalidation } from './useSessionQueryInvalidation'

/** Renders `Content` under both providers, below a root that keeps the query cache in step. */
function renderApp(store: SessionStore, client: QueryClient, Content: () => ReactNode) {
  function App() {
    useSessionQueryInvalidation()
    return <Content />
  }
  render(
    <QueryClientProvider client={client}>
      <SessionProvider store={store}>
        <App />
      </SessionProvider>
    </QueryClientProvider>,
  )
}

/**
 * For the wallet-switch tests: `Me` shows the party and its `['sessionlayer', 'me']` query,
 * `Invalidation` keeps the query cache in step, `connect` connects the session `Me` last rendered.
 */
function walletViews() {
  let connect = (): Promise<unknown> => Promise.resolve()
  function Me() {
    const session = useSession()
    connect = session.connect
    const { data } = useQuery({
      queryKey: ['sessionlayer', 'me'],
      enabled: session.isConnected,
      queryFn: () => Promise.resolve(`me: ${session.account?.partyId}`),
    })
    return <p>{`${session.account?.partyId ?? 'nobody'} sees ${data ?? 'nothing'}`}</p>
  }
  function Invalidation() {
    useSessionQueryInvalidation()
    return null
  }
  return { Me, Invalidation, connect: () => connect() }
}

function setupApp() {
  const env = setup()
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } })
  const fetched: string[] = []
  let otherFetches = 0

  function Holdings() {
    const session = useSession()
    const { data } = useQuery({
      queryKey: sessionQueryKey(session, 'holdings'),
      queryFn: () => {
        const party = session.account?.partyId ?? 'none'
        fetched.push(party)
        return Promise.resolve(`holdings of ${party}`)
      },
    })
    return <p>{data ?? 'loading'}</p>
  }
  function Other() {
    const { data } = useQuery({ queryKey: ['prices'], queryFn: () => Promise.resolve(`prices ${++otherFetches}`) })
    return <p>{data ?? 'loading'}</p>
  }
  function Content() {
    const { isConnected } = useSession()
    return (
      <>
        {isConnected && <Holdings />}
        <Other />
      </>
    )
  }
  renderApp(env.store, client, Content)
  const underRoot = () => client.getQueryCache().findAll({ queryKey: ['sessionlayer'] })
  const invalidated: unknown[] = []
  client.getQueryCache().subscribe((event) => {
    if (event.type === 'updated' && event.action.type === 'invalidate') invalidated.push(event.query.queryKey)
  })
  // the wallet switches party, and the app shows the new party's holdings
  const switchTo = async (partyId: string) => {
    await act(async () => {
      env.wallet.switchParty(partyId)
      await walletEvents()
    })
    await screen.findByText(`holdings of ${partyId}`)
  }
  return { ...env, client, fetched, invalidated, underRoot, switchTo, otherFetches: () => otherFetches }
}

/** Lets the fetches a switch started (or would start) run. */
const settle = () => act(() => new Promise((resolve) => setTimeout(resolve, 10)))

/**
 * A session query whose key stays the same for every party (`['sessionlayer', 'me']`), fetched
 * while connected; its answers wait until the test calls `answer()`.
 */
function renderMe() {
  const env = setup()
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } })
  const pending: (() => void)[] = []
  const asked: string[] = []
  function Me() {
    const { isConnected } = useSession()
    const { data } = useQuery({
      queryKey: ['sessionlayer', 'me'],
      enabled: isConnected,
      queryFn: () => {
        const party = env.store.getSnapshot().account?.partyId ?? 'none'
        asked.push(party)
        return new Promise<string>((resolve) => pending.push(() => resolve(`me: ${party}`)))
      },
    })
    return <p>{data ?? 'loading'}</p>
  }
  renderApp(env.store, client, Me)
  const answer = () => {
    for (const done of pending.splice(0)) done()
  }
  return { env, client, asked, answer }
}

describe('useSessionQueryInvalidation', () => {
  it('C11: invalidates session queries on a party switch (refetched for the new party); other queries untouched', async () => {
    const { store, client, fetched, invalidated, otherFetches, switchTo } = setupApp()
    await act(() => store.connect())
    await screen.findByText('holdings of alice::1220aa')
    await screen.findByText('prices 1')
    const aliceKey = sessionQueryKey(store.getSnapshot(), 'holdings')
    const pricesUpdatedAt = client.getQueryState(['prices'])?.dataUpdatedAt

    await switchTo('bob::1220bb')
    expect(invalidated).toEqual([aliceKey])
    expect(fetched.at(-1)).toBe('bob::1220bb')
    expect(fetched.filter((party) => party === 'bob::1220bb')).toHaveLength(1)
    expect(client.getQueryState(['prices'])).toMatchObject({ isInvalidated: false, dataUpdatedAt: pricesUpdatedAt })
    expect(otherFetches()).toBe(1)
  })

  it('C11: a party or network switch fetches for the new session only, never again for the previous one', async () => {
    const { store, wallet, fetched, switchTo } = setupApp()
    await act(() => store.connect())
    await screen.findByText('holdings of alice::1220aa')
    await switchTo('bob::1220bb')
    await act(async () => {
      wallet.switchNetwork('canton:testnet')
      await walletEvents()
    })
    await settle()
    expect(fetched).toEqual(['alice::1220aa', 'bob::1220bb', 'bob::1220bb'])
  })

  it.each([
    ['a value', false],
    ['a value', true],
    ['a resolved promise', false],
    ['a resolved promise', true],
  ] as const)("C11: a party switch, then a network switch, fetch the new session's query once each, though its first fetch ends within the tick of the switch (queryFn answers %s; outside act(): %s)", async (answers, app) => {
    const env = setup()
    const client = new QueryClient({ defaultOptions: { queries: { retry: false, gcTime: Infinity } } })
    const fetched: string[] = []
    // rendered whoever is connected: its key moves with the session, and its answer comes at once,
    // so that the new session's first fetch, which starts once React has rendered the switch, also
    // ends within the tick of the switch; the refetch of the session's queries, queued at the
    // switch, must not fetch it again once it has data (with any TanStack Query 5)
    function Holdings() {
      const session = useSession()
      const { data } = useQuery({
        queryKey: sessionQueryKey(session, 'holdings'),
        queryFn: () => {
          const party = session.account?.partyId ?? 'none'
          fetched.push(party)
          return answers == 'a value' ? `holdings of ${party}` : Promise.resolve(`holdings of ${party}`)
        },
      })
      return <p>{data ?? 'loading'}</p>
    }
    renderApp(env.store, client, Holdings)
    await act(() => env.store.connect())
    await screen.findByText('holdings of alice::1220aa')
    const actEnvironment = (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT
    // outside act(), React renders when its scheduler runs: the change is waited for until `done`
    // holds (a fetch again, queued at the switch, would have started by then), then a little more
    const change = async (step: () => void, done: () => void) => {
      if (app) {
        ;(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = false
        try {
          step()
          await waitFor(done)
          await new Promise((resolve) => setTimeout(resolve, 20))
        } finally {
          ;(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = actEnvironment
        }
      } else {
        await act(async () => {
          step()
          await walletEvents()
        })
        await settle()
      }
    }
    const shown = () => expect(screen.getByText('holdings of bob::1220bb')).toBeTruthy()
    await change(() => env.wallet.switchParty('bob::1220bb'), shown)
    shown()
    expect(fetched).toEqual(['none', 'alice::1220aa', 'bob::1220bb'])
    await change(() => env.wallet.switchNetwork('canton:testnet'), () => expect(fetched).toHaveLength(4))
    expect(fetched).toEqual(['none', 'alice::1220aa', 'bob::1220bb', 'bob::1220bb'])
    expect(client.getQueryState(sessionQueryKey(env.store.getSnapshot(), 'holdings'))).toMatchObject({ status: 'success', fetchStatus: 'idle', isInvalidated: false })
  })

  it('C11: back to a party whose data is cached, its query is fetched once, not started and then started again', async () => {
    const { store, fetched, switchTo } = setupApp()
    await act(() => store.connect())
    await screen.findByText('holdings of alice::1220aa')
    await switchTo('bob::1220bb')
    await switchTo('alice::1220aa')
    await settle()
    expect(fetched).toEqual(['alice::1220aa', 'bob::1220bb', 'alice::1220aa'])
  })

  it('C11: a session query no component uses is marked stale at a party switch, not fetched', async () => {
    const { store, client, switchTo } = setupApp()
    await act(() => store.connect())
    await screen.findByText('holdings of alice::1220aa')
    let directoryFetches = 0
    await act(() => client.getQueryCache().build(client, { queryKey: ['sessionlayer', 'directory'], queryFn: () => Promise.resolve(++directoryFetches) }).fetch())
    await switchTo('bob::1220bb')
    await settle()
    expect(client.getQueryState(['sessionlayer', 'directory'])).toMatchObject({ isInvalidated: true, data: 1 })
    expect(directoryFetches).toBe(1)
  })

  it('C11: outside act(), as in an app, a party switch fetches for the new party only, once React has rendered it', async () => {
    const { store, wallet, fetched } = setupApp()
    await act(() => store.connect())
    await screen.findByText('holdings of alice::1220aa')
    const actEnvironment = (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT
    ;(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = false
    try {
      wallet.switchParty('bob::1220bb')
      await new Promise((resolve) => setTimeout(resolve, 20))
      expect(screen.getByText('holdings of bob::1220bb')).toBeTruthy()
      expect(fetched).toEqual(['alice::1220aa', 'bob::1220bb'])
    } finally {
      ;(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = actEnvironment
    }
  })

  it('C11: with useSuspenseQuery, a party switch fetches for the new party only, not again for the previous one while the new one suspends', async () => {
    const env = setup()
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } })
    const fetched: string[] = []
    function Holdings() {
      const session = useSession()
      const party = session.account?.partyId ?? 'none'
      const { data } = useSuspenseQuery({
        queryKey: sessionQueryKey(session, 'holdings'),
        queryFn: () => {
          fetched.push(party)
          return Promise.resolve(`holdings of ${party}`)
        },
      })
      return <p>{data}</p>
    }
    function Content() {
      const { isConnected } = useSession()
      // React keeps the previous party's <Holdings> mounted, hidden, while the new party's suspends
      return <Suspense fallback={<p>loading</p>}>{isConnected && <Holdings />}</Suspense>
    }
    renderApp(env.store, client, Content)
    await act(() => env.store.connect())
    await screen.findByText('holdings of alice::1220aa')
    env.wallet.switchParty('bob::1220bb')
    await screen.findByText('holdings of bob::1220bb')
    await settle()
    expect(fetched).toEqual(['alice::1220aa', 'bob::1220bb'])
  })

  it.each([
    ['second', ['sessionlayer', 'alice::1220aa', 'profile']],
    ['third', ['sessionlayer', 'directory', 'alice::1220aa']],
    ['fourth', ['sessionlayer', 'directory', 'entry', 'alice::1220aa']],
  ])('C11: a session query whose key stays the same and names the previous party as its %s part is fetched again at a party switch', async (_, queryKey) => {
    const env = setup()
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } })
    let fetches = 0
    function Entry() {
      // not a sessionQueryKey: the same key for every party, which names alice where a sessionQueryKey holds the network or the party
      const { data } = useQuery({ queryKey, queryFn: () => Promise.resolve(`entry ${++fetches}`) })
      return <p>{data ?? 'loading'}</p>
    }
    renderApp(env.store, client, Entry)
    await act(() => env.store.connect())
    await screen.findByText('entry 1')
    await act(async () => {
      env.wallet.switchParty('bob::1220bb')
      await walletEvents()
    })
    await screen.findByText('entry 2')
  })

  it('C11: a session query whose key stays the same and whose fetch is under way at a party switch is fetched again for the new party', async () => {
    const { env, client, asked, answer } = renderMe()
    await act(() => env.store.connect())
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 0))
      answer()
    })
    await screen.findByText('me: alice::1220aa')
    await act(async () => {
      void client.refetchQueries({ queryKey: ['sessionlayer', 'me'] })
      await Promise.resolve()
    })
    expect(asked).toEqual(['alice::1220aa', 'alice::1220aa']) // a refetch under way for alice...
    await act(async () => {
      env.wallet.switchParty('bob::1220bb') // ...when the party switches
      await walletEvents()
    })
    await act(() => new Promise((resolve) => setTimeout(resolve, 0)))
    expect(asked.at(-1)).toBe('bob::1220bb')
    await act(async () => {
      answer()
      await new Promise((resolve) => setTimeout(resolve, 0))
    })
    await screen.findByText('me: bob::1220bb')
  })

  it('C11: the first fetch of a session query whose key stays the same, under way at a party switch, is fetched again for the new party', async () => {
    const { env, asked, answer } = renderMe()
    await act(() => env.store.connect())
    await act(() => new Promise((resolve) => setTimeout(resolve, 0)))
    expect(asked).toEqual(['alice::1220aa']) // the first fetch, for alice, has no data yet...
    await act(async () => {
      env.wallet.switchParty('bob::1220bb') // ...when the party switches
      await walletEvents()
    })
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 0))
      answer()
      await new Promise((resolve) => setTimeout(resolve, 0))
    })
    await act(async () => {
      answer()
      await new Promise((resolve) => setTimeout(resolve, 0))
    })
    expect(asked).toEqual(['alice::1220aa', 'bob::1220bb'])
    await screen.findByText('me: bob::1220bb')
  })

  it('C11: invalidates session queries on a network switch', async () => {
    const { store, wallet, invalidated } = setupApp()
    await act(() => store.connect())
    await screen.findByText('holdings of alice::1220aa')
    const devnetKey = sessionQueryKey(store.getSnapshot(), 'holdings')
    await act(async () => {
      wallet.switchNetwork('canton:testnet')
      await walletEvents()
    })
    expect(invalidated).toEqual([devnetKey])
    await screen.findByText('holdings of alice::1220aa')
  })

  it('C6: removes session queries on disconnect; other queries stay', async () => {
    const { store, client, underRoot, otherFetches } = setupApp()
    await act(() => store.connect())
    await screen.findByText('holdings of alice::1220aa')
    await screen.findByText('prices 1')
    expect(underRoot()).toHaveLength(1)
    await act(() => store.disconnect())
    expect(underRoot()).toHaveLength(0)
    expect(client.getQueryData(['prices'])).toBe('prices 1')
    expect(otherFetches()).toBe(1)
  })

  it('C6: a query under the root whose key outlives the session shows nothing of the previous party after a disconnect, nor to the next party', async () => {
    const env = setup()
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } })
    const asked: string[] = []
    // reads no session: its key, and so its observer, stay the same from one session to the next
    function Profile() {
      const { data } = useQuery({
        queryKey: ['sessionlayer', 'profile'],
        queryFn: () => {
          const party = env.store.getSnapshot().account?.partyId ?? 'none'
          asked.push(party)
          return Promise.resolve(`profile of ${party}`)
        },
      })
      return <p>{data ?? 'no profile'}</p>
    }
    renderApp(env.store, client, Profile)
    await screen.findByText('profile of none')
    await act(() => env.store.connect())
    await act(() => client.refetchQueries({ queryKey: ['sessionlayer', 'profile'] }))
    await screen.findByText('profile of alice::1220aa')
    await act(() => env.store.disconnect())
    await screen.findByText('profile of none')
    env.wallet.switchParty('bob::1220bb')
    await act(() => env.store.connect())
    await act(() => new Promise((resolve) => setTimeout(resolve, 0)))
    expect(screen.getByText('profile of none')).toBeTruthy()
    expect(client.getQueryCache().findAll({ queryKey: ['sessionlayer'] }).map((query) => query.state.data)).not.toContain('profile of alice::1220aa')
    expect(asked).toEqual(['none', 'alice::1220aa', 'none'])
  })

  it('C6: another wallet given to <SessionProvider> removes the session queries of the one it replaces: the new party never sees the previous party’s data', async () => {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 60_000 } } })
    const alice = createMockProvider()
    const bob = createMockProvider({ accounts: [{ partyId: 'bob::1220bb', primary: true }] })
    const { Me, Invalidation, connect } = walletViews()
    function App({ provider }: { provider: typeof alice }) {
      return (
        <QueryClientProvider client={client}>
          <SessionProvider provider={provider} options={{ storage: createMemoryStorage() }}>
            <Invalidation />
            <Me />
          </SessionProvider>
        </QueryClientProvider>
      )
    }
    const { rerender } = render(<App provider={alice} />)
    await act(() => connect())
    await screen.findByText('alice::1220aa sees me: alice::1220aa')
    rerender(<App provider={bob} />)
    await screen.findByText('nobody sees nothing')
    expect(client.getQueryData(['sessionlayer', 'me'])).toBeUndefined()
    await act(() => connect())
    await screen.findByText('bob::1220bb sees me: bob::1220bb')
    expect(alice.listenerCount()).toBe(0)
  })

  it('C6: another wallet given by remounting <SessionProvider key={walletId}> removes the session queries of the one it replaces: the new party never sees the previous party’s data', async () => {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 60_000 } } })
    const wallets = { alice: createMockProvider(), bob: createMockProvider({ accounts: [{ partyId: 'bob::1220bb', primary: true }] }) }
    const { Me, Invalidation, connect } = walletViews()
    // the provider and the hook below it mount anew for each wallet
    const app = (wallet: keyof typeof wallets) => (
      <QueryClientProvider client={client}>
        <SessionProvider key={wallet} provider={wallets[wallet]} options={{ storage: createMemoryStorage() }}>
          <Invalidation />
          <Me />
        </SessionProvider>
      </QueryClientProvider>
    )
    const { rerender } = render(app('alice'))
    await act(() => connect())
    await screen.findByText('alice::1220aa sees me: alice::1220aa')
    rerender(app('bob'))
    await screen.findByText('nobody sees nothing')
    expect(client.getQueryData(['sessionlayer', 'me'])).toBeUndefined()
    await act(() => connect())
    await screen.findByText('bob::1220bb sees me: bob::1220bb')
    expect(wallets.alice.listenerCount()).toBe(0)
  })

  it('C6: back to the first of two app-owned stores given to <SessionProvider> removes the session queries of the second one too', async () => {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 60_000 } } })
    const stores = {
      alice: createSessionStore(createMockProvider(), { storage: createMemoryStorage() }),
      bob: createSessionStore(createMockProvider({ accounts: [{ partyId: 'bob::1220bb', primary: true }] }), { storage: createMemoryStorage() }),
    }
    const { Me, Invalidation, connect } = walletViews()
    const app = (wallet: keyof typeof stores) => (
      <QueryClientProvider client={client}>
        <SessionProvider store={stores[wallet]}>
          <Invalidation />
          <Me />
        </SessionProvider>
      </QueryClientProvider>
    )
    const { rerender } = render(app('alice'))
    await act(() => connect())
    await screen.findByText('alice::1220aa sees me: alice::1220aa')
    rerender(app('bob'))
    await screen.findByText('nobody sees nothing')
    await act(() => connect())
    await screen.findByText('bob::1220bb sees me: bob::1220bb')
    rerender(app('alice')) // her session went on meanwhile
    expect(client.getQueryData(['sessionlayer', 'me'])).toBeUndefined()
    await screen.findByText('alice::1220aa sees me: alice::1220aa')
    stores.alice.destroy()
    stores.bob.destroy()
  })

  it('C6: session queries already in the cache (hydrated from the server) stay through StrictMode’s simulated remount and a remount of the hook’s component', async () => {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 60_000 } } })
    const key = ['sessionlayer', 'canton:devnet', 'alice::1220aa', 'holdings']
    client.setQueryData(key, 'prefetched')
    const provider = createMockProvider({ connected: true })
    const { Invalidation } = walletViews()
    const app = (watching: boolean) => (
      <StrictMode>
        <QueryClientProvider client={client}>
          <SessionProvider provider={provider} options={{ storage: createMemoryStorage() }}>
            {watching && <Invalidation />}
            <p>app</p>
          </SessionProvider>
        </QueryClientProvider>
      </StrictMode>
    )
    const { rerender } = render(app(true))
    await act(() => new Promise((resolve) => setTimeout(resolve, 0)))
    expect(client.getQueryData(key)).toBe('prefetched')
    rerender(app(false))
    rerender(app(true))
    await act(() => new Promise((resolve) => setTimeout(resolve, 0)))
    expect(client.getQueryData(key)).toBe('prefetched')
    expect(client.getQueryState(key)?.isInvalidated).toBe(false)
  })

  it.each([false, true])('C6: a second <SessionProvider> of its own store in the page (an embedded widget), sharing the query client, opened again leaves the session queries of the app, whose session goes on (StrictMode: %s)', async (strict) => {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 60_000 } } })
    const provider = createMockProvider()
    const store = createSessionStore(provider, { storage: createMemoryStorage() })
    await store.connect()
    const key = sessionQueryKey(store.getSnapshot(), 'holdings')
    let fetches = 0
    function Holdings() {
      useSessionQueryInvalidation()
      const { data } = useQuery({ queryKey: sessionQueryKey(useSession(), 'holdings'), queryFn: () => Promise.resolve(`holdings ${++fetches}`) })
      return <p>{data ?? 'loading'}</p>
    }
    function Widget() {
      useSessionQueryInvalidation()
      return <p>widget</p>
    }
    const app = (widget: boolean) => {
      const tree = (
        <QueryClientProvider client={client}>
          <SessionProvider store={store}>
            <Holdings />
          </SessionProvider>
          {widget && (
            <SessionProvider provider={provider} options={{ storage: createMemoryStorage() }}>
              <Widget />
            </SessionProvider>
          )}
        </QueryClientProvider>
      )
      return strict ? <StrictMode>{tree}</StrictMode> : tree
    }
    const { rerender } = render(app(true))
    await screen.findByText('holdings 1')
    rerender(app(false))
    rerender(app(true))
    await act(() => new Promise((resolve) => setTimeout(resolve, 0)))
    expect(screen.getByText('holdings 1')).toBeTruthy()
    expect(client.getQueryData(key)).toBe('holdings 1')
    expect(fetches).toBe(1)
    store.destroy()
  })

  /**
   * An app root over `store` and one query client kept in step by the hook, showing who is
   * connected on which network and what the query under a key that outlives the session holds.
   */
  const rootOver = (store: SessionStore) => {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 60_000 } } })
    function Me() {
      useSessionQueryInvalidation()
      const session = useSession()
      const who = `${session.account?.partyId ?? 'nobody'} on ${session.networkId ?? 'none'}`
      const { data } = useQuery({ queryKey: ['sessionlayer', 'me'], enabled: session.isConnected, queryFn: () => Promise.resolve(`me: ${who}`) })
      return <p>{`${who} sees ${data ?? 'nothing'}`}</p>
    }
    return () => (
      <QueryClientProvider client={client}>
        <SessionProvider store={store}>
          <Me />
        </SessionProvider>
      </QueryClientProvider>
    )
  }

  it('C6: mounted again over the same store after its session ended while nothing kept the cache in step (the app\'s root unmounted, the store and the client lived on), it removes the ended session\'s queries: the next party never sees them', async () => {
    const { store, wallet } = setup()
    const app = rootOver(store)
    const first = render(app())
    await act(() => store.connect())
    await screen.findByText('alice::1220aa on canton:devnet sees me: alice::1220aa on canton:devnet')
    first.unmount()
    await act(() => store.disconnect())
    render(app())
    await screen.findByText('nobody on none sees nothing')
    wallet.switchParty('bob::1220bb')
    await act(() => store.connect())
    await screen.findByText('bob::1220bb on canton:devnet sees me: bob::1220bb on canton:devnet')
  })

  it.each([
    ['party', 'alice::1220aa on canton:devnet', 'bob::1220bb on canton:devnet', (wallet: MockWallet) => wallet.switchParty('bob::1220bb')],
    ['network', 'alice::1220aa on canton:devnet', 'alice::1220aa on canton:testnet', (wallet: MockWallet) => wallet.switchNetwork('canton:testnet')],
  ] as const)('C6, C11: mounted again over the same store whose %s switched while nothing kept the cache in step (the session stayed connected), it removes the queries of the one before: the new session never sees its data', async (_, before, after, change) => {
    const { store, wallet } = setup()
    const app = rootOver(store)
    const first = render(app())
    await act(() => store.connect())
    await screen.findByText(`${before} sees me: ${before}`)
    first.unmount()
    // the switch reaches the store (the wallet's events, a task each) while no root is mounted
    await act(async () => {
      change(wallet)
      await walletEvents()
    })
    expect(store.getSnapshot().status).toBe('connected')
    render(app())
    await screen.findByText(`${after} sees me: ${after}`)
    expect(screen.queryByText(`${after} sees me: ${before}`)).toBeNull()
  })

  it('C6, C9: mounted again over the same store whose restore began while nothing kept the cache in step (no party nor network yet), it keeps the session queries the server prefetched', async () => {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 60_000 } } })
    const key = ['sessionlayer', 'canton:devnet', 'alice::1220aa', 'holdings']
    client.setQueryData(key, 'prefetched')
    const store = createSessionStore(createMockProvider({ connected: true }), { storage: createMemoryStorage() })
    const { Invalidation } = walletViews()
    const app = (watching: boolean) => (
      <QueryClientProvider client={client}>
        <SessionProvider store={store}>{watching && <Invalidation />}</SessionProvider>
      </QueryClientProvider>
    )
    const { rerender } = render(app(true))
    rerender(app(false))
    const before = store.getSnapshot()
    const restored = store.restore()
    expect(store.getSnapshot()).not.toBe(before)
    expect(sessionQueryKey(store.getSnapshot())).toEqual(sessionQueryKey(before))
    rerender(app(true))
    await act(() => restored)
    expect(store.getSnapshot().account?.partyId).toBe('alice::1220aa')
    expect(client.getQueryData(key)).toBe('prefetched')
    expect(client.getQueryState(key)?.isInvalidated).toBe(false)
    store.destroy()
  })

  it('uses the query client it is given instead of the one in context', async () => {
    const { store } = setup()
    const client = new QueryClient()
    await store.connect()
    client.setQueryData(sessionQueryKey(store.getSnapshot(), 'x'), 1)
    client.setQueryData(['y'], 2)
    renderHook(() => useSessionQueryInvalidation(client), {
      wrapper: ({ children }) => <SessionProvider store={store}>{children}</SessionProvider>,
    })
    await act(() => store.disconnect())
    expect(client.getQueryCache().findAll({ queryKey: ['sessionlayer'] })).toHaveLength(0)
    expect(client.getQueryData(['y'])).toBe(2)
  })

  it('is released on unmount: later changes touch the cache no more', async () => {
    const { store, wallet } = setup()
    const client = new QueryClient()
    await store.connect()
    const { unmount } = renderHook(() => useSessionQueryInvalidation(client), {
      wrapper: ({ children }) => <SessionProvider store={store}>{children}</SessionProvider>,
    })
    unmount()
    const key = sessionQueryKey(store.getSnapshot(), 'kept')
    client.setQueryData(key, 'kept')
    await act(async () => {
      wallet.switchParty('bob::1220bb')
      await walletEvents()
    })
    await act(() => store.disconnect())
    expect(client.getQueryState(key)).toMatchObject({ data: 'kept', isInvalidated: false })
  })

  it('follows the query client it is given when that changes, and leaves the previous one alone', async () => {
    const { store } = setup()
    const [first, second] = [new QueryClient(), new QueryClient()]
    await store.connect()
    const key = sessionQueryKey(store.getSnapshot(), 'x')
    first.setQueryData(key, 1)
    second.setQueryData(key, 2)
    const { rerender } = renderHook(({ client }) => useSessionQueryInvalidation(client), {
      wrapper: ({ children }) => <SessionProvider store={store}>{children}</SessionProvider>,
      initialProps: { client: first },
    })
    rerender({ client: second })
    await act(() => store.disconnect())
    expect(second.getQueryData(key)).toBeUndefined()
    expect(first.getQueryData(key)).toBe(1)
  })

  it('throws an error naming <SessionProvider> outside it', () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const quiet = (event: ErrorEvent) => {
      event.preventDefault()
    }
    window.addEventListener('error', quiet)
    const wrapper = ({ children }: { children: ReactNode }) => <QueryClientProvider client={new QueryClient()}>{children}</QueryClientProvider>
    try {
      expect(() => renderHook(() => useSessionQueryInvalidation(), { wrapper })).toThrow('Missing <SessionProvider>')
    } finally {
      window.removeEventListener('error', quiet)
      vi.restoreAllMocks()
    }
  })
})

describe('useSessionQueryInvalidation: every source', () => {
  /** A query client with one session query and one other query, and the hook mounted over `store`. */
  function mounted(store: SessionStore, party: string) {
    const client = new QueryClient()
    client.setQueryData(['sessionlayer', 'canton:devnet', party, 'holdings'], 'cached')
    client.setQueryData(['prices'], 'prices')
    renderHook(() => useSessionQueryInvalidation(client), { wrapper: ({ children }) => <SessionProvider store={store}>{children}</SessionProvider> })
    const session = () => client.getQueryState(['sessionlayer', 'canton:devnet', party, 'holdings'])
    return { client, session }
  }

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
    const { client, session } = mounted(a, 'alice::1220aa')
    const changes: unknown[] = []
    a.on(`${kind}:changed`, (e) => changes.push(e))
    // the other tab hears the wallet's event (a task), tells this tab (a task), and this tab reads
    // the wallet (its answer): waited for, however busy the machine
    await act(async () => {
      change(wallet)
      await vi.waitFor(() => expect(changes).toHaveLength(1))
    })
    expect(changes).toEqual([expected])
    expect(session()?.isInvalidated).toBe(true)
    expect(client.getQueryState(['prices'])?.isInvalidated).toBe(false)
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
    const client = new QueryClient()
    client.setQueryData(['sessionlayer', network, party, 'holdings'], 'cached')
    client.setQueryData(['prices'], 'prices')
    renderHook(() => useSessionQueryInvalidation(client), { wrapper: ({ children }) => <SessionProvider store={store}>{children}</SessionProvider> })
    await act(() => store.restore())
    expect(store.getSnapshot()).toMatchObject({ account: { partyId: 'alice::1220aa' }, networkId: 'canton:devnet' })
    expect(changes).toHaveLength(1)
    expect(changes[0]).toMatchObject({ source: 'restore' })
    expect(client.getQueryState(['sessionlayer', network, party, 'holdings'])?.isInvalidated).toBe(true)
    expect(client.getQueryState(['prices'])?.isInvalidated).toBe(false)
  })

  it('C12: an expired session removes the session queries', async () => {
    vi.useFakeTimers()
    try {
      const store = createSessionStore(createMockProvider(), { storage: createMemoryStorage(), expiry: { ttlMs: 1_000 } })
      await store.connect()
      const { client, session } = mounted(store, 'alice::1220aa')
      expect(session()).toBeDefined()
      await act(() => vi.advanceTimersByTimeAsync(1_000))
      expect(store.getSnapshot().lastError?.code).toBe('SESSION_EXPIRED')
      expect(session()).toBeUndefined()
      expect(client.getQueryData(['prices'])).toBe('prices')
    } finally {
      vi.useRealTimers()
    }
  })
})
