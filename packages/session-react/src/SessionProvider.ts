import type { CIP0103Provider, SessionState, SessionStore, SessionStoreOptions } from '@sessionlayer/session-core'
import { createElement, useEffect, useMemo, type ReactElement, type ReactNode } from 'react'
import { createOwnedStore, type OwnedStoreProps } from './createOwnedStore'
import { SessionContext } from './SessionContext'

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
       * wallet) replaces the store: the old one is destroyed, the new one restored.
       */
      readonly provider: CIP0103Provider
      /** Options of the store; read when the store is created (a new object on a later render changes nothing). */
      readonly options?: SessionStoreOptions | undefined
    }
)

/**
 * Makes a session store available to the session hooks below it.
 *
 * With `provider`, the component owns its store: created once per provider, restored with
 * `init()` on mount (silently: it never prompts the user), destroyed on unmount or when another
 * provider replaces it. A render React throws away creates nothing; effects that mount again
 * (StrictMode's simulated remount, a hidden then visible `<Activity>`) get a working store under
 * the same identity. With `store`, the app owns it.
 *
 * @param props - {@link SessionProviderProps}
 * @returns the provider element
 * @example
 * ```tsx
 * <SessionProvider provider={window.canton} options={{ reconnect: true, broadcast: true }}>
 *   <App />
 * </SessionProvider>
 * ```
 * @public
 */
export function SessionProvider(props: SessionProviderProps): ReactElement {
  // An app's store as is; else a store of our own, created once per provider (a new `options`
  // object changes nothing), and lazily, so a render React throws away leaves nothing behind. The
  // server snapshot only serves hydration: a new `initialState` object on a later render (one
  // computed inline from a cookie) must not re-render every session hook below.
  const value = useMemo(() => createOwnedStore(props as OwnedStoreProps), [props.store, props.provider])
  // Restores our store on mount; destroys it on unmount, or when another replaces it.
  useEffect(() => value[2]?.(), [value])
  return createElement(SessionContext.Provider, { value }, props.children)
}
