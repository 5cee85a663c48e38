import type { SessionStore } from '@sessionlayer/session-core'
import { injectSession } from './SESSION_KEY'

/**
 * The provided session store itself, for what the composables do not cover (`touch`,
 * `cancelReconnect`, `getProvider`, …).
 *
 * @returns the store
 * @throws `Error` when neither `createSessionPlugin` nor `provideSession` provided a store
 * @example
 * ```ts
 * const store = useSessionStore()
 * onMounted(() => store.touch())
 * ```
 * @public
 */
export function useSessionStore(): SessionStore {
  return injectSession().store
}
