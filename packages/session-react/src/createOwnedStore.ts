import {
  createSessionStore,
  RECONNECTING_STATE,
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

/**
 * `createSessionStore` as a binding calls it: with a third argument, 1 (outside its public
 * signature), the store reads as `RECONNECTING_STATE` until its `init()`, and as disconnected once
 * destroyed.
 */
type CreateBound = (provider: CIP0103Provider, options: SessionStoreOptions | undefined, bound: 1) => SessionStore

/** The store's methods, called with what the store handed out was given. */
type Methods = Record<keyof SessionStore, (...args: unknown[]) => unknown>

/**
 * The context value of a `<SessionProvider>`: the app's store as is, or a store of its own for
 * `provider`, with its lifecycle: the provider's mount (called with 1) and unmount (without).
 *
 * React may render a component and throw the render away (StrictMode renders twice, concurrent
 * renders can be abandoned), and the server renders without effects, while creating a store
 * attaches listeners to the wallet. So the store handed out delegates to a real store that the
 * provider's mount creates, and reads before that see `RECONNECTING_STATE`, the restore the mount
 * brings. The real store, made for a binding, reads so too until its `init()`, and as disconnected
 * once destroyed: the first commit, which React may paint before the restore starts, shows the
 * restore, not a Connect button. A render that never commits leaves nothing behind. Only the mount
 * creates a real store: a method called before the first mount (only a render can) does nothing
 * and returns undefined, and so does one after a mount that failed (no wallet provider), whose
 * error then reaches the error boundary once, not once more from each hook that subscribes below
 * (the boundary replaces the tree that read the restore to come).
 *
 * The mount is a layout effect of the provider's first child, so it runs before every effect of
 * the tree below (layout or passive) each time they mount: on the first mount, on StrictMode's
 * simulated remount and when effects are shown again (a hidden, then visible `<Activity>`, which
 * is how frameworks keep routes alive). It creates the real store, unless the store lives on. The
 * provider restores it with `init()` in a passive effect of its own, which runs after every effect
 * below, so the hooks' subscriptions hear the restore's events. The unmount is that effect's
 * cleanup, which destroys the real store: a `<Suspense>` boundary that hides the tree again
 * (something in it suspends) cleans up layout effects only, and keeps the passive ones below — the hooks' subscriptions and event listeners
 * — so the store they reach must live on, and the mount that shows the tree again finds it live.
 * After an unmount the store reads as disconnected, and everything made through it reaches the
 * destroyed store — an action rejects with `DESTROYED`, a subscription or an event listener never
 * hears anything, and nothing attaches to the wallet — until a mount brings a new real store: the
 * hooks keep one identity throughout. The store that another `provider` replaces is unmounted by
 * the mount of the new one, before it is created: the two are never attached to wallets at once.
 *
 * @param props - the provider's props: `store`, or `provider` and `options` (read at each
 * creation); and `initialState`, handed on as the server snapshot
 * @returns the context value
 * @internal
 */
export const createOwnedStore = ({ store: given, provider, options, initialState }: OwnedStoreProps): SessionContextValue => {
  /** The latest real store: the live one while mounted, else the one an unmount destroyed (or none yet). */
  let real: SessionStore | undefined
  /** The real store while mounted. */
  let live: SessionStore | void
  // Reads (which a render may make, also on the server) create nothing, nor does anything before the
  // mount: they see the restore the mount brings, as the real store does until its init().
  const store = { getSnapshot: () => real?.getSnapshot() ?? RECONNECTING_STATE, getProvider: () => provider } as BoundStore
  ;('subscribe on restore init disconnect connect cancelReconnect enqueue touch destroy'.split(' ') as (keyof Methods)[]).map(
    (key) => ((store as unknown as Methods)[key] = (...args: unknown[]) => (real as Methods | undefined)?.[key](...args)),
  )
  return given
    ? [given, initialState]
    : [
        store,
        initialState,
        // Mounted: a new real store (restored by the provider once the effects below are in place);
        // none while it lives on (a tree that Suspense hid and shows again). It also becomes the
        // prototype, so that what it holds beyond its methods (what `getLedgerAuth(store)` reads) is
        // read through. Unmounted: no live store then (destroy() returns nothing); none to destroy
        // when the mount failed (no wallet provider).
        (mount) =>
          mount ? (live ?? (Object.setPrototypeOf(store, (real = live = (createSessionStore as CreateBound)(provider, options, 1))) as BoundStore)) : (live = real?.destroy()),
      ]
}
