import { createMemoryStorage, createSessionStore, type CIP0103Provider, type SessionState } from '@sessionlayer/session-core'
import { createChannelHub, createMockProvider } from '@sessionlayer/session-testing'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createSSRApp, defineComponent, h, onMounted, shallowRef } from 'vue'
import { renderToString } from 'vue/server-renderer'
import { countListeners } from '../test/countListeners'
import { createSessionPlugin } from './createSessionPlugin'
import { SESSION_KEY } from './SESSION_KEY'
import { provideSession } from './provideSession'
import { useAccount } from './useAccount'
import { useSession } from './useSession'
import { useSessionEvent } from './useSessionEvent'
import { useSessionStore } from './useSessionStore'

const initialState: SessionState = {
  status: 'connected',
  account: { partyId: 'alice::1220aa', primary: true },
  accounts: [{ partyId: 'alice::1220aa', primary: true }],
  networkId: 'canton:devnet',
  lastError: null,
  connectedAt: 1,
  expiresAt: null,
}

const onParty = vi.fn()
const Page = defineComponent({
  setup() {
    const { status, isConnected } = useSession()
    const { partyId, networkId } = useAccount()
    useSessionEvent('party:changed', onParty)
    return () => h('p', `${status.value}|${partyId.value ?? '-'}|${networkId.value ?? '-'}|${isConnected.value}`)
  },
})

function serverSetup() {
  const hub = createChannelHub()
  const provider = createMockProvider({ connected: true })
  const options = {
    provider,
    storage: createMemoryStorage(),
    broadcast: { channelFactory: hub.channelFactory, lockManager: null },
    reconnect: true,
    expiry: { ttlMs: 60_000, idleTimeoutMs: 10_000 },
  }
  return { hub, provider, options }
}

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('server rendering (Node, no DOM)', () => {
  it('renders the disconnected session, leaving no timer, no channel and no wallet listener or request', async () => {
    expect('window' in globalThis).toBe(false)
    const { hub, provider, options } = serverSetup()
    const app = createSSRApp(Page).use(createSessionPlugin(options))
    expect(await renderToString(app)).toBe('<p>disconnected|-|-|false</p>')
    expect(vi.getTimerCount()).toBe(0)
    expect(hub.openCount()).toBe(0)
    expect(provider.listenerCount()).toBe(0)
    expect(provider.calls).toEqual([])
  })

  it('renders the party of initialState (e.g. read from a cookie storage), still without side effects', async () => {
    const { hub, provider, options } = serverSetup()
    const app = createSSRApp(Page).use(createSessionPlugin({ ...options, initialState }))
    expect(await renderToString(app)).toBe('<p>connected|alice::1220aa|canton:devnet|true</p>')
    expect(vi.getTimerCount()).toBe(0)
    expect(hub.openCount()).toBe(0)
    expect(provider.listenerCount()).toBe(0)
    expect(onParty).not.toHaveBeenCalled()
  })

  it('creates the owned store on first access only, detached from the wallet, never with a channel; releases it on app.unmount()', async () => {
    const { hub, provider, options } = serverSetup()
    let store: ReturnType<typeof useSessionStore> | undefined
    const WithStore = defineComponent({
      setup() {
        store = useSessionStore()
        return () => h('p', store?.getSnapshot().status)
      },
    })
    const app = createSSRApp(WithStore).use(createSessionPlugin(options))
    expect(await renderToString(app)).toBe('<p>disconnected</p>')
    expect(provider.listenerCount()).toBe(0) // a server app is never unmounted: nothing may stay attached
    expect(hub.openCount()).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
    // what server code asks of it ends at once, without the wallet (the timeout that bounds its
    // removal of the persisted entry ends as the memory storage answers, a microtask later)
    expect(await store?.restore()).toMatchObject({ status: 'disconnected' })
    await vi.advanceTimersByTimeAsync(0)
    expect(vi.getTimerCount()).toBe(0)
    expect(provider.calls).toEqual([])
    // a connect asked there is told why it failed: there is no wallet on the server
    expect(await store?.connect()).toMatchObject({ status: 'disconnected', lastError: { code: 'UNKNOWN', message: 'No wallet on the server' } })
    expect(provider.calls).toEqual([])
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    app.unmount()
    warn.mockRestore()
    await expect(store?.restore()).rejects.toMatchObject({ code: 'DESTROYED' })
  })

  it('§5 SSR: useSessionStore() on the server does not crash when the wallet provider is absent there', async () => {
    const Toucher = defineComponent({
      setup() {
        const store = useSessionStore()
        onMounted(() => {
          store.touch()
        })
        return () => h('p', 'ok')
      },
    })
    const provider = undefined as unknown as CIP0103Provider // `window.canton`: no wallet on the server
    const app = createSSRApp(Toucher).use(createSessionPlugin({ provider, broadcast: true, reconnect: true }))
    expect(await renderToString(app)).toBe('<p>ok</p>')
  })

  it('§5 SSR: renders that read the store leave no wallet listener behind, request after request', async () => {
    const provider = createMockProvider() // e.g. a module-level provider shared by every request
    const WithStore = defineComponent({
      setup() {
        const store = useSessionStore()
        return () => h('p', store.getSnapshot().status)
      },
    })
    for (let request = 0; request < 3; request++) {
      expect(await renderToString(createSSRApp(WithStore).use(createSessionPlugin({ provider })))).toBe('<p>disconnected</p>')
    }
    expect(provider.listenerCount()).toBe(0)
  })

  it('§5 SSR: useSession() and useAccount() ask nothing of the store on the server (the plugin creates its server store only on first access)', async () => {
    const app = createSSRApp(Page)
    app.provide(SESSION_KEY, {
      server: true,
      initial: shallowRef(initialState),
      get store(): ReturnType<typeof useSessionStore> {
        throw Error('the store was asked for')
      },
    })
    expect(await renderToString(app)).toBe('<p>connected|alice::1220aa|canton:devnet|true</p>')
  })

  it('with an app-owned store (provideSession), composables neither subscribe nor listen on the server', async () => {
    const provider = createMockProvider()
    const counted = countListeners(createSessionStore(provider, { storage: createMemoryStorage() }))
    const Root = defineComponent({
      setup() {
        provideSession(counted.store, initialState)
        return () => h(Page)
      },
    })
    expect(await renderToString(createSSRApp(Root))).toBe('<p>connected|alice::1220aa|canton:devnet|true</p>')
    expect(counted.subscriptions()).toBe(0)
    expect(counted.handlers()).toBe(0)
    expect(await renderToString(createSSRApp(Root).use(createSessionPlugin(counted.store)))).toContain('connected|alice::1220aa')
    expect(counted.subscriptions()).toBe(0)
  })
})
