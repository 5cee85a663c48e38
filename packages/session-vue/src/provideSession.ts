import type { SessionState, SessionStore } from '@sessionlayer/session-core'
import { onMounted, provide, shallowRef } from 'vue'
import { isServer, isStore, SESSION_KEY } from './SESSION_KEY'

/**
 * Provides a session store to the calling component's subtree (call it in `setup`). The store
 * stays the app's: it is neither initialised nor destroyed here.
 *
 * @param store - the session store
 * @param initialState - what the subtree's composables report on the server (default: the
 *   disconnected state) and on the client until this component has mounted (hydration)
 * @throws `Error` when `store` is not a session store
 * @example
 * ```ts
 * const store = createSessionStore(window.canton)
 * export default defineComponent({
 *   setup() {
 *     provideSession(store)
 *     onMounted(() => void store.init())
 *   },
 * })
 * ```
 * @public
 */
export function provideSession(store: SessionStore, initialState?: SessionState | null): void {
  if (!isStore(store)) throw Error('provideSession(store): not a session store')
  const initial = shallowRef(initialState ?? null)
  // Hydration: report what the server rendered until mounted (mounted hooks never run on the server).
  if (initialState) onMounted(() => (initial.value = null))
  provide(SESSION_KEY, { server: isServer(), initial, store })
}
