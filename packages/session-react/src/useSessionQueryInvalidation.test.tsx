// @vitest-environment jsdom
import { sessionQueryKey } from '@sessionlayer/session-core'
import { QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query'
import { act, render, renderHook, screen } from '@testing-library/react'
import type { ReactNode } from 'react'
import { describe, expect, it, vi } from 'vitest'
import { setup } from '../test/helpers'
import { SessionProvider } from './SessionProvider'
import { useSession } from './useSession'
import { useSessionQueryInvalidation } from './useSessionQueryInvalidation'

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
  function App() {
    useSessionQueryInvalidation()
    const { isConnected } = useSession()
    return (
      <>
        {isConnected && <Holdings />}
        <Other />
      </>
    )
  }
  render(
    <QueryClientProvider client={client}>
      <SessionProvider store={env.store}>
        <App />
      </SessionProvider>
    </QueryClientProvider>,
  )
  const underRoot = () => client.getQueryCache().findAll({ queryKey: ['sessionlayer'] })
  const invalidated: unknown[] = []
  client.getQueryCache().subscribe((event) => {
    if (event.type === 'updated' && event.action.type === 'invalidate') invalidated.push(event.query.queryKey)
  })
  return { ...env, client, fetched, invalidated, underRoot, otherFetches: () => otherFetches }
}

describe('useSessionQueryInvalidation', () => {
  it('C11: invalidates session queries on a party switch (refetched for the new party); other queries untouched', async () => {
    const { store, wallet, client, fetched, invalidated, otherFetches } = setupApp()
    await act(() => store.connect())
    await screen.findByText('holdings of alice::1220aa')
    await screen.findByText('prices 1')
    const aliceKey = sessionQueryKey(store.getSnapshot(), 'holdings')
    const pricesUpdatedAt = client.getQueryState(['prices'])?.dataUpdatedAt

    act(() => {
      wallet.switchParty('bob::1220bb')
    })
    await screen.findByText('holdings of bob::1220bb')
    expect(invalidated).toEqual([aliceKey])
    expect(fetched.at(-1)).toBe('bob::1220bb')
    expect(fetched.filter((party) => party === 'bob::1220bb')).toHaveLength(1)
    expect(client.getQueryState(['prices'])).toMatchObject({ isInvalidated: false, dataUpdatedAt: pricesUpdatedAt })
    expect(otherFetches()).toBe(1)
  })

  it('C11: invalidates session queries on a network switch', async () => {
    const { store, wallet, invalidated } = setupApp()
    await act(() => store.connect())
    await screen.findByText('holdings of alice::1220aa')
    const devnetKey = sessionQueryKey(store.getSnapshot(), 'holdings')
    act(() => {
      wallet.switchNetwork('canton:testnet')
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
