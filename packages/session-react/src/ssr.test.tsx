import { createMockProvider } from '@sessionlayer/session-testing'
import { renderToString } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { CONNECTED_STATE, PartyBadge, setup } from '../test/helpers'
import { SessionProvider } from './SessionProvider'
import { useSession } from './useSession'
import { useSessionStore } from './useSessionStore'

function Status() {
  const { status, isDisconnected } = useSession()
  return <p>{`${status} ${isDisconnected}`}</p>
}

describe('server rendering (Node, no DOM)', () => {
  it('renders the disconnected snapshot, and creates no store: no wallet listener, no request', () => {
    const provider = createMockProvider({ connected: true })
    const html = renderToString(
      <SessionProvider provider={provider}>
        <Status />
      </SessionProvider>,
    )
    expect(html).toBe('<p>disconnected true</p>')
    expect(provider.listenerCount()).toBe(0)
    expect(provider.calls).toEqual([])
  })

  it('useSessionStore().getProvider() in a render gives the wallet provider and creates no store: no wallet listener, no request', () => {
    const provider = createMockProvider({ connected: true })
    let got: unknown
    function Wallet() {
      got = useSessionStore().getProvider()
      return null
    }
    renderToString(
      <SessionProvider provider={provider}>
        <Wallet />
      </SessionProvider>,
    )
    expect(got).toBe(provider)
    expect(provider.listenerCount()).toBe(0)
    expect(provider.calls).toEqual([])
  })

  it('renders the party of a connected initialState', () => {
    const html = renderToString(
      <SessionProvider provider={createMockProvider()} initialState={CONNECTED_STATE}>
        <PartyBadge />
      </SessionProvider>,
    )
    expect(html).toBe('<p>connected: alice::1220aa</p>')
  })

  it('§4: renders the party of a connected initialState for an app-owned store too', async () => {
    const { store } = setup()
    const html = renderToString(
      <SessionProvider store={store} initialState={CONNECTED_STATE}>
        <PartyBadge />
      </SessionProvider>,
    )
    expect(html).toBe('<p>connected: alice::1220aa</p>')
    store.destroy()
  })

  it('renders the server snapshot, not the live store state, for an app-owned store', async () => {
    const { store } = setup()
    await store.connect()
    const html = renderToString(
      <SessionProvider store={store}>
        <Status />
      </SessionProvider>,
    )
    expect(html).toBe('<p>disconnected true</p>')
    store.destroy()
  })
})
