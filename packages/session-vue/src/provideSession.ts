import type { SessionState, SessionStore } from '@sessionlayer/session-core'
import { inject, provide, shallowRef } from 'vue'
import { isServer, isStore, SESSION_KEY } from './SESSION_KEY'

/**
 * Provides a session store to the calling component's subtree (call it in `setup`). The store
 * stays the app's: it is neither initialised nor destroyed here.
 *
 * @remarks
 *
 * As with Vue's `provide`, the components below see it, not the calling component itself: its own
 * composables still read the enclosing session (or throw without one), so use them in a child.
 *
 * It is read once: for another wallet, make the component again with the other store (a `:key`),
 * and `useSessionQueryInvalidation` below it removes the session queries of the store it replaces.
 *
 * @param store - the session store
 * @param initialState - what the server renders (default: the disconnected state): the subtree's
 *   composables report it on the server (as the enclosing plugin's `server` option says, else
 *   where there is no `window`), and on the client in a component that hydrates the server's
 *   markup until that component has mounted
 * @throws `Error` when `store` is not a session store
 * @example
 * ```ts
 * const wallet = window.canton // undefined without a wallet extension
 * export default defineComponent({
 *   setup() {
 *     // without a wallet, the template shows an install page (v-if="!wallet"), not the session
 *     if (wallet) {
 *       const store = createSessionStore(wallet)
 *       provideSession(store)
 *       onMounted(() => void store.init())
 *       onBeforeUnmount(() => store.destroy())
 *     }
 *     return { wallet }
 *   },
 * })
 * ```
 * @public
 */
export function provideSession(store: SessionStore, initialState?: SessionState | null): void {
  if (!isStore(store)) throw Error('provideSession: not a session store')
  // Rendering on the server is the enclosing context's call (a plugin's `server` option), else
  // where there is no `window`: a subtree under a server render never subscribes either.
  provide(SESSION_KEY, { server: inject(SESSION_KEY, null)?.server ?? isServer(), initial: shallowRef(initialState ?? null), store })
}
