import type { CIP0103Provider, SessionState, SessionStore, SessionStoreOptions } from '@sessionlayer/session-core'
import { createElement, useEffect, useLayoutEffect, useMemo, useRef, type ReactElement, type ReactNode } from 'react'
import { createOwnedStore, type OwnedStoreProps } from './createOwnedStore'
import { SessionContext, useSessionContext, type SessionContextValue } from './SessionContext'

/**
 * Props of {@link SessionProvider}: a `store` the app owns, or a `provider` (and `options`) from
 * which the component makes a store of its own.
 * @public
 */
export type SessionProviderProps = {
  /** The tree that uses the session hooks. */
  readonly children?: ReactNode
  /**
   * The snapshot rendered on the server and during hydration (the server snapshot of
   * `useSyncExternalStore`), e.g. read from cookie storage. Default `DISCONNECTED_STATE`. Read
   * with the store (a new object on a later render changes nothing).
   */
  readonly initialState?: SessionState | undefined
} & (
  | {
      /**
       * A store the app owns, made with `createSessionStore`: the provider never destroys it
       * (nor calls `init()`).
       */
      readonly store: SessionStore
      readonly provider?: never
      readonly options?: never
    }
  | {
      readonly store?: never
      /**
       * The wallet's CIP-0103 provider. The component creates its own store for it, calls `init()`
       * on mount and destroys the store on unmount. Another provider (the user picked another
       * wallet) replaces the store: the old one is destroyed before the new one restores. No provider
       * (`window.canton` without a wallet extension) throws on mount a `SessionError` with code
       * `INVALID_PROVIDER` to the nearest error boundary: render the provider only when there is a
       * wallet (the server, which creates no store, needs none).
       */
      readonly provider: CIP0103Provider
      /** Options of the store; read when the store is created (a new object on a later render changes nothing). */
      readonly options?: SessionStoreOptions | undefined
    }
)

/**
 * The provider's mount, rendered as its first child: a layout effect runs before every effect of
 * the tree after it, so what those do on each mount (StrictMode's remount, an `<Activity>` shown
 * again) reaches the store the mount brings. (On the server, where no effect runs, a passive one:
 * React 18 warns of a layout effect there.) The restore is a passive effect of the provider, which
 * runs after every effect of the tree below (the hooks' subscriptions hear its events), and the
 * unmount that effect's cleanup: a `<Suspense>` boundary that hides the tree again cleans up its
 * layout effects only, and the passive ones below (the hooks' subscriptions) stay with the store,
 * which must live on. The
 * store that another provider replaces is destroyed by the mount of the new one, before it is
 * created (its passive cleanup would come only after the new store's first steps, with the old one
 * still attached to its wallet, emitting to the hooks and writing the storage).
 *
 * @returns nothing
 */
const Mount = (): null => {
  const value = useSessionContext()
  const last = useRef<SessionContextValue[2]>(null)
  // eslint-disable-next-line no-restricted-globals -- a feature test, at render time
  ;(typeof window < 'u' ? useLayoutEffect : useEffect)(() => {
    if (last.current != value[2]) last.current?.()
    ;(last.current = value[2])?.(1)
  }, [value])
  return null
}

/**
 * Makes a session store available to the session hooks below it.
 *
 * @remarks
 *
 * With `store`, the app owns it. With `provider`, the component owns its store: it is created once
 * per provider, and destroyed on unmount or when another provider replaces it.
 *
 * The component restores its store with `init()` on mount, silently: it never prompts the user. The
 * restore runs once the effects below have mounted, so that `useSessionEvent` hears the events of
 * the restore. Until then its store reads as the restore about to start, `RECONNECTING_STATE`: the
 * first paint shows the restore, not a disconnected store.
 *
 * A render React throws away creates nothing. Effects below that mount again, layout effects
 * included, get a working store under the same identity. That is StrictMode's simulated remount, or
 * a hidden then visible `<Activity>`.
 *
 * What is made through the store after a real unmount creates none: an action rejects with
 * `DESTROYED`.
 *
 * A tree that a `<Suspense>` boundary above hides and shows again keeps its store, restored once.
 *
 * @param props - {@link SessionProviderProps}
 * @returns the provider element
 * @example
 * ```tsx
 * window.canton ? (
 *   <SessionProvider provider={window.canton} options={{ reconnect: true, broadcast: true }}>
 *     <App />
 *   </SessionProvider>
 * ) : (
 *   <InstallWallet />
 * )
 * ```
 * @public
 */
export function SessionProvider(props: SessionProviderProps): ReactElement {
  // An app's store as is; else a store of our own, created once per provider (a new `options`
  // object changes nothing), and lazily, so a render React throws away leaves nothing behind. The
  // server snapshot only serves hydration: a new `initialState` object on a later render (one
  // computed inline from a cookie) must not re-render every session hook below.
  const value = useMemo(() => createOwnedStore(props as OwnedStoreProps), [props.store, props.provider])
  // Restores our store once every effect below is in place (the hooks' subscriptions hear the
  // events of the restore), on mount and after another provider; destroys it on unmount, or when
  // another replaces it.
  useEffect(() => (value[2] && void value[0].init(), value[2]), [value])
  return createElement(SessionContext.Provider, { value }, createElement(Mount), props.children)
}
