import {
  createSessionStore,
  DISCONNECTED_STATE,
  type CIP0103Provider,
  type SessionState,
  type SessionStore,
  type SessionStoreOptions,
} from '@sessionlayer/session-core'
import type { BoundStore, SessionContextValue } from './SessionContext'

/**
 * The props of a `<SessionProvider>`, as {@link createOwnedStore} reads them (`provider` is only
 * read without `store`).
 * @internal
 */
export type OwnedStoreProps = {
  readonly store?: SessionStore | undefined
  readonly provider: CIP0103Provider
  readonly options?: SessionStoreOptions | undefined
  readonly initialState?: SessionState | undefined
}

/** The store's methods, called with what the store handed out was given. */
type Methods = Record<keyof SessionStore, (...args: unknown[]) => unknown>

/**
 * The context value of a `<SessionProvider>`: the app's store as is, or a store of its own for
 * `provider`, with the provider's mount effect for it.
 *
 * React may render a component and throw the render away (StrictMode renders twice, concurrent
 * renders can be abandoned), and the server renders without effects, while creating a store
 * attaches listeners to the wallet. So the store handed out delegates to a real store created on
 * first use — a subscription, an action or an event listener, all of which happen after commit —
 * and reads before that see `DISCONNECTED_STATE`, the initial snapshot of every store. A render
 * that never commits leaves nothing behind.
 *
 * The mount effect restores the session, and returns the cleanup, which destroys the real store
 * at once. Afterwards the store reads as disconnected; what effects do when they mount again —
 * subscribe, listen, and the provider's own mount, which restores — creates a new real store:
 * StrictMode's simulated remount and effects shown again later (a hidden, then visible
 * `<Activity>`, which is how frameworks keep routes alive) get a working store, and the hooks
 * keep one identity throughout. An action while unmounted waits a microtask: one that an effect
 * makes on such a remount before the provider's own mount (React runs children's effects first)
 * reaches the store that mount brings back; after a real unmount, the destroyed store rejects it
 * with `DESTROYED` (only a subscription or listener through a stale reference, indistinguishable
 * from an effect mounting again, creates a store).
 *
 * @param props - the provider's props: `store`, or `provider` and `options` (read at each
 * creation); and `initialState`
 * @returns the context value
 * @internal
 */
export function createOwnedStore({ store: given, provider, options, initialState }: OwnedStoreProps): SessionContextValue {
  const serverState = initialState ?? DISCONNECTED_STATE
  let real: SessionStore | undefined
  /** The real store an unmount destroyed: actions reach it (and reject), a remount brings a new one. */
  let dead: SessionStore | undefined
  // Reads (which a render may make, also on the server) create nothing.
  const store = { getSnapshot: () => real?.getSnapshot() ?? DISCONNECTED_STATE, getProvider: () => provider } as BoundStore
  // The first two (subscriptions, event listeners) are what effects below the provider do when they
  // mount again; the provider's own mount brings the store back for everything else. The last one
  // answers at once.
  ;('subscribe on restore init disconnect connect cancelReconnect enqueue touch destroy'.split(' ') as (keyof Methods)[]).forEach((key, index) => {
    ;(store as unknown as Methods)[key] = (...args: unknown[]) => {
      // The real store also becomes the prototype, so that what it holds beyond its methods
      // (what `getLedgerAuth(store)` reads) is read through.
      if (!(real || (dead && index > 1))) Object.setPrototypeOf(store, (real = createSessionStore(provider, options)))
      return real || index > 8
        ? ((real ?? dead) as unknown as Methods)[key](...args)
        : Promise.resolve().then(() => ((real ?? dead) as unknown as Methods)[key](...args))
    }
  })
  return given
    ? [given, serverState]
    : [
        store,
        serverState,
        () => {
          // Keeps a real store that effects below created first, else lets `init()` create one.
          dead = real
          void store.init()
          return () => {
            dead = real
            real = undefined
            dead?.destroy()
          }
        },
      ]
}
