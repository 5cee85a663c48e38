import type { SessionStore } from '@sessionlayer/session-core'

/** A store wrapper that counts the live `subscribe` and `on` registrations made through it. */
export interface CountedStore {
  readonly store: SessionStore
  /** Live `subscribe` registrations. */
  subscriptions(): number
  /** Live `on` registrations. */
  handlers(): number
}

/**
 * Wraps `store` so that a test can see how many subscriptions and event handlers are still held.
 * @param store - the real store
 * @returns the wrapper and its counters
 */
export function countListeners(store: SessionStore): CountedStore {
  let subscriptions = 0
  let handlers = 0
  const counted = (off: () => void, release: () => void) => {
    let done = false
    return () => {
      if (!done) release()
      done = true
      off()
    }
  }
  return {
    store: {
      ...store,
      subscribe(listener) {
        subscriptions++
        return counted(store.subscribe(listener), () => subscriptions--)
      },
      on(type, handler) {
        handlers++
        return counted(store.on(type, handler), () => handlers--)
      },
    },
    subscriptions: () => subscriptions,
    handlers: () => handlers,
  }
}
