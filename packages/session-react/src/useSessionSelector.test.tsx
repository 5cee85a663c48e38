// @vitest-environment jsdom
import type { SessionState } from '@sessionlayer/session-core'
import { act, renderHook } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { setup, withStore } from '../test/helpers'
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
    act(() => {
      wallet.switchParty('bob::1220bb')
    })
    expect(store.getSnapshot().account?.partyId).toBe('bob::1220bb')
    expect(renders).toBe(before)
    act(() => {
      wallet.switchNetwork('canton:testnet')
    })
    expect(result.current).toBe('canton:testnet')
    expect(renders).toBe(before + 1)
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
    act(() => {
      wallet.switchParty('bob::1220bb') // the accounts change (primary flag), the sorted ids do not
    })
    expect(renders).toBe(before)
    expect(result.current).toBe(selected)
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
