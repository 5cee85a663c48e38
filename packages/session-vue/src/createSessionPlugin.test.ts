// @vitest-environment jsdom
import { createMemoryStorage, createSessionStore, type SessionState, type SessionStore } from '@sessionlayer/session-core'
import { createMockProvider } from '@sessionlayer/session-testing'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as Vue from 'vue'
import { createApp, createSSRApp, defineComponent, h, inject, Suspense, Teleport, type Component } from 'vue'
import { renderToString, type SSRContext } from 'vue/server-renderer'
import { createSessionPlugin } from './createSessionPlugin'
import { SESSION_KEY } from './SESSION_KEY'
import { useSession } from './useSession'
import { useSessionStore } from './useSessionStore'

let store: SessionStore | undefined
const Status = defineComponent({
  setup() {
    store = useSessionStore()
    const { status, account } = useSession()
    return () => h('p', `${status.value}|${account.value?.partyId ?? '-'}`)
  },
})

const Party = defineComponent({
  setup() {
    const { status, account } = useSession()
    return () => h('p', `${status.value}|${account.value?.partyId ?? '-'}`)
  },
})

const CONNECTED: SessionState = {
  status: 'connected',
  account: { partyId: 'bob::1220bb', primary: true },
  accounts: [{ partyId: 'bob::1220bb', primary: true }],
  networkId: 'canton:devnet',
  lastError: null,
  connectedAt: 1,
  expiresAt: null,
}

/** What `<script setup>` compiles a top-level `await` to: the component instance is back after it. */
const { withAsyncContext } = Vue as unknown as { withAsyncContext: (getAwaitable: () => Promise<unknown>) => [Promise<unknown>, () => void] }
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Renders `Page` under `<Suspense>` on the server with `initialState`, then hydrates that HTML on
 * the client with a plugin-owned store over a connected wallet.
 */
async function hydrateUnderSuspense(Page: Component, initialState?: SessionState) {
  const Root = defineComponent({ setup: () => () => h(Suspense, null, { default: () => h(Page) }) })
  const html = await renderToString(createSSRApp(Root).use(createSessionPlugin({ provider: undefined as never, initialState, server: true })))
  const container = document.createElement('div')
  container.innerHTML = html
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
  const error = vi.spyOn(console, 'error').mockImplementation(() => undefined)
  const provider = createMockProvider({ connected: true })
  const app = createSSRApp(Root).use(createSessionPlugin({ provider, initialState, storage: createMemoryStorage() }))
  app.mount(container)
  const warnings = () => [...warn.mock.calls, ...error.mock.calls].flat().join('\n')
  return { html, container, app, provider, warnings }
}

afterEach(() => {
  vi.restoreAllMocks()
  store = undefined
})

describe('createSessionPlugin', () => {
  it('C9: a plugin-owned store restores a live session on the client (init), never calling connect', async () => {
    const provider = createMockProvider({ connected: true })
    const wrapper = mount(Status, { global: { plugins: [createSessionPlugin({ provider, storage: createMemoryStorage() })] } })
    expect(store?.getSnapshot().status).toBe('reconnecting') // restoring once mounted
    await flushPromises()
    expect(wrapper.text()).toBe('connected|alice::1220aa')
    expect(provider.calls.map((c) => c.method)).toContain('status')
    expect(provider.calls.map((c) => c.method)).not.toContain('connect')
  })

  it('§5, C9: a plugin-owned store paints its restore first, not a disconnected store: the mount renders and init() follows in the same task, whose re-render comes before any paint', async () => {
    const provider = createMockProvider({ connected: true })
    const container = document.createElement('div')
    const app = createApp(Status).use(createSessionPlugin({ provider, storage: createMemoryStorage() }))
    let painted: string | undefined
    // a paint comes no sooner than the next task: what the DOM reads then is the first paint
    const paint = new Promise<void>((resolve) =>
      setTimeout(() => {
        painted ??= container.textContent
        resolve()
      }, 0),
    )
    app.mount(container)
    await Vue.nextTick()
    expect(container.textContent).toBe('reconnecting|-')
    await paint
    expect(painted).not.toBe('disconnected|-')
    await flushPromises()
    expect(container.textContent).toBe('connected|alice::1220aa')
    app.unmount()
  })

  it('§5: the store the plugin creates gets its options (storage, storageKey)', async () => {
    const provider = createMockProvider()
    const storage = createMemoryStorage()
    const wrapper = mount(Status, { global: { plugins: [createSessionPlugin({ provider, storage, storageKey: 'app.session' })] } })
    await flushPromises()
    await store?.connect()
    await flushPromises()
    expect(await storage.getItem('app.session')).toEqual(expect.any(String))
    wrapper.unmount()
  })

  it('C14: a plugin-owned store is destroyed on app.unmount(): no wallet listener is left', async () => {
    const provider = createMockProvider()
    const wrapper = mount(Status, { global: { plugins: [createSessionPlugin({ provider, storage: createMemoryStorage() })] } })
    await flushPromises()
    expect(provider.listenerCount()).toBeGreaterThan(0)
    wrapper.unmount()
    expect(provider.listenerCount()).toBe(0)
    await expect(store?.connect()).rejects.toMatchObject({ code: 'DESTROYED' })
  })

  it('C14: Vue 3.3 (no app.onUnmount): the owned store is still destroyed on unmount', async () => {
    const provider = createMockProvider()
    const app = createApp(Status)
    Object.defineProperty(app, 'onUnmount', { value: undefined })
    app.use(createSessionPlugin({ provider, storage: createMemoryStorage() })).mount(document.createElement('div'))
    await flushPromises()
    expect(provider.listenerCount()).toBeGreaterThan(0)
    app.unmount()
    expect(provider.listenerCount()).toBe(0)
  })

  it('§5: one plugin installed in two apps gives each app a store of its own, destroyed with that app alone', async () => {
    const provider = createMockProvider({ connected: true })
    const plugin = createSessionPlugin({ provider, storage: createMemoryStorage() })
    const mountApp = () => {
      const app = createApp(Status).use(plugin)
      app.mount(document.createElement('div'))
      return [app, store] as const
    }
    const [first, firstStore] = mountApp()
    const [second, secondStore] = mountApp()
    expect(firstStore).not.toBe(secondStore)
    await flushPromises()
    first.unmount()
    await expect(firstStore?.connect()).rejects.toMatchObject({ code: 'DESTROYED' })
    expect(secondStore?.getSnapshot().status).toBe('connected')
    second.unmount()
    expect(provider.listenerCount()).toBe(0)
  })

  it('C9: a mount that finds no container starts no restore; the mount that follows restores once', async () => {
    const provider = createMockProvider({ connected: true })
    const app = createApp(Status).use(createSessionPlugin({ provider, storage: createMemoryStorage() }))
    vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    app.mount('#nowhere')
    await flushPromises()
    expect(provider.calls).toEqual([])
    const container = document.createElement('div')
    app.mount(container)
    await flushPromises()
    expect(container.textContent).toBe('connected|alice::1220aa')
    expect(provider.calls.filter((call) => call.method === 'status')).toHaveLength(1)
    app.unmount()
  })

  it('C14: an app.unmount() before the app has mounted (Vue warns and does nothing): the mount that follows still restores, with a new store', async () => {
    const provider = createMockProvider({ connected: true })
    const app = createApp(Status).use(createSessionPlugin({ provider, storage: createMemoryStorage() }))
    vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    app.unmount() // e.g. a teardown that runs whether or not the mount happened
    const container = document.createElement('div')
    app.mount(container)
    await flushPromises()
    expect(container.textContent).toBe('connected|alice::1220aa')
    app.unmount()
    expect(provider.listenerCount()).toBe(0)
  })

  it('C9, C14: an app.unmount() before the mount, then a mount whose first render reads no session (a page that loads later): the mount still makes the store and restores it', async () => {
    const provider = createMockProvider({ connected: true })
    const app = createApp(() => h('p', 'loading')).use(createSessionPlugin({ provider, storage: createMemoryStorage() }))
    vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    app.unmount()
    app.mount(document.createElement('div'))
    expect(provider.listenerCount()).toBeGreaterThan(0)
    await flushPromises()
    // the page that reads the session, later: the store is restored already, silently
    const late = app.runWithContext(() => inject(SESSION_KEY)?.store)
    expect(late?.getSnapshot()).toMatchObject({ status: 'connected', account: { partyId: 'alice::1220aa' } })
    expect(provider.calls.map((call) => call.method)).not.toContain('connect')
    app.unmount()
    expect(provider.listenerCount()).toBe(0)
  })

  it('C14: an app unmounted before it mounts, and then never mounted, keeps no store: no wallet listener is left', () => {
    const provider = createMockProvider({ connected: true })
    const app = createApp(Status).use(createSessionPlugin({ provider, storage: createMemoryStorage() }))
    vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    expect(provider.listenerCount()).toBeGreaterThan(0)
    app.unmount() // e.g. a teardown that runs when the mount never happened
    expect(provider.listenerCount()).toBe(0)
  })

  it('an app-owned store is neither initialised nor destroyed by the plugin', async () => {
    const provider = createMockProvider({ connected: true })
    const own = createSessionStore(provider, { storage: createMemoryStorage() })
    const listeners = provider.listenerCount()
    const wrapper = mount(Status, { global: { plugins: [createSessionPlugin(own)] } })
    await flushPromises()
    expect(store).toBe(own)
    expect(provider.calls).toEqual([])
    wrapper.unmount()
    expect(provider.listenerCount()).toBe(listeners)
    expect((await own.restore()).status).toBe('connected')
  })

  it('SSR hydration: with initialState the first client render matches the server, then follows the store', async () => {
    const initialState: SessionState = {
      status: 'connected',
      account: { partyId: 'bob::1220bb', primary: true },
      accounts: [{ partyId: 'bob::1220bb', primary: true }],
      networkId: 'canton:devnet',
      lastError: null,
      connectedAt: 1,
      expiresAt: null,
    }
    const html = await renderToString(
      createSSRApp(Party).use(createSessionPlugin({ provider: undefined as never, initialState, server: true })),
    )
    expect(html).toBe('<p>connected|bob::1220bb</p>')
    const container = document.createElement('div')
    container.innerHTML = html
    const warn = vi.spyOn(console, 'warn')
    const error = vi.spyOn(console, 'error')
    const provider = createMockProvider({ connected: true })
    const app = createSSRApp(Party).use(createSessionPlugin({ provider, initialState, storage: createMemoryStorage() }))
    app.mount(container)
    expect(container.innerHTML).toBe(html)
    expect([...warn.mock.calls, ...error.mock.calls].flat().join('\n')).not.toMatch(/mismatch/i)
    await flushPromises()
    expect(container.innerHTML).toBe('<p>connected|alice::1220aa</p>')
    app.unmount()
    expect(provider.listenerCount()).toBe(0)
  })

  it('SSR hydration: without initialState the first client render matches the disconnected server render, then follows the store', async () => {
    const html = await renderToString(createSSRApp(Party).use(createSessionPlugin({ provider: undefined as never, server: true })))
    expect(html).toBe('<p>disconnected|-</p>')
    const container = document.createElement('div')
    container.innerHTML = html
    const warn = vi.spyOn(console, 'warn')
    const error = vi.spyOn(console, 'error')
    const provider = createMockProvider({ connected: true })
    const app = createSSRApp(Party).use(createSessionPlugin({ provider, storage: createMemoryStorage() }))
    // the restore starts once the app has mounted, so hydration sees what the server rendered
    app.mount(container)
    expect(container.innerHTML).toBe(html)
    expect([...warn.mock.calls, ...error.mock.calls].flat().join('\n')).not.toMatch(/mismatch/i)
    await flushPromises()
    expect(container.innerHTML).toBe('<p>connected|alice::1220aa</p>')
    expect(provider.calls.map((call) => call.method)).toContain('status')
    expect(provider.calls.map((call) => call.method)).not.toContain('connect')
    app.unmount()
    expect(provider.listenerCount()).toBe(0)
  })

  for (const [where, app, modal] of [
    ['into a shadow root, the app in the document', 'document', 'shadow'],
    ['into the document, the app in a shadow root (a custom element)', 'shadow', 'document'],
  ] as const) {
    it(`§5 SSR hydration: a component teleported ${where} first renders the server's initialState, then follows the store`, async () => {
      // The server renders the teleport's content into ctx.teleports; the page puts it into the target.
      const Root = (to: string | Element) => defineComponent({ setup: () => () => h('main', [h(Teleport, { to }, [h(Party)])]) })
      const ctx: SSRContext = {}
      const html = await renderToString(createSSRApp(Root('#modal')).use(createSessionPlugin({ provider: undefined as never, initialState: CONNECTED, server: true })), ctx)
      const host = document.body.appendChild(document.createElement('div'))
      const parent = { document: document.body, shadow: host.attachShadow({ mode: 'open' }) }
      const container = parent[app].appendChild(document.createElement('div'))
      const target = parent[modal].appendChild(document.createElement('div'))
      container.innerHTML = html
      target.innerHTML = ctx.teleports?.['#modal'] ?? ''
      expect(target.textContent).toBe('connected|bob::1220bb')
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
      const error = vi.spyOn(console, 'error').mockImplementation(() => undefined)
      const provider = createMockProvider({ connected: true })
      const client = createSSRApp(Root(target)).use(createSessionPlugin({ provider, initialState: CONNECTED, storage: createMemoryStorage() }))
      client.mount(container)
      expect(target.textContent).toBe('connected|bob::1220bb')
      expect([...warn.mock.calls, ...error.mock.calls].flat().join('\n')).not.toMatch(/mismatch/i)
      await flushPromises()
      expect(target.textContent).toBe('connected|alice::1220aa')
      client.unmount()
      host.remove()
      container.remove()
      target.remove()
    })
  }

  it('§5: a client-rendered component teleported into a shadow root shows the store from its first render on', async () => {
    const own = createSessionStore(createMockProvider({ connected: true }), { storage: createMemoryStorage() })
    await own.init()
    const host = document.body.appendChild(document.createElement('div'))
    const target = host.attachShadow({ mode: 'open' }).appendChild(document.createElement('div'))
    const seen: string[] = []
    const Watcher = defineComponent({
      setup() {
        const { status, account } = useSession()
        return () => h('p', (seen.push(`${status.value}|${account.value?.partyId ?? '-'}`), seen.at(-1)))
      },
    })
    const app = createApp(defineComponent({ setup: () => () => h(Teleport, { to: target }, [h(Watcher)]) })).use(createSessionPlugin(own))
    app.mount(document.body.appendChild(document.createElement('div')))
    expect(seen).toEqual(['connected|alice::1220aa'])
    app.unmount()
    host.remove()
  })

  it('SSR hydration: a component that hydrates after the mount (async setup under <Suspense>) matches the server too', async () => {
    const Async = defineComponent({
      async setup() {
        const { status, account } = useSession()
        await sleep(5)
        return () => h('p', `${status.value}|${account.value?.partyId ?? '-'}`)
      },
    })
    for (const initialState of [undefined, CONNECTED]) {
      const { container, app, warnings } = await hydrateUnderSuspense(Async, initialState)
      await sleep(20)
      expect(warnings()).not.toMatch(/mismatch/i)
      await flushPromises()
      expect(container.innerHTML).toBe('<p>connected|alice::1220aa</p>')
      app.unmount()
      vi.restoreAllMocks()
    }
  })

  it('SSR hydration: what is set up after the mount under an async page (a composable after its await, a child component) matches the initialState the server rendered', async () => {
    const Page = defineComponent({
      async setup() {
        const [wait, restore] = withAsyncContext(() => sleep(5))
        await wait
        restore()
        const { status, account } = useSession()
        return () => h('div', [h('p', `${status.value}|${account.value?.partyId ?? '-'}`), h(Party)])
      },
    })
    for (const initialState of [undefined, CONNECTED]) {
      const { html, container, app, warnings } = await hydrateUnderSuspense(Page, initialState)
      const served = initialState ? '<p>connected|bob::1220bb</p>' : '<p>disconnected|-</p>'
      expect(html).toBe(`<div>${served}${served}</div>`)
      await sleep(20)
      expect(warnings()).not.toMatch(/mismatch/i)
      await flushPromises()
      expect(container.innerHTML).toBe('<div><p>connected|alice::1220aa</p><p>connected|alice::1220aa</p></div>')
      app.unmount()
      vi.restoreAllMocks()
    }
  })

  it('SSR hydration: an async component that resolves after the restore has ended first renders what the server rendered, then the store', async () => {
    const seen: string[] = []
    const Late = defineComponent({
      async setup() {
        const { status, account } = useSession()
        const store = useSessionStore()
        // on the client, resolves once the store has restored the wallet's session
        if (!inject(SESSION_KEY)?.server) {
          await new Promise<void>((resolve) => {
            const off = store.subscribe((state) => {
              if (state.status !== 'connected') return
              off()
              resolve()
            })
          })
        }
        return () => {
          seen.push(`${status.value}|${account.value?.partyId ?? '-'}`)
          return h('p', seen.at(-1))
        }
      },
    })
    for (const initialState of [undefined, CONNECTED]) {
      seen.length = 0
      const { container, app, warnings } = await hydrateUnderSuspense(Late, initialState)
      await sleep(20)
      await flushPromises()
      expect(seen[0]).toBe(initialState ? 'connected|bob::1220bb' : 'disconnected|-')
      expect(seen.at(-1)).toBe('connected|alice::1220aa')
      expect(warnings()).not.toMatch(/mismatch/i)
      expect(container.innerHTML).toBe('<p>connected|alice::1220aa</p>')
      app.unmount()
      vi.restoreAllMocks()
    }
  })

  it('a client-rendered async component (no server HTML to match) shows the store from its first render on', async () => {
    const seen: string[] = []
    const Late = defineComponent({
      async setup() {
        const [wait, restore] = withAsyncContext(() => sleep(20))
        await wait
        restore()
        const { status, account } = useSession()
        return () => {
          seen.push(`${status.value}|${account.value?.partyId ?? '-'}`)
          return h('p', seen.at(-1))
        }
      },
    })
    const provider = createMockProvider({ connected: true })
    const Root = defineComponent({ setup: () => () => h(Suspense, null, { default: () => h(Late) }) })
    const app = createApp(Root).use(createSessionPlugin({ provider, initialState: CONNECTED, storage: createMemoryStorage() }))
    app.mount(document.createElement('div'))
    await sleep(40)
    await flushPromises()
    expect(seen).toEqual(['connected|alice::1220aa'])
    app.unmount()
  })

  it('a client-rendered app shows the store from its first render on: disconnected, then the restore', async () => {
    const provider = createMockProvider({ connected: true })
    const seen: string[] = []
    const Watcher = defineComponent({
      setup() {
        const { status } = useSession()
        return () => {
          seen.push(status.value)
          return h('p', status.value)
        }
      },
    })
    const app = createApp(Watcher).use(createSessionPlugin({ provider, storage: createMemoryStorage() }))
    app.mount(document.createElement('div'))
    await flushPromises()
    // the first render is the store's own state before the restore, as in React, so no state is shown the store never held
    expect(seen[0]).toBe('disconnected')
    expect(seen.at(-1)).toBe('connected')
    app.unmount()
  })

  it('C14: an app.mount() that mounts nothing (already mounted, or after unmount) starts no restore: no second probe, no rejection from the destroyed store', async () => {
    const provider = createMockProvider()
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    try {
      const app = createApp(Status).use(createSessionPlugin({ provider, storage: createMemoryStorage() }))
      app.mount(document.createElement('div'))
      await flushPromises()
      app.mount(document.createElement('div')) // Vue warns and mounts nothing
      await flushPromises()
      expect(provider.calls.filter((call) => call.method === 'status')).toHaveLength(1)
      app.unmount()
      app.mount(document.createElement('div')) // Vue warns and mounts nothing: the store is destroyed
      await new Promise((resolve) => setTimeout(resolve, 10))
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })

  it('C9: a plugin installed after app.mount() (a lazily loaded wallet feature) restores its store at once', async () => {
    const provider = createMockProvider({ connected: true })
    const app = createApp(defineComponent({ setup: () => () => h('div') }))
    app.mount(document.createElement('div'))
    app.use(createSessionPlugin({ provider, storage: createMemoryStorage() }))
    await flushPromises()
    expect(app.runWithContext(useSessionStore).getSnapshot()).toMatchObject({ status: 'connected', account: { partyId: 'alice::1220aa' } })
    expect(provider.calls.map((call) => call.method)).not.toContain('connect')
    app.unmount()
    expect(provider.listenerCount()).toBe(0)
  })

  it('§5: with server: true (an app rendered on the server in a DOM environment) a mount starts no restore', async () => {
    const provider = createMockProvider({ connected: true })
    const app = createApp(Status).use(createSessionPlugin({ provider, server: true }))
    app.mount(document.createElement('div'))
    await flushPromises()
    expect(store?.getSnapshot()).toMatchObject({ status: 'disconnected', lastError: null })
    expect(provider.calls).toEqual([])
    app.unmount()
  })

  it('misuse: options without a CIP-0103 provider fail at app.use with a coded error', () => {
    expect(() => createApp(Status).use(createSessionPlugin({} as never))).toThrow(expect.objectContaining({ code: 'INVALID_PROVIDER' }) as Error)
    expect(() => createApp(Status).use(createSessionPlugin(null as never))).toThrow(/CIP-0103 provider/)
  })
})
