// @vitest-environment jsdom
import { act, renderHook } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { setup, walletEvents, withStore } from '../test/helpers'
import { useAccount } from './useAccount'
import { useSession } from './useSession'

afterEach(() => {
  vi.useRealTimers()
})

describe('useAccount', () => {
  it('returns the active party, accounts, network and status', async () => {
    const { store } = setup()
    const { result } = renderHook(useAccount, { wrapper: withStore(store) })
    expect(result.current).toEqual({ account: null, partyId: null, accounts: [], networkId: null, status: 'disconnected', isConnected: false })
    await act(() => store.connect())
    expect(result.current).toMatchObject({ partyId: 'alice::1220aa', networkId: 'canton:devnet', status: 'connected', isConnected: true })
    expect(result.current.account).toBe(store.getSnapshot().account)
    expect(result.current.accounts.map((a) => a.partyId)).toEqual(['alice::1220aa', 'bob::1220bb'])
  })

  it('C11: re-renders once on a party switch', async () => {
    const { store, wallet } = setup()
    let renders = 0
    const { result } = renderHook(
      () => {
        renders++
        return useAccount()
      },
      { wrapper: withStore(store) },
    )
    await act(() => store.connect())
    const before = renders
    await act(async () => {
      wallet.switchParty('bob::1220bb')
      await walletEvents()
    })
    expect(renders).toBe(before + 1)
    expect(result.current.partyId).toBe('bob::1220bb')
  })

  it('C3, C7: isConnected is false while connecting and while reconnecting', async () => {
    vi.useFakeTimers()
    const { store, wallet } = setup({ connectMode: 'async' }, { reconnect: { maxAttempts: 3 } })
    const { result } = renderHook(useAccount, { wrapper: withStore(store) })
    let pending: Promise<unknown> = Promise.resolve()
    await act(async () => {
      pending = store.connect()
      await vi.advanceTimersByTimeAsync(0)
    })
    expect(result.current).toMatchObject({ status: 'connecting', isConnected: false })
    await act(async () => {
      wallet.approve()
      await walletEvents()
      await pending
    })
    expect(result.current).toMatchObject({ status: 'connected', isConnected: true })
    await act(async () => {
      wallet.drop()
      await walletEvents()
    })
    expect(result.current).toMatchObject({ status: 'reconnecting', partyId: 'alice::1220aa', isConnected: false })
  })

  it('C7: does not re-render when only lastError changes (failed reconnect attempts), unlike useSession', async () => {
    vi.useFakeTimers()
    const { store, wallet } = setup(undefined, { reconnect: { maxAttempts: 3 } })
    const renders = { account: 0, session: 0 }
    const wrapper = withStore(store)
    const account = renderHook(
      () => {
        renders.account++
        return useAccount()
      },
      { wrapper },
    )
    renderHook(
      () => {
        renders.session++
        return useSession()
      },
      { wrapper },
    )
    await act(() => store.connect())
    await act(async () => {
      wallet.drop()
      await walletEvents()
    })
    expect(account.result.current.status).toBe('reconnecting')
    const before = { ...renders }
    const previous = account.result.current
    await act(() => vi.advanceTimersByTimeAsync(1600)) // two failed attempts: lastError changes only
    expect(store.getSnapshot()).toMatchObject({ status: 'reconnecting', lastError: { code: 4900 } })
    expect(renders.session).toBeGreaterThan(before.session)
    expect(renders.account).toBe(before.account)
    expect(account.result.current).toBe(previous)
  })
})
