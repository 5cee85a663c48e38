// @vitest-environment jsdom
import type { ChangeEvent } from '@sessionlayer/session-core'
import { act, render, renderHook } from '@testing-library/react'
import { useLayoutEffect, useState } from 'react'
import { flushSync } from 'react-dom'
import { describe, expect, it, vi } from 'vitest'
import { setup, walletEvents, withStore } from '../test/helpers'
import { SessionProvider } from './SessionProvider'
import { useSessionEvent } from './useSessionEvent'

describe('useSessionEvent', () => {
  it('C11: calls the latest handler with the typed payload, and a new handler identity does not resubscribe', async () => {
    const { store, wallet } = setup()
    const on = vi.spyOn(store, 'on')
    const calls: [string, ChangeEvent][] = []
    const { rerender } = renderHook(
      ({ label }) => {
        useSessionEvent('party:changed', (event) => {
          calls.push([label, event])
        })
      },
      { wrapper: withStore(store), initialProps: { label: 'first' } },
    )
    await act(() => store.connect())
    rerender({ label: 'second' })
    rerender({ label: 'third' })
    expect(on.mock.calls.filter(([type]) => type === 'party:changed')).toHaveLength(1)
    await act(async () => {
      wallet.switchParty('bob::1220bb')
      await walletEvents()
    })
    expect(calls).toEqual([['third', { previous: 'alice::1220aa', current: 'bob::1220bb', source: 'local' }]])
  })

  it('C11: an event that a layout effect of a render causes reaches the handler of that render', async () => {
    // 'sync': the layout effect's wallet event reaches the store inside the render's commit, before the effects run
    const { store, wallet } = setup({ delivery: 'sync' })
    const calls: [string, string | null][] = []
    const { rerender } = renderHook(
      ({ party }) => {
        useSessionEvent('party:changed', (event) => {
          calls.push([party, event.current])
        })
        useLayoutEffect(() => {
          if (store.getSnapshot().status === 'connected') wallet.switchParty(party)
        }, [party])
      },
      { wrapper: withStore(store), initialProps: { party: 'alice::1220aa' } },
    )
    await act(() => store.connect())
    act(() => {
      rerender({ party: 'bob::1220bb' })
    })
    expect(calls).toEqual([['bob::1220bb', 'bob::1220bb']])
  })

  it('§4, C11: a new event type: an event of the previous type that comes before the effects run (here a layout effect of that render causes it) reaches the handler last rendered for that type, never the handler for the new type', async () => {
    // 'sync': the layout effect's wallet event reaches the store inside the render's commit, before the effects run
    const { store, wallet } = setup({ delivery: 'sync' })
    const calls: [string, ChangeEvent][] = []
    const { rerender } = renderHook(
      ({ type }: { type: 'party:changed' | 'network:changed' }) => {
        useSessionEvent(type, (event) => {
          calls.push([type, event])
        })
        useLayoutEffect(() => {
          if (type === 'network:changed') wallet.switchParty('bob::1220bb')
        }, [type])
      },
      { wrapper: withStore(store), initialProps: { type: 'party:changed' } },
    )
    await act(() => store.connect())
    act(() => {
      rerender({ type: 'network:changed' })
    })
    expect(store.getSnapshot().account?.partyId).toBe('bob::1220bb')
    // the party listener was still attached: its handler gets the party event, the network handler nothing
    expect(calls).toEqual([['party:changed', { previous: 'alice::1220aa', current: 'bob::1220bb', source: 'local' }]])
    await act(async () => {
      wallet.switchNetwork('canton:testnet')
      wallet.switchParty('alice::1220aa')
      await walletEvents()
    })
    expect(calls.slice(1)).toEqual([['network:changed', { previous: 'canton:devnet', current: 'canton:testnet', source: 'local' }]])
  })

  it('§4, C11: another store: an event of the previous store that comes before the effects run (here a layout effect of that render causes it) reaches the handler last rendered for that store, never the handler rendered for the new one', async () => {
    // 'sync': the layout effect's wallet event reaches the store inside the render's commit, before the effects run
    const a = setup({ delivery: 'sync' })
    const b = setup()
    await a.store.connect()
    await b.store.connect()
    const calls: [string, string | null][] = []
    function Child({ label }: { label: string }) {
      useSessionEvent('party:changed', (event) => {
        calls.push([label, event.current])
      })
      useLayoutEffect(() => {
        if (label === 'b') a.wallet.switchParty('bob::1220bb')
      }, [label])
      return null
    }
    const { rerender } = render(
      <SessionProvider store={a.store}>
        <Child label="a" />
      </SessionProvider>,
    )
    act(() => {
      rerender(
        <SessionProvider store={b.store}>
          <Child label="b" />
        </SessionProvider>,
      )
    })
    expect(a.store.getSnapshot().account?.partyId).toBe('bob::1220bb')
    // store A's listener was still attached: the handler rendered for A gets its event, the one for B nothing
    expect(calls).toEqual([['a', 'bob::1220bb']])
    await act(async () => {
      a.wallet.switchParty('alice::1220aa')
      b.wallet.switchParty('bob::1220bb')
      await walletEvents()
    })
    expect(calls.slice(1)).toEqual([['b', 'bob::1220bb']])
  })

  it('§2.2, C16: an async handler that rejects becomes an error event of the store', async () => {
    const { store, wallet } = setup()
    const errors: unknown[] = []
    store.on('error', (e) => errors.push(e.error))
    renderHook(() => {
      useSessionEvent('party:changed', async (event) => {
        await Promise.resolve()
        throw new Error(`refetch for ${event.current} failed`)
      })
    }, { wrapper: withStore(store) })
    await act(() => store.connect())
    await act(async () => {
      wallet.switchParty('bob::1220bb')
      await new Promise((resolve) => setTimeout(resolve, 0))
      await walletEvents()
    })
    expect(errors).toMatchObject([{ message: 'refetch for bob::1220bb failed' }])
  })

  it('resubscribes when the event type changes, and stops listening on unmount', async () => {
    const { store, wallet } = setup()
    const handler = vi.fn()
    const { rerender, unmount } = renderHook(({ type }) => useSessionEvent(type, handler), {
      wrapper: withStore(store),
      initialProps: { type: 'party:changed' as 'party:changed' | 'network:changed' },
    })
    await act(() => store.connect())
    rerender({ type: 'network:changed' })
    await act(async () => {
      wallet.switchParty('bob::1220bb')
      wallet.switchNetwork('canton:testnet')
      await walletEvents()
    })
    expect(handler.mock.calls).toEqual([[{ previous: 'canton:devnet', current: 'canton:testnet', source: 'local' }]])
    unmount()
    await act(async () => {
      wallet.switchNetwork('canton:devnet')
      await walletEvents()
    })
    expect(handler).toHaveBeenCalledTimes(1)
  })

  it('§4, C11: a component that an earlier handler of the same event unmounts (a synchronous update) is not called for that event after its unmount', async () => {
    const { store, wallet } = setup()
    await store.connect()
    const calls: string[] = []
    function Panel() {
      useSessionEvent('party:changed', () => calls.push('panel'))
      return null
    }
    function Closer({ close }: { close: () => void }) {
      // the party switch closes the panel at once (flushSync: a router navigation, a portal closed)
      useSessionEvent('party:changed', () => {
        calls.push('closer')
        flushSync(close)
      })
      return null
    }
    function App() {
      const [open, setOpen] = useState(true)
      return (
        <>
          <Closer close={() => setOpen(false)} />
          {open && <Panel />}
        </>
      )
    }
    render(
      <SessionProvider store={store}>
        <App />
      </SessionProvider>,
    )
    await act(async () => {
      wallet.switchParty('bob::1220bb')
      await walletEvents()
    })
    expect(calls).toEqual(['closer'])
  })
})
