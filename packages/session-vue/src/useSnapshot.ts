import { DISCONNECTED_STATE, type SessionState } from '@sessionlayer/session-core'
import { computed, getCurrentInstance, onMounted, onScopeDispose, shallowRef, type ComputedRef } from 'vue'
import type { ProvidedSessionContext, SessionContext } from './SESSION_KEY'

/**
 * The session state as a read-only ref: one `subscribe` on the client, released when the
 * current effect scope is disposed; on the server no subscription (and no store access): it
 * holds the initial state. In a component that hydrates server HTML it holds what the server
 * rendered until that component has mounted.
 *
 * @param context - the injected session context
 * @returns the state ref
 * @internal
 */
export function useSnapshot(context: SessionContext): ComputedRef<SessionState> {
  const { server, initial } = context
  // A component hydrating server HTML (its element exists before its setup runs; never on the
  // server) shows what the server rendered until it has mounted, also when that is after the app's
  // mount — an async setup under <Suspense>, and what it sets up after its await — when the store
  // may be restoring and `initial` is cleared: hence the context's `initialState` (a context
  // provided by other means has none, and its `initial` stands in).
  const held = shallowRef(
    getCurrentInstance()?.vnode.el ? ((context as Partial<ProvidedSessionContext>).initialState ?? initial.value ?? DISCONNECTED_STATE) : null,
  )
  const snapshot = shallowRef(server ? DISCONNECTED_STATE : context.store.getSnapshot())
  if (held.value) onMounted(() => (held.value = null))
  if (!server) {
    onScopeDispose(context.store.subscribe((state) => (snapshot.value = state)))
  }
  return computed(() => held.value ?? initial.value ?? snapshot.value)
}
