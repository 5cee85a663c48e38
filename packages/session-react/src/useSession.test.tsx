// @vitest-environment jsdom
import { act, renderHook } from '@testing-library/react'
import { version } from 'react'
import { describe, expect, it, vi } from 'vitest'
import { setup, walletEvents, withStore } from '../test/helpers'
import { useSession } from './useSession'

/** Renders `useSession` and counts the renders and the store's notifications. */
function renderCounted() {
  const env = setup()
  let renders = 0
  let notifications = 0
  env.store.subscribe(() => {
    notifications++
  })
  const view = renderHook(
    () => {
      renders++
      return useSession()
    },
    { wrapper: withStore(env.store) },
  )
  const counts = () => ({ renders: renders - 1, notifications })
  return { ...env, ...view, counts }
}

describe('useSession', () => {
  it('C1: starts disconnected, with the status flags', () => {
    const { result } = renderCounted()
    expect(result.current).toMatchObject({
      status: 'disconnected',
      account: null,
      accounts: [],
      networkId: null,
      lastError: null,
      isConnected: false,
      isConnecting: false,
      isReconnecting: false,
      isDisconnected: true,
    })
  })

  it('C2: renders exactly once per real store change', async () => {
    const { result, wallet, counts } = renderCounted()
    await act(() => result.current.connect())
    expect(result.current).toMatchObject({ status: 'connected', isConnected: true, isDisconnected: false, networkId: 'canton:devnet' })
    // connecting, then connected (React may batch the two into one render)
    expect(counts().notifications).toBe(2)
    expect(counts().renders).toBeGreaterThanOrEqual(1)
    expect(counts().renders).toBeLessThanOrEqual(2)

    // [wallet action, real store changes]: a network switch tells the network, then the accounts that moved with it
    const changes = [
      [() => wallet.switchParty('bob::1220bb'), 1],
      [() => wallet.switchNetwork('canton:testnet'), 2],
      [() => wallet.switchParty('alice::1220aa'), 1],
    ] as const
    for (const [change, storeChanges] of changes) {
      const before = counts()
      await act(async () => {
        change()
        await walletEvents()
      })
      // one render per real change: each wallet event reaches the store on a task of its own (React
      // 18 renders what an act() scope queued once, as it exits: one render for the act)
      expect(counts()).toEqual({ renders: before.renders + (version.startsWith('18.') ? 1 : storeChanges), notifications: before.notifications + storeChanges })
    }
    expect(result.current).toMatchObject({ networkId: 'canton:testnet', account: { partyId: 'alice::1220aa' } })
  })

  it('C2: renders zero times for a no-op wallet event (identical statusChanged, accountsChanged equal by value)', async () => {
    const { result, provider, wallet, counts } = renderCounted()
    await act(() => result.current.connect())
    const settled = counts()
    const status = await provider.request({ method: 'status' })
    await act(async () => {
      wallet.emitRaw('statusChanged', status)
      wallet.emitRaw('accountsChanged', wallet.state().accounts)
      wallet.emitRaw('accountsChanged', wallet.state().accounts.map((a) => ({ ...a })))
      await walletEvents()
    })
    expect(counts()).toEqual(settled)
  })

  it('keeps connect, disconnect, restore and enqueue identical across renders', async () => {
    const { result, rerender } = renderCounted()
    const first = result.current
    await act(() => result.current.connect())
    rerender()
    for (const action of ['connect', 'disconnect', 'restore', 'enqueue'] as const) expect(result.current[action]).toBe(first[action])
  })

  it('C2: the result keeps its identity across a render the session did not cause (safe as an effect dependency or a memo prop), and changes with the session', async () => {
    const { result, rerender, wallet } = renderCounted()
    await act(() => result.current.connect())
    const connected = result.current
    rerender()
    expect(result.current).toBe(connected)
    await act(async () => {
      wallet.switchParty('bob::1220bb')
      await walletEvents()
    })
    expect(result.current).not.toBe(connected)
    expect(result.current).toMatchObject({ isConnected: true, account: { partyId: 'bob::1220bb' }, connect: connected.connect })
  })

  it('C6, C13: the actions drive the store', async () => {
    const { result, store } = renderCounted()
    await act(() => result.current.connect())
    await expect(result.current.enqueue(() => 42)).resolves.toBe(42)
    await act(() => result.current.disconnect())
    expect(result.current).toMatchObject({ status: 'disconnected', isDisconnected: true, account: null })
    expect(store.getSnapshot().status).toBe('disconnected')
  })

  it('C3: reports connecting while an asynchronous wallet waits for the user', async () => {
    const env = setup({ connectMode: 'async' })
    const { result } = renderHook(useSession, { wrapper: withStore(env.store) })
    let pending: Promise<unknown> = Promise.resolve()
    await act(async () => {
      pending = result.current.connect()
      await Promise.resolve()
    })
    expect(result.current).toMatchObject({ status: 'connecting', isConnecting: true })
    await act(async () => {
      env.wallet.approve()
      await walletEvents()
      await pending
    })
    expect(result.current.isConnected).toBe(true)
  })

  it('C3, C7: exactly one status flag holds in each status: connecting, connected, reconnecting', async () => {
    vi.useFakeTimers()
    try {
      const env = setup({ connectMode: 'async' }, { reconnect: { baseDelayMs: 100 } })
      const { result } = renderHook(useSession, { wrapper: withStore(env.store) })
      const flags = () => {
        const { isConnected, isConnecting, isReconnecting, isDisconnected } = result.current
        return { isConnected, isConnecting, isReconnecting, isDisconnected }
      }
      let pending: Promise<unknown> = Promise.resolve()
      await act(async () => {
        pending = result.current.connect()
        await vi.advanceTimersByTimeAsync(0)
      })
      expect(flags()).toEqual({ isConnected: false, isConnecting: true, isReconnecting: false, isDisconnected: false })
      await act(async () => {
        env.wallet.approve()
        await walletEvents()
        await pending
      })
      expect(flags()).toEqual({ isConnected: true, isConnecting: false, isReconnecting: false, isDisconnected: false })
      await act(async () => {
        env.wallet.drop()
        await walletEvents()
      })
      expect(result.current.status).toBe('reconnecting')
      expect(flags()).toEqual({ isConnected: false, isConnecting: false, isReconnecting: true, isDisconnected: false })
    } finally {
      vi.useRealTimers()
    }
  })
})
