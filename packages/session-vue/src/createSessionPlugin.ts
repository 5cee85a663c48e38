import {
  createSessionStore,
  type CIP0103Provider,
  type SessionState,
  type SessionStore,
  type SessionStoreOptions,
} from '@sessionlayer/session-core'
import { shallowRef, type App, type Plugin } from 'vue'
import { isServer, isStore, SESSION_KEY } from './SESSION_KEY'

/**
 * Options of {@link createSessionPlugin} when the plugin creates (and owns) the store: the
 * wallet provider, the store's options, and how to render on the server.
 * @public
 */
export interface SessionPluginOptions extends SessionStoreOptions {
  /**
   * The CIP-0103 wallet provider (e.g. `window.canton`). The server never uses it, so it may be
   * absent there; on the client, none (`window.canton` without a wallet extension) throws at
   * `app.use`: install the plugin only when there is a wallet.
   */
  readonly provider: CIP0103Provider
  /**
   * What the server renders (default: the disconnected state), e.g. read from a cookie storage:
   * composables report it on the server, and on the client in a component that hydrates the
   * server's markup until that component has mounted (also when it hydrates after the app's mount,
   * e.g. an async `setup` under `<Suspense>`).
   */
  readonly initialState?: SessionState | null | undefined
  /** Whether the app renders on the server (default: true when there is no `window`). */
  readonly server?: boolean | undefined
}

/**
 * The Vue plugin that provides a session store to the whole app.
 *
 * @remarks
 *
 * Given a store, the app owns it: the plugin never initialises nor destroys it. Given options, the
 * plugin creates and owns the store.
 *
 * On the client it calls `init()` (a silent restore) once the app has mounted, as React's
 * `SessionProvider` restores after its first commit. It destroys the store on `app.unmount()`, also
 * on one before the mount. Vue's `unmount` then does nothing: an app that never mounts keeps no
 * store, and a mount that follows creates a new one and restores it.
 *
 * On the server it never calls `init()`, and creates the store only on first access, with default
 * options. That store is detached from any wallet: its requests fail at once. So a server render
 * opens no channel, arms no timer and attaches no wallet listener, even when the wallet provider is
 * absent there.
 *
 * Each app the plugin is installed in gets a store of its own, as `VueQueryPlugin` makes a
 * `QueryClient` per app. One plugin object serves several apps, or a server's app per request,
 * without sharing a session. To share one, give each app the same store.
 *
 * @param source - a store the app owns, or the options of a store the plugin owns
 * @returns the plugin, for `app.use`
 * @throws `SessionError` with code `INVALID_PROVIDER` from `app.use`, on the client, when the
 * options hold no CIP-0103 provider (`window.canton` without a wallet extension)
 * @example
 * ```ts
 * const wallet = window.canton // undefined without a wallet extension
 * const app = createApp(wallet ? App : InstallWallet)
 * if (wallet) app.use(createSessionPlugin({ provider: wallet, reconnect: true, broadcast: true }))
 * app.mount('#app')
 * ```
 * @public
 */
export function createSessionPlugin(source: SessionStore | SessionPluginOptions): Plugin {
  return {
    install(app: App) {
      const appStore = isStore(source) && source
      // A spread copy, so that `null` options fail in createSessionStore with its coded error. The
      // store reads its own options from it and ignores the plugin's. (An app's store, copied too,
      // has no `server` nor `initialState`: the defaults apply.)
      const options = { ...(source as SessionPluginOptions) }
      const server = options.server ?? isServer()
      // The store the plugin owns (none for an app-owned store): on the client it exists from here on
      // (bad options fail at `app.use`) and restores once mounted; on the server, and after an
      // `app.unmount()` before the mount, it is created on first access (or by the mount).
      const create = (): SessionStore | null =>
        appStore
          ? null
          : server
          ? createSessionStore({
              // eslint-disable-next-line @typescript-eslint/require-await -- fails as every request does
              request: async () => {
                throw Error('No wallet on the server')
              },
              on() {}, // eslint-disable-line @typescript-eslint/no-empty-function -- nothing to listen to
              removeListener() {}, // eslint-disable-line @typescript-eslint/no-empty-function
            })
          : createSessionStore(options.provider, options)
      let owned = server ? null : create()
      app.provide(SESSION_KEY, {
        server,
        initial: shallowRef(options.initialState ?? null),
        get store() {
          // On the server the store talks to no wallet (there may be none, and a server app is never
          // unmounted to detach from one): every request fails at once and nothing stays attached.
          // It has no channel, no reconnect and no expiry.
          // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- null only for an app's store, taken first
          return appStore || (owned ??= create())!
        },
      })
      // Once the app has mounted, an owned store starts its restore: a client-rendered app first
      // shows the store's own state, as under React. (Components that hydrate server HTML report
      // `initial` until each has mounted, whatever the store is doing: see useSnapshot.)
      // (On the server the store is the wallet-less one created on first access: it never restores.)
      const mount = app.mount.bind(app)
      app.mount = (...args) => {
        // Only the call that mounts the app, the one that sets its container: Vue mounts an app
        // once, a later call (also after `app.unmount()`, when the store is destroyed) only warns
        // and must not restore again, and a call that finds no container mounts nothing. (After an
        // `app.unmount()` before the mount, the mount makes the new store, if no component did.)
        const before: unknown = app._container
        const root = mount(...args)
        if (app._container !== before && !server) void (owned ??= create())?.init()
        return root
      }
      // A plugin installed after the mount (a lazily loaded wallet feature) starts at once. (On the
      // server `owned` is still null here.)
      if (app._container) void owned?.init()
      // The store the plugin created (none for an app-owned store) is destroyed on `app.unmount()`.
      // `app.onUnmount` only exists from Vue 3.5, and never runs for an app that was only rendered on
      // the server, nor for one unmounted before its mount: Vue's `unmount` then does nothing, and the
      // app may never mount (a teardown that runs whether or not the mount happened), so the store
      // goes, and one that mounts after all gets a new one (Vue keeps the container once mounted).
      const unmount = app.unmount.bind(app)
      app.unmount = () => {
        unmount()
        owned?.destroy()
        if (!app._container) owned = null
      }
    },
  }
}
