import {
  DISCONNECTED_STATE,
  type CIP0103Provider,
  type SessionState,
  type SessionStore,
  type SessionStoreOptions,
} from '@sessionlayer/session-core'
import { createElement, useEffect, useMemo, useRef, type ReactElement, type ReactNode } from 'react'
import { createOwnedStore, type OwnedStore } from './createOwnedStore'
import { SessionContext, type BoundStore, type SessionContextValue } from './SessionContext'

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
   * `useSyncExternalStore`), e.g. read from cookie storage. Default `DISCONNECTED_STATE`.
   */
  readonly initialState?: SessionState
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
       * The wallet's CIP-0103 provider. The component creates its own store once, calls `init()`
       * on mount and destroys the store on unmount.
       */
      readonly provider: CIP0103Provider
      /** Options of the store; read once (a new object on a later render changes nothing). */
      readonly options?: SessionStoreOptions
    }
)

/**
 * Makes a session store available to the session hooks below it.
 *
 * With `provider`, the component owns its store: created once, restored with `init()` on mount
 * (silently: it never prompts the user), destroyed on unmount. `<StrictMode>`'s double render
 * and simulated remount keep one working store. With `store`, the app owns it.
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
  const { store: given, provider, options, initialState, children } = props
  const owned = useRef<OwnedStore>(null)
  // `createSessionStore`'s methods are closures, safe to call unbound.
  const store: BoundStore = given ?? (owned.current ??= createOwnedStore(provider, options))[0]
  useEffect(() => owned.current?.[1](), [])
  const value = useMemo<SessionContextValue>(() => [store, initialState ?? DISCONNECTED_STATE], [store, initialState])
  return createElement(SessionContext.Provider, { value }, children)
}
