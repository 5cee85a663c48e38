// @vitest-environment jsdom
import { createMemoryStorage, createSessionStore, RECONNECTING_STATE, type SessionState } from '@sessionlayer/session-core'
import { createMockProvider } from '@sessionlayer/session-testing'
import { act, render } from '@testing-library/react'
import type { ReactNode } from 'react'
import { hydrateRoot, type Root } from 'react-dom/client'
import { renderToString } from 'react-dom/server'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { CONNECTED_STATE, PartyBadge } from '../test/helpers'
import { useAccount } from './useAccount'
import { SessionProvider } from './SessionProvider'

const app = (initialState?: SessionState, connected = false) => (
  <SessionProvider provider={createMockProvider({ connected })} initialState={initialState}>
    <PartyBadge />
  </SessionProvider>
)

let root: Root | undefined
afterEach(() => {
  act(() => root?.unmount())
  document.body.innerHTML = ''
  vi.restoreAllMocks()
})

async function hydrate(html: string, client: ReactNode) {
  const container = document.createElement('div')
  container.innerHTML = html
  document.body.append(container)
  const onRecoverableError = vi.fn()
  await act(async () => {
    root = hydrateRoot(container, client, { onRecoverableError })
    await Promise.resolve()
  })
  return { container, onRecoverableError }
}

describe('hydration', () => {
  it('hydrates the server HTML with the same initialState: no recoverable error, no console error', async () => {
    const html = renderToString(app(CONNECTED_STATE))
    const consoleError = vi.spyOn(console, 'error')
    const { container, onRecoverableError } = await hydrate(html, app(CONNECTED_STATE, true))
    expect(onRecoverableError).not.toHaveBeenCalled()
    expect(consoleError).not.toHaveBeenCalled()
    // then the live store takes over: the wallet's session is restored (C9)
    await act(() => new Promise((resolve) => setTimeout(resolve, 10)))
    expect(container.textContent).toBe('connected: alice::1220aa')
  })

  it('§4: hydrates the server HTML of an app-owned store with the same initialState, though the store already holds another session, then shows the store', async () => {
    const server = createSessionStore(createMockProvider(), { storage: createMemoryStorage() })
    const html = renderToString(
      <SessionProvider store={server} initialState={CONNECTED_STATE}>
        <PartyBadge />
      </SessionProvider>,
    )
    server.destroy()
    expect(html).toContain('connected: alice::1220aa')
    // the app's store, restored before hydration: connected as bob, not the server's alice
    const provider = createMockProvider({ connected: true })
    provider.wallet.switchParty('bob::1220bb')
    const store = createSessionStore(provider, { storage: createMemoryStorage() })
    await store.init()
    expect(store.getSnapshot().account?.partyId).toBe('bob::1220bb')
    const consoleError = vi.spyOn(console, 'error')
    const { container, onRecoverableError } = await hydrate(
      html,
      <SessionProvider store={store} initialState={CONNECTED_STATE}>
        <PartyBadge />
      </SessionProvider>,
    )
    expect(onRecoverableError).not.toHaveBeenCalled()
    expect(consoleError).not.toHaveBeenCalled()
    expect(container.textContent).toBe('connected: bob::1220bb')
    store.destroy()
  })

  it('C9: a client render that hydrates nothing shows the store from its first render on, not initialState (no session before the restore)', async () => {
    const seen: string[] = []
    function Seen() {
      const { status, partyId } = useAccount()
      seen.push(`${status}: ${partyId ?? 'nobody'}`)
      return null
    }
    const { unmount } = render(
      <SessionProvider provider={createMockProvider()} initialState={CONNECTED_STATE}>
        <Seen />
      </SessionProvider>,
    )
    await act(() => new Promise((resolve) => setTimeout(resolve, 10)))
    expect(seen[0]).toBe('reconnecting: nobody') // the restore the mount brings, not a Connect button
    expect(seen).not.toContain('connected: alice::1220aa')
    unmount()
  })

  it('C9: a page whose store the server cannot read renders the restore from the server HTML on with initialState RECONNECTING_STATE, never the disconnected state before the restore ends', async () => {
    const seen: string[] = []
    function Seen() {
      const { status, partyId } = useAccount()
      seen.push(`${status}: ${partyId ?? 'nobody'}`)
      return <p>{`${status}: ${partyId ?? 'nobody'}`}</p>
    }
    const page = (connected: boolean) => (
      <SessionProvider provider={createMockProvider({ connected })} initialState={RECONNECTING_STATE}>
        <Seen />
      </SessionProvider>
    )
    const html = renderToString(page(false))
    expect(html).toContain('reconnecting: nobody')
    for (const connected of [true, false]) {
      seen.length = 0
      const consoleError = vi.spyOn(console, 'error')
      const { container, onRecoverableError } = await hydrate(html, page(connected))
      expect(onRecoverableError).not.toHaveBeenCalled()
      expect(consoleError).not.toHaveBeenCalled()
      await act(() => new Promise((resolve) => setTimeout(resolve, 10)))
      const end = connected ? 'connected: alice::1220aa' : 'disconnected: nobody'
      expect(container.textContent).toBe(end)
      // each render shows the restore until it ends
      expect(seen.filter((s) => s != 'reconnecting: nobody')).toEqual([end])
      act(() => root?.unmount())
      root = undefined
      document.body.innerHTML = ''
    }
  })

  it('control: without the server initialState the client snapshot differs and React reports a mismatch', async () => {
    const html = renderToString(app(CONNECTED_STATE))
    vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const { onRecoverableError } = await hydrate(html, app(undefined))
    expect(onRecoverableError).toHaveBeenCalled()
  })
})
