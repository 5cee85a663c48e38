import { DISCONNECTED_STATE, type SessionState } from '@sessionlayer/session-core'
import { computed, onScopeDispose, shallowRef, type ComputedRef } from 'vue'
import type { SessionContext } from './SESSION_KEY'

/**
 * The session state as a read-only ref: one `subscribe` on the client, released when the
 * current effect scope is disposed; on the server no subscription (and no store access): it
 * holds the initial state.
 *
 * @param context - the injected session context
 * @returns the state ref
 * @internal
 */
export function useSnapshot(context: SessionContext): ComputedRef<SessionState> {
  const { server, initial } = context
  const snapshot = shallowRef(server ? DISCONNECTED_STATE : context.store.getSnapshot())
  if (!server) {
    onScopeDispose(context.store.subscribe((state) => (snapshot.value = state)))
  }
  return computed(() => initial.value ?? snapshot.value)
}

