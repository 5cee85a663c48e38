// @vitest-environment jsdom
import { createLedgerFetch, getLedgerAuth } from '@sessionlayer/session-core/ledger'
import { createMemoryStorage, createSessionStore, DISCONNECTED_STATE, type ChangeEvent, type SessionState, type SessionStore, type SessionStoreOptions } from '@sessionlayer/session-core'
import { createMockProvider } from '@sessionlayer/session-testing'
import { act, render, renderHook, waitFor } from '@testing-library/react'
import * as React from 'react'
import { memo, StrictMode, Suspense, useEffect, useLayoutEffect, useState } from 'react'
import { createRoot } from 'react-dom/client'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { listenersOfOneStore, PartyBadge, setup, walletEvents } from '../test/helpers'
import { SessionProvider } from './SessionProvider'
import { useAccount } from './useAccount'
import { useClientSession } from './useClientSession'
import { useSession } from './useSession'
import { useSessionEvent } from './useSessionEvent'
import { useSessionSelector } from './useSessionSelector'
import { useSessionStore } from './useSessionStore'

const macrotask = () => new Promise((resolve) => setTimeout(resolve, 0))

afterEach(() => {
  vi.restoreAllMocks()
})

describe('SessionProvider with a provider (owns its store)', () => {
  it('C9: restores a live wallet session on mount, without calling connect', async () => {
    const provider = createMockProvider({ connected: true })
    const { result } = renderHook(useAccount, {
      wrapper: ({ children }) => (
        <SessionProvider provider={provider} options={{ storage: createMemoryStorage() }}>
          {children}
        </SessionProvider>
      ),
    })
    await waitFor(() => {
      expect(result.current.partyId).toBe('alice::1220aa')
    })
    expect(result.current.status).toBe('connected')
    expect(provider.calls.map((c) => c.method)).not.toContain('connect')
  })

  it('StrictMode: one working store (connect works), and zero wallet listeners after unmount', async () => {
    const provider = createMockProvider()
    const stores = new Set<SessionStore>()
    const { result, unmount } = renderHook(
      () => {
        stores.add(useSessionStore())
        return useSession()
      },
      {
        wrapper: ({ children }) => (
          <StrictMode>
            <SessionProvider provider={provider} options={{ storage: createMemoryStorage() }}>
              {children}
            </SessionProvider>
          </StrictMode>
        ),
      },
    )
    await act(macrotask) // past StrictMode's simulated unmount and remount
    expect(stores.size).toBe(1) // the hooks see one store throughout
    expect(provider.listenerCount()).toBe(listenersOfOneStore()) // the simulated unmount left nothing behind
    await act(() => result.current.connect())
    expect(result.current.status).toBe('connected')
    expect(result.current.account?.partyId).toBe('alice::1220aa')

    unmount()
    expect(provider.listenerCount()).toBe(0)
    const stale = [...stores][0]!
    await expect(stale.connect()).rejects.toMatchObject({ code: 'DESTROYED' }) // a stale action creates nothing
    expect(stale.getSnapshot()).toBe(DISCONNECTED_STATE)
    expect(getLedgerAuth(stale)).toBeNull()
    expect(provider.listenerCount()).toBe(0)
  })

  it('§4: a restore through a stale useSession() after unmount creates no store: nothing stays attached to the wallet', async () => {
    const provider = createMockProvider({ connected: true })
    const { result, unmount } = renderHook(useSession, {
      wrapper: ({ children }) => (
        <SessionProvider provider={provider} options={{ storage: createMemoryStorage(), reconnect: true }}>
          {children}
        </SessionProvider>
      ),
    })
    await act(macrotask)
    expect(result.current.status).toBe('connected')
    const { restore } = result.current
    unmount()
    expect(provider.listenerCount()).toBe(0)
    await expect(restore()).rejects.toMatchObject({ code: 'DESTROYED' })
    expect(provider.listenerCount()).toBe(0)
  })

  it('§4, C14: a subscription or an event listener through a stale store after unmount creates no store: nothing stays attached to the wallet', async () => {
    const provider = createMockProvider({ connected: true })
    const { result, unmount } = renderHook(useSessionStore, {
      wrapper: ({ children }) => (
        <SessionProvider provider={provider} options={{ storage: createMemoryStorage(), reconnect: true }}>
          {children}
        </SessionProvider>
      ),
    })
    await act(macrotask)
    const stale = result.current
    unmount()
    expect(provider.listenerCount()).toBe(0)
    const unsubscribe = stale.subscribe(() => undefined)
    const off = stale.on('party:changed', () => undefined)
    await act(macrotask)
    expect(provider.listenerCount()).toBe(0)
    expect(stale.getSnapshot()).toBe(DISCONNECTED_STATE)
    unsubscribe()
    off()
    await act(macrotask)
    expect(provider.listenerCount()).toBe(0)
  })

  it('§4, C9: StrictMode with inline options: the wallet is probed by one restore, and a later render with a new options object keeps the store and restores nothing again', async () => {
    const provider = createMockProvider({ connected: true })
    const seen = new Set<SessionStore>()
    function Probe() {
      seen.add(useSessionStore())
      return <p>{useAccount().partyId}</p>
    }
    const app = (n: number) => (
      <StrictMode>
        <SessionProvider provider={provider} options={{ storage: createMemoryStorage(), reconnect: n > 0 }}>
          <Probe />
        </SessionProvider>
      </StrictMode>
    )
    const { container, rerender, unmount } = render(app(0))
    await act(macrotask)
    expect(container.textContent).toBe('alice::1220aa')
    const probes = () => provider.calls.filter((c) => c.method === 'status').length
    expect(probes()).toBe(1)
    rerender(app(1))
    rerender(app(2))
    await act(macrotask)
    expect(probes()).toBe(1)
    expect(seen.size).toBe(1)
    expect(provider.listenerCount()).toBe(listenersOfOneStore())
    unmount()
    expect(provider.listenerCount()).toBe(0)
  })

  it('keeps the same store when an inline options object changes identity', async () => {
    const provider = createMockProvider()
    const storage = createMemoryStorage()
    const seen: SessionStore[] = []
    function Probe() {
      seen.push(useSessionStore())
      return null
    }
    const app = (options: SessionStoreOptions) => (
      <SessionProvider provider={provider} options={options}>
        <Probe />
      </SessionProvider>
    )
    const { rerender } = render(app({ storage }))
    await act(macrotask)
    rerender(app({ storage, reconnect: true }))
    rerender(app({ storage }))
    await act(macrotask)
    expect(seen.length).toBe(3)
    expect(new Set(seen).size).toBe(1)
    expect(provider.listenerCount()).toBe(listenersOfOneStore())
  })

  it('§4: a new initialState object on a later render re-renders no session hook (zero renders for a no-op)', async () => {
    const provider = createMockProvider()
    let renders = 0
    const Badge = memo(function Badge() {
      renders++
      return <p>{useAccount().status}</p>
    })
    const app = (n: number) => (
      <SessionProvider provider={provider} options={{ storage: createMemoryStorage() }} initialState={{ ...DISCONNECTED_STATE }}>
        <Badge />
        <span>{n}</span>
      </SessionProvider>
    )
    const { rerender } = render(app(0))
    await act(macrotask)
    const before = renders
    rerender(app(1))
    rerender(app(2))
    expect(renders).toBe(before)
  })

  it("StrictMode: the render React throws away creates no store (one store's wallet listeners, none after unmount)", async () => {
    const provider = createMockProvider()
    const { unmount } = render(
      <StrictMode>
        <SessionProvider provider={provider} options={{ storage: createMemoryStorage() }}>
          <p>no session hook here</p>
        </SessionProvider>
      </StrictMode>,
    )
    await act(macrotask)
    expect(provider.listenerCount()).toBe(listenersOfOneStore()) // init() on mount made the one store
    unmount()
    await macrotask()
    expect(provider.listenerCount()).toBe(0)
  })

  it('StrictMode: an action an effect calls on the remount, before any session hook subscribed, reaches the working store', async () => {
    const provider = createMockProvider()
    const outcomes: unknown[] = []
    function Auto() {
      const store = useSessionStore()
      useEffect(() => {
        store.enqueue(() => 'ran').then(
          (value) => outcomes.push(value),
          (error: unknown) => outcomes.push(error),
        )
      }, [store])
      return null
    }
    function Badge() {
      return <p>{useSession().status}</p>
    }
    const { unmount } = render(
      <StrictMode>
        <SessionProvider provider={provider} options={{ storage: createMemoryStorage() }}>
          <Auto />
          <Badge />
        </SessionProvider>
      </StrictMode>,
    )
    await act(macrotask)
    expect(outcomes).toEqual(['ran', 'ran'])
    expect(provider.listenerCount()).toBe(listenersOfOneStore())
    unmount()
    expect(provider.listenerCount()).toBe(0)
  })

  it('§4: a tree that a Suspense boundary above the provider hides (it suspends again) and then shows keeps following the session: the same store, no second restore', async () => {
    const provider = createMockProvider({ connected: true })
    let suspend!: () => void
    let resume!: () => void
    let loaded = false
    const loading = new Promise<void>((resolve) => (resume = resolve)).then(() => {
      loaded = true
    })
    function Page() {
      const [navigated, setNavigated] = useState(false)
      suspend = () => {
        setNavigated(true)
      }
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- how a component suspends
      if (navigated && !loaded) throw loading // the next route's code or data, not loaded yet
      return null
    }
    const parties: unknown[] = []
    function Badge() {
      const { partyId } = useAccount()
      useSessionEvent('party:changed', (e) => parties.push(e.current))
      return <p>{partyId}</p>
    }
    const { container, unmount } = render(
      <Suspense fallback={<p>loading</p>}>
        <SessionProvider provider={provider} options={{ storage: createMemoryStorage() }}>
          <Badge />
          <Page />
        </SessionProvider>
      </Suspense>,
    )
    await act(macrotask)
    expect(container.textContent).toBe('alice::1220aa')
    act(suspend)
    expect(container.textContent).toContain('loading')
    await act(async () => {
      resume()
      await macrotask()
    })
    expect(container.textContent).toBe('alice::1220aa')
    await act(async () => {
      provider.wallet.switchParty('bob::1220bb')
      await walletEvents()
    })
    await act(macrotask)
    expect(container.textContent).toBe('bob::1220bb')
    expect(parties).toEqual(['bob::1220bb'])
    expect(provider.calls.filter((c) => c.method === 'status')).toHaveLength(1)
    expect(provider.listenerCount()).toBe(listenersOfOneStore())
    unmount()
    expect(provider.listenerCount()).toBe(0)
  })

  // `<Activity>` exists from React 19.2; the React 18 project skips this one.
  const { Activity } = React as Partial<typeof React>
  it.skipIf(!Activity)('effects unmounted and mounted again later (<Activity> hidden, then visible): a new working store, restored on mount', async () => {
    if (!Activity) return
    const Shown = Activity
    const provider = createMockProvider({ connected: true })
    let session: ReturnType<typeof useSession> | undefined
    function Probe() {
      session = useSession()
      return null
    }
    const app = (mode: 'visible' | 'hidden') => (
      <Shown mode={mode}>
        <SessionProvider provider={provider} options={{ storage: createMemoryStorage() }}>
          <Probe />
        </SessionProvider>
      </Shown>
    )
    const { rerender, unmount } = render(app('visible'))
    await act(macrotask)
    expect(session?.status).toBe('connected')
    rerender(app('hidden'))
    await act(macrotask) // past the deferred destroy
    expect(provider.listenerCount()).toBe(0)
    const statusCalls = provider.calls.filter((c) => c.method === 'status').length
    rerender(app('visible'))
    await act(macrotask)
    expect(provider.calls.filter((c) => c.method === 'status').length).toBe(statusCalls + 1) // init() once more
    expect(session?.status).toBe('connected')
    await act(() => session?.disconnect())
    expect(session?.status).toBe('disconnected')
    const state = await act(() => session?.connect())
    expect(state?.status).toBe('connected')
    expect(provider.listenerCount()).toBe(listenersOfOneStore())
    unmount()
    await macrotask()
    expect(provider.listenerCount()).toBe(0)
  })

  it.skipIf(!Activity)("C6, L2: <Activity> shown again on a session begun while it was hidden (another tab signed out and in): a Ledger API call's 401 of the session before rejects with 4900, never re-sent with the next session's token", async () => {
    if (!Activity) return
    const Shown = Activity
    const storage = createMemoryStorage()
    const provider = createMockProvider({ connected: true })
    let store: SessionStore | undefined
    function Probe() {
      store = useSessionStore()
      return null
    }
    const app = (mode: 'visible' | 'hidden') => (
      <Shown mode={mode}>
        <SessionProvider provider={provider} options={{ storage }}>
          <Probe />
        </SessionProvider>
      </Shown>
    )
    const { rerender, unmount } = render(app('visible'))
    await act(macrotask)
    expect(store?.getSnapshot().status).toBe('connected')
    const sent: (string | null)[] = []
    let answer: (response: Response) => void = () => undefined
    const fetch = (_: RequestInfo | URL, init?: RequestInit) => {
      sent.push(new Headers(init?.headers).get('Authorization'))
      return sent.length == 1 ? new Promise<Response>((resolve) => (answer = resolve)) : Promise.resolve(new Response('{}'))
    }
    const call = createLedgerFetch(store, { fetch })('/v2/commands/submit-and-wait', { method: 'POST', body: '{}' }).catch((error: unknown) => error)
    await act(macrotask)
    rerender(app('hidden'))
    await act(macrotask)
    // meanwhile another tab signs out, and in again (the same party: the wallet may have another user act as it)
    const other = createSessionStore(createMockProvider({ wallet: provider.wallet }), { storage })
    await other.restore()
    await other.disconnect()
    await new Promise((resolve) => setTimeout(resolve, 5))
    provider.wallet.rotateToken()
    await other.connect()
    const { connectedAt } = other.getSnapshot()
    other.destroy()
    rerender(app('visible'))
    await act(macrotask)
    expect(store?.getSnapshot()).toMatchObject({ status: 'connected', connectedAt })
    answer(new Response('unauthorized', { status: 401 }))
    expect(await call).toMatchObject({ name: 'SessionError', code: 4900 })
    expect(sent).toEqual(['Bearer mock-token-1'])
    unmount()
    await macrotask()
  })

  it.skipIf(!Activity)('<Activity> shown again: a subscription a layout effect below makes, before the provider mounts again, gets the working store', async () => {
    if (!Activity) return
    const Shown = Activity
    // Outside act(), React runs the passive effects (the provider's mount among them) in a task of
    // their own, after the layout effects of the same commit.
    const env = globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }
    const actEnvironment = env.IS_REACT_ACT_ENVIRONMENT
    env.IS_REACT_ACT_ENVIRONMENT = false
    const provider = createMockProvider({ connected: true })
    let seen = DISCONNECTED_STATE
    function Mirror() {
      const store = useSessionStore()
      useLayoutEffect(
        () =>
          store.subscribe(() => {
            seen = store.getSnapshot()
          }),
        [store],
      )
      return null
    }
    const app = (mode: 'visible' | 'hidden') => (
      <Shown mode={mode}>
        <SessionProvider provider={provider} options={{ storage: createMemoryStorage() }}>
          <Mirror />
        </SessionProvider>
      </Shown>
    )
    const root = createRoot(document.createElement('div'))
    try {
      root.render(app('visible'))
      await waitFor(() => {
        expect(seen.status).toBe('connected')
      })
      root.render(app('hidden'))
      await waitFor(() => {
        expect(provider.listenerCount()).toBe(0)
      })
      seen = DISCONNECTED_STATE
      root.render(app('visible'))
      await waitFor(() => {
        expect(seen.status).toBe('connected') // the restore on mount reached the subscription
      })
      expect(provider.listenerCount()).toBe(listenersOfOneStore())
    } finally {
      root.unmount()
      env.IS_REACT_ACT_ENVIRONMENT = actEnvironment
    }
    expect(provider.listenerCount()).toBe(0)
  })

  it.skipIf(!Activity)('§4, C4: <Activity> shown again: an action a layout effect below makes, before the provider mounts again, reaches the working store', async () => {
    if (!Activity) return
    const Shown = Activity
    // Outside act(), React runs the passive effects in a task of their own, after the layout effects.
    const env = globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }
    const actEnvironment = env.IS_REACT_ACT_ENVIRONMENT
    env.IS_REACT_ACT_ENVIRONMENT = false
    const provider = createMockProvider()
    const outcomes: unknown[] = []
    function AutoConnect() {
      const { connect } = useSession()
      useLayoutEffect(() => {
        connect().then(
          (state) => outcomes.push(state.status),
          (error: unknown) => outcomes.push((error as { code?: string }).code),
        )
      }, [connect])
      return null
    }
    const app = (mode: 'visible' | 'hidden') => (
      <Shown mode={mode}>
        <SessionProvider provider={provider} options={{ storage: createMemoryStorage() }}>
          <AutoConnect />
        </SessionProvider>
      </Shown>
    )
    const root = createRoot(document.createElement('div'))
    try {
      root.render(app('visible'))
      await waitFor(() => {
        expect(outcomes).toEqual(['connected'])
      })
      root.render(app('hidden'))
      await waitFor(() => {
        expect(provider.listenerCount()).toBe(0)
      })
      root.render(app('visible'))
      await waitFor(() => {
        expect(outcomes).toHaveLength(2)
      })
      expect(outcomes).toEqual(['connected', 'connected'])
      expect(provider.listenerCount()).toBe(listenersOfOneStore())
    } finally {
      root.unmount()
      env.IS_REACT_ACT_ENVIRONMENT = actEnvironment
    }
    expect(provider.listenerCount()).toBe(0)
  })

  it('another provider prop (the user picked another wallet): the old store is destroyed, the new one restored', async () => {
    const first = createMockProvider({ connected: false })
    const second = createMockProvider({ connected: true, accounts: [{ partyId: 'bob::1220bb', primary: true }] })
    let store: ReturnType<typeof useSessionStore> | undefined
    let partyId: string | null = null
    function Probe() {
      store = useSessionStore()
      partyId = useAccount().partyId
      return null
    }
    const app = (provider: typeof first) => (
      <SessionProvider provider={provider} options={{ storage: createMemoryStorage() }}>
        <Probe />
      </SessionProvider>
    )
    const { rerender, unmount } = render(app(first))
    await act(macrotask)
    expect(store?.getProvider()).toBe(first)
    expect(first.listenerCount()).toBe(listenersOfOneStore())
    rerender(app(second))
    await act(macrotask)
    expect(store?.getProvider()).toBe(second)
    expect(partyId).toBe('bob::1220bb')
    expect(first.listenerCount()).toBe(0)
    expect(second.listenerCount()).toBe(listenersOfOneStore())
    // the same provider again, with a new inline options object: the store stays
    const kept = store
    rerender(app(second))
    await act(macrotask)
    expect(store).toBe(kept)
    unmount()
    await macrotask()
    expect(second.listenerCount()).toBe(0)
  })

  it('§4: another provider prop: the old store is destroyed before the new one restores, so what the old wallet says meanwhile reaches the app no more', async () => {
    // Outside act(), React runs the passive effects in a task of their own, after the layout effects.
    const env = globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }
    const actEnvironment = env.IS_REACT_ACT_ENVIRONMENT
    env.IS_REACT_ACT_ENVIRONMENT = false
    const first = createMockProvider({ connected: true })
    const second = createMockProvider({ connected: true, accounts: [{ partyId: 'bob::1220bb', primary: true }] })
    const attached: number[] = []
    const request = second.request.bind(second)
    second.request = (args) => {
      if (!attached.length) {
        attached.push(first.listenerCount())
        first.wallet.switchParty('bob::1220bb') // the wallet the user left still talks
      }
      return request(args)
    }
    const heard: unknown[] = []
    let partyId: string | null = null
    function Probe() {
      partyId = useAccount().partyId
      useSessionEvent('party:changed', ({ source }) => heard.push(source))
      return null
    }
    const app = (provider: typeof first) => (
      <SessionProvider provider={provider} options={{ storage: createMemoryStorage() }}>
        <Probe />
      </SessionProvider>
    )
    const root = createRoot(document.createElement('div'))
    try {
      root.render(app(first))
      await waitFor(() => {
        expect(partyId).toBe('alice::1220aa')
      })
      root.render(app(second))
      await waitFor(() => {
        expect(partyId).toBe('bob::1220bb')
      })
      expect(attached).toEqual([0]) // the new store's first request: the old one is gone already
      expect(heard).not.toContain('local') // no party change of the old store
    } finally {
      root.unmount()
      env.IS_REACT_ACT_ENVIRONMENT = actEnvironment
    }
    expect(second.listenerCount()).toBe(0)
  })

  it.each([
    ['', (node: React.ReactNode) => node],
    [' (StrictMode)', (node: React.ReactNode) => <StrictMode>{node}</StrictMode>],
  ])('§4, C9, C10: the events of the restore on mount, and of the one after another provider prop, reach the hooks mounted with it, outside act()%s', async (_mode, wrap) => {
    // Outside act(), React runs the passive effects (the hooks' subscriptions) in a task of their
    // own; a restore with memory storage and a wallet that answers at once ends before it.
    const env = globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }
    const actEnvironment = env.IS_REACT_ACT_ENVIRONMENT
    env.IS_REACT_ACT_ENVIRONMENT = false
    const storage = createMemoryStorage()
    const first = createMockProvider({ connected: true })
    const second = createMockProvider({ connected: true, accounts: [{ partyId: 'bob::1220bb', primary: true }] })
    const before = createSessionStore(first, { storage }) // the session of the last visit: alice
    await before.connect()
    before.destroy()
    const heard: unknown[] = []
    let partyId: string | null = null
    function Probe() {
      partyId = useAccount().partyId
      useSessionEvent('party:changed', ({ current, source }) => heard.push(['party', current, source]))
      useSessionEvent('invalidate', ({ type, current }) => heard.push(['invalidate', type, current]))
      return null
    }
    const app = (provider: typeof first) =>
      wrap(
        <SessionProvider provider={provider} options={{ storage }}>
          <Probe />
        </SessionProvider>,
      )
    const root = createRoot(document.createElement('div'))
    try {
      // the wallet is on bob now; then the user picks the wallet of alice
      for (const [provider, party] of [[second, 'bob::1220bb'], [first, 'alice::1220aa']] as const) {
        heard.length = 0
        root.render(app(provider))
        await waitFor(() => {
          expect(partyId).toBe(party)
        })
        await macrotask()
        expect(heard).toEqual([
          ['party', party, 'restore'],
          ['invalidate', 'party:changed', party],
        ])
      }
    } finally {
      root.unmount()
      env.IS_REACT_ACT_ENVIRONMENT = actEnvironment
    }
  })

  it('from a store prop to a provider prop: the owned store is restored on mount and destroyed on unmount', async () => {
    const provider = createMockProvider({ connected: true })
    const app = setup()
    let status = ''
    function Probe() {
      status = useSession().status
      return null
    }
    function App() {
      const [owned, setOwned] = useState(false)
      useEffect(() => {
        setOwned(true)
      }, [])
      return owned ? (
        <SessionProvider provider={provider} options={{ storage: createMemoryStorage() }}>
          <Probe />
        </SessionProvider>
      ) : (
        <SessionProvider store={app.store}>
          <Probe />
        </SessionProvider>
      )
    }
    const { unmount } = render(<App />)
    await act(macrotask)
    await act(macrotask)
    expect(status).toBe('connected') // init() restored the live wallet session
    unmount()
    await macrotask()
    expect(provider.listenerCount()).toBe(0)
    expect(app.provider.listenerCount()).toBe(listenersOfOneStore()) // the app's store is left alone
    app.store.destroy()
  })

  it('§4, C12: the store it hands out has every method of a session store from the first render on: a touch() taken then reaches the working store (idle expiry)', async () => {
    vi.useFakeTimers()
    try {
      const real = createSessionStore(createMockProvider(), { storage: createMemoryStorage() })
      const methods = Object.keys(real).filter((key) => typeof real[key as keyof SessionStore] === 'function')
      real.destroy()
      let first: Record<string, unknown> | undefined
      const { result } = renderHook(
        () => {
          const store = useSessionStore()
          // what a component destructures in its first render (`const { touch } = useSessionStore()`)
          first ??= Object.fromEntries(methods.map((key) => [key, store[key as keyof SessionStore]]))
          return useSession()
        },
        {
          wrapper: ({ children }) => (
            <SessionProvider provider={createMockProvider()} options={{ storage: createMemoryStorage(), expiry: { idleTimeoutMs: 1_000 } }}>
              {children}
            </SessionProvider>
          ),
        },
      )
      for (const key of methods) expect([key, typeof first?.[key]]).toEqual([key, 'function'])
      await act(() => result.current.connect())
      await act(() => vi.advanceTimersByTimeAsync(600))
      act(() => {
        ;(first?.touch as () => void)()
      })
      await act(() => vi.advanceTimersByTimeAsync(600))
      expect(result.current.status).toBe('connected') // the touch at 600 ms moved the idle expiry to 1 600 ms
      await act(() => vi.advanceTimersByTimeAsync(1_000))
      expect(result.current).toMatchObject({ status: 'disconnected', lastError: { code: 'SESSION_EXPIRED' } })
    } finally {
      vi.useRealTimers()
    }
  })

  it('L1: the store it hands out gives Ledger API access to getLedgerAuth', async () => {
    const provider = createMockProvider()
    const { result } = renderHook(() => ({ store: useSessionStore(), session: useSession() }), {
      wrapper: ({ children }) => (
        <SessionProvider provider={provider} options={{ storage: createMemoryStorage() }}>
          {children}
        </SessionProvider>
      ),
    })
    expect(getLedgerAuth(result.current.store)).toBeNull()
    await act(() => result.current.session.connect())
    expect(getLedgerAuth(result.current.store)).toMatchObject({ accessToken: 'mock-token-1', ledgerApi: 'http://127.0.0.1:7575' })
  })

  it('§4: no wallet provider (window.canton without an extension): an error boundary above gets the SessionError INVALID_PROVIDER of the mount, not a TypeError from the unmount', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined)
    // React 18 also reports the errors to the window; keep the test output quiet
    const quiet = (event: ErrorEvent) => {
      event.preventDefault()
    }
    window.addEventListener('error', quiet)
    class Boundary extends React.Component<{ children: React.ReactNode }, { error: unknown }> {
      override state = { error: null as unknown }
      static getDerivedStateFromError(error: unknown) {
        return { error }
      }
      override render() {
        const { error } = this.state
        return error ? <p>{`${(error as { code?: string }).code}: ${(error as Error).message}`}</p> : this.props.children
      }
    }
    try {
      const { container, unmount } = render(
        <Boundary>
          <SessionProvider provider={undefined as never}>
            <PartyBadge />
          </SessionProvider>
        </Boundary>,
      )
      await act(macrotask)
      expect(container.textContent).toBe('INVALID_PROVIDER: createSessionStore needs a CIP-0103 provider')
      unmount()
    } finally {
      window.removeEventListener('error', quiet)
    }
  })

  it('§4: no wallet provider: the error boundary gets the SessionError INVALID_PROVIDER once, not once more from each session hook below', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const quiet = (event: ErrorEvent) => {
      event.preventDefault()
    }
    window.addEventListener('error', quiet)
    const caught: unknown[] = []
    class Boundary extends React.Component<{ children: React.ReactNode }, { failed: boolean }> {
      override state = { failed: false }
      static getDerivedStateFromError() {
        return { failed: true }
      }
      override componentDidCatch(error: unknown) {
        caught.push(error)
      }
      override render() {
        return this.state.failed ? null : this.props.children
      }
    }
    function Hooks() {
      useSessionEvent('party:changed', () => undefined)
      return <PartyBadge />
    }
    try {
      const { unmount } = render(
        <Boundary>
          <SessionProvider provider={undefined as never}>
            <Hooks />
          </SessionProvider>
        </Boundary>,
      )
      await act(macrotask)
      expect(caught).toEqual([expect.objectContaining({ code: 'INVALID_PROVIDER' })])
      unmount()
    } finally {
      window.removeEventListener('error', quiet)
    }
  })
})

describe('SessionProvider with a provider: the first commit', () => {
  /** Renders `app`, recording the state of every commit of a hook below the provider, in order. */
  function commits(app: (child: React.ReactElement) => React.ReactElement) {
    const committed: SessionState[] = []
    function Status() {
      const state = useSessionSelector((snapshot) => snapshot)
      useLayoutEffect(() => void committed.push(state))
      return null
    }
    return { committed, ...render(app(<Status />)) }
  }
  const RESTORING = { status: 'reconnecting', account: null, accounts: [], networkId: null, lastError: null, connectedAt: null, expiresAt: null }

  it.each([
    ['a saved session (restored)', true],
    ['no saved session (it settles to disconnected)', false],
  ])('§4, C9: the first commit of an owned store shows its restore (reconnecting, no account), never a disconnected store first, with %s', async (_, saved) => {
    const provider = createMockProvider()
    const storage = createMemoryStorage()
    if (saved) {
      const before = createSessionStore(provider, { storage })
      await before.connect() // the session a reload restores: saved, and live in the wallet
      before.destroy()
    }
    const { committed, unmount } = commits((child) => (
      <SessionProvider provider={provider} options={{ storage }}>
        {child}
      </SessionProvider>
    ))
    expect(committed[0]).toEqual(RESTORING)
    await act(macrotask)
    await waitFor(() => {
      expect(committed.at(-1)?.status).toBe(saved ? 'connected' : 'disconnected')
    })
    // every commit in order: the restore, then where it ends
    expect(committed.map((state) => state.status)).toEqual(['reconnecting', saved ? 'connected' : 'disconnected'])
    unmount()
  })

  it('§4, C9, C11: under StrictMode too, and the restore\'s events still reach useSessionEvent below', async () => {
    const provider = createMockProvider()
    const storage = createMemoryStorage()
    const before = createSessionStore(provider, { storage })
    await before.connect() // saved as alice
    before.destroy()
    provider.wallet.switchParty('bob::1220bb') // the wallet is on bob now: the restore tells of the switch
    const heard: ChangeEvent[] = []
    function Events() {
      useSessionEvent('party:changed', (event) => void heard.push(event))
      return null
    }
    const { committed, unmount } = commits((child) => (
      <StrictMode>
        <SessionProvider provider={provider} options={{ storage }}>
          <Events />
          {child}
        </SessionProvider>
      </StrictMode>
    ))
    expect(committed[0]).toEqual(RESTORING)
    await act(macrotask)
    expect(committed.map((state) => state.status).filter((status, i, all) => status != all[i - 1])).toEqual(['reconnecting', 'connected'])
    expect(heard).toEqual([{ previous: 'alice::1220aa', current: 'bob::1220bb', source: 'restore' }])
    unmount()
  })

  it('§4: after the provider unmounts, the store it handed out reads as disconnected (no restore to come)', async () => {
    const provider = createMockProvider({ connected: true })
    let store: SessionStore | undefined
    function Grab() {
      store = useSessionStore()
      return null
    }
    const { unmount } = render(
      <SessionProvider provider={provider} options={{ storage: createMemoryStorage() }}>
        <Grab />
      </SessionProvider>,
    )
    expect(store!.getSnapshot().status).toBe('reconnecting')
    unmount()
    expect(store!.getSnapshot()).toBe(DISCONNECTED_STATE)
  })
})

describe('SessionProvider with a store (the app owns it)', () => {
  it('neither initialises nor destroys the store', async () => {
    const { provider, store } = setup({ connected: true })
    const { unmount } = render(
      <StrictMode>
        <SessionProvider store={store}>
          <p>app</p>
        </SessionProvider>
      </StrictMode>,
    )
    await act(macrotask)
    expect(provider.calls).toEqual([])
    unmount()
    await macrotask()
    expect(provider.listenerCount()).toBe(listenersOfOneStore())
    await expect(store.restore()).resolves.toMatchObject({ status: 'connected' })
    store.destroy()
  })
  it('§4: the first commit shows the store as it is (not restored yet: disconnected), and the provider restores nothing', async () => {
    const { provider, store } = setup({ connected: true })
    const committed: string[] = []
    function Status() {
      const { status } = useSession()
      useLayoutEffect(() => void committed.push(status))
      return null
    }
    const { unmount } = render(
      <SessionProvider store={store}>
        <Status />
      </SessionProvider>,
    )
    await act(macrotask)
    expect(committed).toEqual(['disconnected'])
    expect(provider.calls).toEqual([])
    unmount()
    store.destroy()
  })
})

describe('SessionProvider with another store prop', () => {
  it('§4: the hooks follow the new store (state, actions, events) and leave the old one alone, which stays the app\'s', async () => {
    const a = setup({ connected: true })
    const b = setup({ connected: true, accounts: [{ partyId: 'bob::1220bb', primary: true }] })
    await a.store.restore()
    await b.store.restore()
    const heard: (string | null)[] = []
    let renders = 0
    let session!: ReturnType<typeof useSession>
    function Probe() {
      renders++
      useSessionEvent('party:changed', (e) => heard.push(e.current))
      session = useSession()
      return <p>{session.account?.partyId}</p>
    }
    const app = (store: SessionStore) => (
      <SessionProvider store={store}>
        <Probe />
      </SessionProvider>
    )
    const { container, rerender, unmount } = render(app(a.store))
    expect(container.textContent).toBe('alice::1220aa')
    const before = renders
    rerender(app(b.store))
    expect(container.textContent).toBe('bob::1220bb')
    expect(renders).toBe(before + 1)
    await act(async () => {
      a.wallet.switchParty('bob::1220bb') // the old store's wallet: no longer heard
      await walletEvents()
    })
    expect(heard).toEqual([])
    expect(container.textContent).toBe('bob::1220bb')
    await act(() => session.disconnect()) // the new store's action
    expect(b.store.getSnapshot().status).toBe('disconnected')
    expect(container.textContent).toBe('')
    unmount()
    expect(a.store.getSnapshot().account?.partyId).toBe('bob::1220bb') // not destroyed: it still follows its wallet
    a.store.destroy()
    b.store.destroy()
  })
})

describe('hooks outside <SessionProvider>', () => {
  const hooks: [string, () => unknown][] = [
    ['useSession', useSession],
    ['useAccount', useAccount],
    ['useSessionSelector', () => useSessionSelector((s) => s.status)],
    ['useSessionEvent', () => {
      useSessionEvent('party:changed', () => undefined)
    }],
    ['useSessionStore', useSessionStore],
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- still supported
    ['useClientSession', useClientSession],
  ]
  it.each(hooks)('%s throws an error naming <SessionProvider>', (_name, hook) => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined)
    // React 18 also reports the render error to the window; keep the test output quiet
    const quiet = (event: ErrorEvent) => {
      event.preventDefault()
    }
    window.addEventListener('error', quiet)
    try {
      expect(() => renderHook(hook)).toThrow('Missing <SessionProvider>')
    } finally {
      window.removeEventListener('error', quiet)
    }
  })
})
