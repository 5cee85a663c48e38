import type { SessionState, SessionStore } from '@sessionlayer/session-core'
import { createContext, useContext } from 'react'

/**
 * A session store whose methods are called unbound (`useSyncExternalStore(store.subscribe, …)`),
 * as those of `createSessionStore` and of the provider's own store can be.
 * @internal
 */
export type BoundStore = { readonly [K in keyof SessionStore]: SessionStore[K] }

/**
 * What `<SessionProvider>` hands to the hooks: its store, its `initialState` (the snapshot used on
 * the server and during hydration; without it `DISCONNECTED_STATE`), and, for a store of its own, its
 * lifecycle: called with 1, the provider's mount (a layout effect, which creates it); without, its
 * unmount (a passive effect's cleanup, or the mount of the store that replaces it, which destroys it).
 * @internal
 */
export type SessionContextValue = readonly [store: BoundStore, initialState: SessionState | undefined, lifecycle?: (mount?: 1) => void]

/**
 * The session context; null outside `<SessionProvider>`.
 * @internal
 */
export const SessionContext = /* @__PURE__ */ createContext<SessionContextValue | null>(null)

/**
 * Reads the session context.
 *
 * @returns the context value
 * @throws `Error` outside `<SessionProvider>`
 * @internal
 */
export const useSessionContext = (): SessionContextValue => {
  const value = useContext(SessionContext)
  if (value) return value
  throw Error('Missing <SessionProvider>')
}
