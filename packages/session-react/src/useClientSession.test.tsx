// @vitest-environment jsdom
/* eslint-disable @typescript-eslint/no-deprecated -- the deprecated hook is still supported */
import { act, renderHook } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import { setup, walletEvents, withStore } from '../test/helpers'
import { useClientSession } from './useClientSession'

describe('useClientSession (deprecated)', () => {
  it('C1, C5: is null unless connected, and the session summary while connected', async () => {
    const { store, wallet } = setup(undefined, { expiry: { ttlMs: 60_000 } })
    const { result } = renderHook(useClientSession, { wrapper: withStore(store) })
    expect(result.current).toBeNull()
    const before = Date.now()
    await act(() => store.connect())
    const { account, connectedAt, expiresAt } = store.getSnapshot()
    expect(result.current).toEqual({ partyId: 'alice::1220aa', networkId: 'canton:devnet', account, connectedAt, expiresAt })
    expect(connectedAt).toBeGreaterThanOrEqual(before)
    expect(expiresAt).toBe(connectedAt! + 60_000)

    await act(async () => {
      wallet.switchParty('bob::1220bb')
      await walletEvents()
    })
    expect(result.current?.partyId).toBe('bob::1220bb')
    await act(() => store.disconnect())
    expect(result.current).toBeNull()
  })

  it('C7: is null while a reconnect is under way, though the account stays visible', async () => {
    vi.useFakeTimers()
    try {
      const { store, wallet } = setup(undefined, { reconnect: { baseDelayMs: 100 } })
      const { result } = renderHook(useClientSession, { wrapper: withStore(store) })
      await act(() => store.connect())
      expect(result.current?.partyId).toBe('alice::1220aa')
      await act(async () => {
        wallet.drop()
        await walletEvents()
      })
      expect(store.getSnapshot()).toMatchObject({ status: 'reconnecting', account: { partyId: 'alice::1220aa' } })
      expect(result.current).toBeNull()
      await act(async () => {
        wallet.recover()
        await vi.advanceTimersByTimeAsync(100)
        await walletEvents()
      })
      expect(result.current?.partyId).toBe('alice::1220aa')
    } finally {
      vi.useRealTimers()
    }
  })
})
