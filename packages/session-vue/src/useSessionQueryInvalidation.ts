import { SESSION_QUERY_KEY_ROOT, sessionQueryKey, type InvalidateEvent, type SessionState } from '@sessionlayer/session-core'
import { useQueryClient, type QueryClient } from '@tanstack/vue-query'
import { getCurrentInstance, inject, nextTick, onMounted, onScopeDispose } from 'vue'
// From the main entry, whose code the build then emits as one module that this entry shares.
import { SESSION_KEY, useSessionEvent } from './index'

/**
 * Per query client, how many components keep it in step with a store now, then the stores they
 * stopped keeping it in step with since one last started, each followed by its session's key then
 * (`sessionQueryKey`: network and party): another store, while none is kept in step, or the same
 * one whose party or network changed meanwhile,
 * means that session ended.
 */
const last = /* @__PURE__ */ new WeakMap<QueryClient, [count: number, ...left: unknown[]]>()

/**
 * Keeps the Vue Query cache in step with the session. It invalidates or removes every query under
 * `['sessionlayer']` (see `sessionQueryKey`) as the session changes.
 *
 * @remarks
 *
 * Those queries are invalidated when the party or network changes, in this tab, in another tab, or
 * on restore. They are removed on disconnect or expiry. One still in use loses its data and is
 * fetched again.
 *
 * They are removed too when the query client is kept in step with another store than before: the
 * user picked another wallet, and the session of the store it replaces ended. So are they with the
 * same store whose party or network changed while no component kept it in step. Other queries are
 * untouched.
 *
 * A component that hydrates the server's markup with the `initialState` of a session that moved on
 * before the hydration (the user signed out in another tab or switched party) removes the queries
 * of that session once mounted, and drops the answers of their fetches. So does a part of it that
 * hydrates later (a `defineAsyncComponent`, an async page under `<Suspense>`), whenever it
 * hydrates, also after a party switch, which otherwise keeps them invalidated. A store still restoring keeps them: the restore tells how the session ends.
 *
 * Call it once, in the root component's setup. For a subtree's store, call it in a child of the
 * component that calls `provideSession`: as with Vue's `inject`, that component itself still reads
 * the enclosing session.
 *
 * Keep one session per query client. A second store kept in step with it beside the first (an
 * embedded widget's own store of the same wallet) leaves them as they are. Two stores of two
 * wallets remove each other's session queries as their sessions end or switch: give each its own
 * client.
 *
 * It is released when the component (or effect scope) is disposed, and does nothing on the server.
 *
 * @param queryClient - the client (default: the one of `VueQueryPlugin`)
 * @throws `Error` without a session store, or without a query client
 * @example
 * ```ts
 * // in the root component's setup
 * useSessionQueryInvalidation()
 * const { state } = useSession()
 * const holdings = useQuery({ queryKey: computed(() => sessionQueryKey(state.value, 'holdings')), queryFn })
 * ```
 * @public
 */
export function useSessionQueryInvalidation(queryClient?: QueryClient): void {
  const client = queryClient ?? useQueryClient()
  // What the server rendered, until an event tells how the session went on
  let shown: SessionState | null | undefined
  const update = ({ type, previous, current }: Partial<InvalidateEvent> = {}) => {
    shown = null
    const filters = { queryKey: [SESSION_QUERY_KEY_ROOT] }
    // 'party:changed' or 'network:changed'; else 'disconnected', 'expired' or another store
    const changed = type?.includes(':')
    // Marked at once, refetched once the components have followed the session (Vue updates the
    // queries' options before the next tick): the queries of the previous party or network are no
    // longer in use then, and those of the current one fetching already (refetching them would
    // start them twice), or fetched already: only a query still marked, whose fetch has not ended
    // since, is refetched (Vue Query before 5.85.3 ends within the tick a fetch that answers at
    // once, or from a cache), or one never fetched (the new session's, with initial data it deems fresh). A fetch under way now (or paused) is for the previous session: it is
    // cancelled and its query reset, as Vue Query only restarts a fetch under way for a query that
    // has data (its first fetch would else go on and store the previous party's answer); the query
    // is marked too (its initial data is not the new party's) and fetched again if in use.
    // An ended session leaves no data behind, not even to a query still shown under a key that
    // outlives it (removing the query alone would leave it the data); the queries no longer in use
    // are removed then. A query of the previous party or network is not fetched again, not even
    // while a component that still hydrates (an async page under <Suspense>) keeps it in use with
    // what the server rendered: one under the previous session's key, the current one's with the previous
    // party or network in place of the current one (a key compared with a string reads as its parts joined).
    for (const query of client.getQueryCache().findAll(filters)) {
      if (!changed || query.state.fetchStatus != 'idle') query.reset()
      query.invalidate()
    }
    void nextTick(() => {
      if (!changed) client.removeQueries({ ...filters, type: 'inactive' })
      void client.refetchQueries({
        ...filters,
        type: 'active',
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- an absent one reads as 'undefined', in no key
        predicate: (query) => (query.queryKey.slice(0, 3) as unknown) != key().replace(current!, previous!) && query.state.fetchStatus == 'idle' && (query.state.isInvalidated || !query.state.dataUpdateCount),
      })
    })
  }
  useSessionEvent('invalidate', update)
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- useSessionEvent threw without one
  const context = inject(SESSION_KEY)!
  // Another store than those last kept in step, while none is (a subtree made again for another
  // wallet): the session of the one it replaces ended without an event, and what it fetched must not
  // reach the next party. So did the session of the same store if its party or network changed while
  // no component heard its events (the app unmounted while the user signed out) (C6, C11). One more
  // store beside one kept in step (an embedded widget's) ends no session that goes on. (On the
  // server, where nothing is kept in step, the plugin's store is not even created.)
  // The session's key: of `state`, else of the store
  // eslint-disable-next-line @typescript-eslint/restrict-plus-operands -- the key's parts joined with commas
  const key = (state?: SessionState | null) => '' + sessionQueryKey(state ?? context.store.getSnapshot())
  if (!context.server) {
    const initial = (shown = context.initial.value)
    const w = last.get(client) ?? [0]
    last.set(client, w)
    // (a store not among them: its index -1 reads the count, no key)
    if (!w[0]++ && w[1] && w[w.indexOf(context.store) + 1] != key()) update()
    w.length = 1
    // A component that hydrated with another session than the store's (a page hydrated once the
    // user signed out or switched party, or a restore that ended before the hydration, C6, C11)
    // started, or was handed by the server, queries of a session gone; and so does a part of it
    // that hydrates later, whenever that is (an async component, an async page under a <Suspense>
    // below this component), maybe after the restore or a sign-out. They are removed, which drops
    // their fetches' answers: those in the cache once the components hydrated below have mounted
    // and followed the store (Vue updates the queries' options before the next tick), no longer
    // using them, unless an event told how the session went on (it invalidated or removed them);
    // and, at the next tick, each time a query under that session's key is added or gains a
    // component ('added', 'observerAdded': a part hydrating after a party switch uses the previous
    // party's query, which the switch kept invalidated, and would fetch it again); a query added
    // or used under another key, the new party's after a switch, leaves the previous party's
    // invalidated ones as they are. Not while the store restores, also the restore that the plugin or the app
    // starts once mounted: the restore tells how the session ends (C9, C10), and its end removes
    // them or keeps them; a part that hydrates after that end is watched still.
    const drop = (state: SessionState | null | undefined) =>
      void nextTick(
        () =>
          key(state) != key() &&
          context.store.getSnapshot().status != 'reconnecting' &&
          // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the keys differ only with one
          client.removeQueries({ queryKey: sessionQueryKey(state!) }),
      )
    const unwatch = client.getQueryCache().subscribe(({ type, query }) => type.includes('dded') && ((query.queryKey as unknown[]).slice(0, 3) as unknown) == key(initial) && drop(initial))
    if (getCurrentInstance()) onMounted(() => drop(shown))
    onScopeDispose(() => {
      unwatch()
      w[0]--
      w.push(context.store, key())
    })
  }
}
