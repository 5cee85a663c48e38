import { DISCONNECTED_STATE, type SessionState } from '@sessionlayer/session-core'
import { computed, getCurrentInstance, onMounted, onScopeDispose, shallowRef, type ComputedRef } from 'vue'
import type { SessionContext } from './SESSION_KEY'

/**
 * The session state as a read-only ref: one `subscribe` on the client, released when the
 * current effect scope is disposed; on the server no subscription (and no store access): it
 * holds what the server renders, the context's `initial` (else the disconnected state). In a
 * component that hydrates server HTML it holds the same until that component has mounted.
 *
 * @param context - the injected session context
 * @returns the state ref
 * @internal
 */
export function useSnapshot(context: SessionContext): ComputedRef<SessionState> {
  // What the server rendered, held on the server and in a component that hydrates server HTML (its
  // element exists before its setup runs) until it has mounted, as React's useSyncExternalStore
  // does with its server snapshot. That holds wherever the hydration happens: during `app.mount()`,
  // or later (an async setup under <Suspense>, as a Nuxt page, and what it renders after its
  // await), when the store may be restoring or restored already. A component rendered on the
  // client only shows the store from its first render on, and so does a composable called once its
  // component has mounted (in `onMounted`, say). A vnode rendered again (one kept in a variable)
  // carries the element of its first rendering: only an element in the tree of the app's root
  // element (the document, or a detached container) is one to hydrate; an element unmounted with
  // its parent, or under a removed ancestor, is in the tree of that removed element. Both trees are
  // taken across shadow roots (`composed`): a <Teleport> into a shadow root of the page, or out of
  // the one the app lives in (a custom element), hydrates there. (A custom renderer's nodes, no DOM
  // nodes, never hydrate.)
  // (Mounted hooks never run on the server.)
  const { server, initial } = context
  const instance = getCurrentInstance()
  const held = shallowRef(
    // eslint-disable-next-line @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access -- a DOM node, typed as any renderer's
    server || (instance?.root.vnode.el?.getRootNode?.({ composed: true }).contains(instance.vnode.el?.getRootNode({ composed: true })) && !instance.isMounted) ? (initial.value ?? DISCONNECTED_STATE) : null,
  )
  if (instance) onMounted(() => (held.value = null))
  // (On the server `held` holds for good: the snapshot is never read there.)
  const snapshot = shallowRef(server || context.store.getSnapshot())
  if (!server) onScopeDispose(context.store.subscribe((state) => (snapshot.value = state)))
  return computed(() => held.value ?? (snapshot.value as SessionState))
}
