// @vitest-environment jsdom
import type { SessionState } from '@sessionlayer/session-core'
import { act, renderHook } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import { setup, walletEvents, withStore } from '../test/helpers'
import { useSessionSelector } from './useSessionSelector'

describe('useSessionSelector', () => {
  it('C2: a component selecting networkId does not re-render while the party switches', async () => {
    const { store, wallet } = setup()
    let renders = 0
    const { result } = renderHook(
      () => {
        renders++
        return useSessionSelector((s) => s.networkId)
      },
      { wrapper: withStore(store) },
    )
    await act(() => store.connect())
    expect(result.current).toBe('canton:devnet')
    const before = renders
    await act(async () => {
      wallet.switchParty('bob::1220bb')
      await walletEvents()
    })
    expect(store.getSnapshot().account?.partyId).toBe('bob::1220bb')
    expect(renders).toBe(before)
    await act(async () => {
      wallet.switchNetwork('canton:testnet')
      await walletEvents()
    })
    expect(result.current).toBe('canton:testnet')
    expect(renders).toBe(before + 1)
  })

  it('C2, C7: a component selecting the account renders zero times when a reconnect brings the same accounts back', async () => {
    vi.useFakeTimers()
    try {
      const { store, wallet } = setup(undefined, { reconnect: { baseDelayMs: 100 } })
      await store.connect()
      let renders = 0
      const { result } = renderHook(
        () => {
          renders++
          return useSessionSelector((s) => s.account)
        },
        { wrapper: withStore(store) },
      )
      const account = result.current
      expect(account?.partyId).toBe('alice::1220aa')
      const before = renders
      await act(async () => {
        wallet.drop()
        await vi.advanceTimersByTimeAsync(0)
        expect(store.getSnapshot().status).toBe('reconnecting')
        wallet.recover()
        await vi.advanceTimersByTimeAsync(100)
        await walletEvents()
      })
      expect(store.getSnapshot().status).toBe('connected')
      expect(result.current).toBe(account)
      expect(renders).toBe(before)
    } finally {
      vi.useRealTimers()
    }
  })

  it('keeps the previous selection while isEqual holds, with an inline selector', async () => {
    const { store, wallet } = setup()
    let renders = 0
    const { result } = renderHook(
      () => {
        renders++
        return useSessionSelector(
          (s) => s.accounts.map((a) => a.partyId).sort(),
          (a, b) => a.join() === b.join(),
        )
      },
      { wrapper: withStore(store) },
    )
    await act(() => store.connect())
    const selected = result.current
    expect(selected).toEqual(['alice::1220aa', 'bob::1220bb'])
    const before = renders
    await act(async () => {
      wallet.switchParty('bob::1220bb') // the accounts change (primary flag), the sorted ids do not
      await walletEvents()
    })
    expect(renders).toBe(before)
    expect(result.current).toBe(selected)
  })

  it('C2: isEqual is given the previous selection first, then the next one', async () => {
    const { store, wallet } = setup()
    await store.connect()
    const isEqual = vi.fn((previous: string | undefined, next: string | undefined) => previous === next)
    const { result } = renderHook(() => useSessionSelector((s) => s.account?.partyId, isEqual), { wrapper: withStore(store) })
    isEqual.mockClear()
    await act(async () => {
      wallet.switchParty('bob::1220bb')
      await walletEvents()
    })
    expect(result.current).toBe('bob::1220bb')
    expect(isEqual.mock.calls).toContainEqual(['alice::1220aa', 'bob::1220bb'])
    expect(isEqual.mock.calls).not.toContainEqual(['bob::1220bb', 'alice::1220aa'])
  })

  it('C2: an inline selector that builds a new object, with the default isEqual, renders once per real change and never loops', async () => {
    const { store, wallet } = setup()
    const consoleError = vi.spyOn(console, 'error')
    let renders = 0
    const { result } = renderHook(
      () => {
        renders++
        return useSessionSelector((s) => ({ party: s.account?.partyId ?? null }))
      },
      { wrapper: withStore(store) },
    )
    await act(() => store.connect())
    const before = renders
    await act(async () => {
      wallet.switchParty('bob::1220bb')
      await walletEvents()
    })
    expect(result.current).toEqual({ party: 'bob::1220bb' })
    expect(renders).toBe(before + 1)
    expect(consoleError).not.toHaveBeenCalled()
    consoleError.mockRestore()
  })

  it('§4, C2: an app\'s selector whose object gains a key ({ a } then { a, b }, the shared key unchanged) re-renders with the new object, with the default isEqual', async () => {
    const { store } = setup()
    const { result } = renderHook(() => useSessionSelector((s) => (s.networkId === null ? { a: 1 } : { a: 1, b: s.networkId })), { wrapper: withStore(store) })
    expect(result.current).toEqual({ a: 1 })
    await act(() => store.connect())
    expect(result.current).toEqual({ a: 1, b: 'canton:devnet' })
  })

  it('§4, C2: a new isEqual on a later render (it depends on a prop) applies at once: the selection is the one the new isEqual keeps, not the one the previous isEqual kept', async () => {
    const { store, wallet } = setup()
    await store.connect()
    // the order the wallet lists the parties in, or (unordered) the first order seen until the set changes
    const selectPartyIds = (s: SessionState) => s.accounts.map((a) => a.partyId)
    const sameOrder = (a: string[], b: string[]) => a.join() === b.join()
    const sameSet = (a: string[], b: string[]) => [...a].sort().join() === [...b].sort().join()
    const { result, rerender } = renderHook(({ ordered }) => useSessionSelector(selectPartyIds, ordered ? sameOrder : sameSet), {
      wrapper: withStore(store),
      initialProps: { ordered: false },
    })
    expect(result.current).toEqual(['alice::1220aa', 'bob::1220bb'])
    await act(async () => {
      wallet.setAccounts([...wallet.state().accounts].reverse()) // the same parties, listed the other way round
      await walletEvents()
    })
    expect(result.current).toEqual(['alice::1220aa', 'bob::1220bb']) // the same set: the previous selection
    rerender({ ordered: true })
    expect(result.current).toEqual(['bob::1220bb', 'alice::1220aa'])
  })

  it('re-selects when the selector depends on a prop that changed', async () => {
    const { store } = setup()
    await store.connect()
    const { result, rerender } = renderHook(({ index }) => useSessionSelector((s: SessionState) => s.accounts[index]?.partyId), {
      wrapper: withStore(store),
      initialProps: { index: 0 },
    })
    expect(result.current).toBe('alice::1220aa')
    rerender({ index: 1 })
    expect(result.current).toBe('bob::1220bb')
  })
})
