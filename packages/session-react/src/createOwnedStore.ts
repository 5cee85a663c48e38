import { createSessionStore, DISCONNECTED_STATE, type CIP0103Provider, type SessionStore, type SessionStoreOptions } from '@sessionlayer/session-core'
import type { BoundStore } from './SessionContext'

/**
 * A store owned by a `<SessionProvider>`, and the provider's mount effect for it: the effect
 * restores the session, and returns the cleanup, which destroys the real store.
 * @internal
 */
export type OwnedStore = readonly [store: BoundStore, mount: () => () => void]

/**
 * Creates the store of a `<SessionProvider>` that was given a provider.
 *
 * React may render a component and throw the render away (StrictMode renders twice, concurrent
 * renders can be abandoned), and the server renders without effects, while creating a store
 * attaches listeners to the wallet. So the store handed out delegates to a real store created on
 * first use — a subscription, an action or an event listener, all of which happen after commit —
 * and reads before that see `DISCONNECTED_STATE`, the initial snapshot of every store. A render
 * that never commits leaves nothing behind.
 *
 * An unmount destroys the real store at once. Afterwards the store reads as disconnected and
 * actions (a restore too) reject with `DESTROYED` (a stale reference creates nothing), while what
 * effects do when they mount again — subscribe, listen, and the provider's own mount, which
 * restores — creates a new real store: StrictMode's simulated
 * remount and effects shown again later (a hidden, then visible `<Activity>`, which is how
 * frameworks keep routes alive) get a working store, and the hooks keep one identity throughout.
 *
 * @param provider - the wallet's CIP-0103 provider
 * @param options - the store options, read at each creation
 * @returns the store and its mount effect
 * @internal
 */
export function createOwnedStore(provider: CIP0103Provider, options?: SessionStoreOptions): OwnedStore {
  let real: SessionStore | undefined
  /** The real store an unmount destroyed: actions reach it (and reject), a remount brings a new one. */
  let dead: SessionStore | undefined
  const store = { getSnapshot: () => real?.getSnapshot() ?? DISCONNECTED_STATE } as BoundStore
  // The first two (subscriptions, event listeners) are what effects below the provider do when they
  // mount again; the provider's own mount brings the store back for everything else.
  'subscribe on init restore connect disconnect getProvider enqueue touch cancelReconnect destroy'.split(' ').forEach((key, index) => {
    ;(store as unknown as Record<string, unknown>)[key] = (...args: unknown[]) => {
      // The real store also becomes the prototype, so that what it holds beyond its methods
      // (what `getLedgerAuth(store)` reads) is read through.
      if (!real && (!dead || index < 2)) Object.setPrototypeOf(store, (real = createSessionStore(provider, options)))
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- every key above is a store method
      return ((real ?? dead) as unknown as Record<string, (...args: unknown[]) => unknown>)[key]!(...args)
    }
  })
  return [
    store,
    () => {
      dead = undefined
      void store.init()
      return () => {
        dead = real
        real = undefined
        dead?.destroy()
      }
    },
  ]
}
