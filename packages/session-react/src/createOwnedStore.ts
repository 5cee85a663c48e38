import { createSessionStore, DISCONNECTED_STATE, type CIP0103Provider, type SessionStore, type SessionStoreOptions } from '@sessionlayer/session-core'
import type { BoundStore } from './SessionContext'

/**
 * A store owned by a `<SessionProvider>`, and the provider's mount effect for it: the effect
 * restores the session the first time, cancels a pending destroy, and returns the cleanup, which
 * destroys the store one macrotask later.
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
 * The destroy is deferred so that StrictMode's simulated unmount and remount keep the store.
 *
 * @param provider - the wallet's CIP-0103 provider
 * @param options - the store options, read once
 * @returns the store and its mount effect
 * @internal
 */
export function createOwnedStore(provider: CIP0103Provider, options?: SessionStoreOptions): OwnedStore {
  let real: SessionStore | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  const store = { getSnapshot: () => real?.getSnapshot() ?? DISCONNECTED_STATE } as BoundStore
  for (const key of 'subscribe connect disconnect restore init getProvider on enqueue touch cancelReconnect destroy'.split(' ')) {
    ;(store as unknown as Record<string, unknown>)[key] = (...args: unknown[]) => {
      // The real store also becomes the prototype, so that what it holds beyond its methods
      // (what `getLedgerAuth(store)` reads) is read through.
      if (!real) Object.setPrototypeOf(store, (real = createSessionStore(provider, options)))
      return (real as unknown as Record<string, (...args: unknown[]) => unknown>)[key]?.(...args)
    }
  }
  return [
    store,
    () => {
      // A pending destroy means this is StrictMode's (or a quick) remount: keep the store as is.
      if (timer) clearTimeout(timer)
      else void store.init()
      return () => {
        timer = setTimeout(store.destroy)
      }
    },
  ]
}
