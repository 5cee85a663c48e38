import { SESSION_QUERY_KEY_ROOT, sessionQueryKey, type InvalidateEvent } from '@sessionlayer/session-core'
import { useQueryClient, type QueryClient } from '@tanstack/react-query'
import { useEffect } from 'react'
import { useSessionContext } from './SessionContext'

/**
 * Per query client, how many hooks watch a store now, then the stores (their `on`) that hooks
 * stopped watching since one last mounted, each followed by its session's key then (`sessionQueryKey`:
 * network and party): a hook mounting over
 * another store while none is watched (another provider or store prop, or a `<SessionProvider key>`
 * remounted for another wallet), or over the same store whose party or network changed meanwhile (the app's
 * root unmounted while the user signed out), ends the session it watched, while one mounting again
 * over the same store and session (StrictMode's simulated remount, Fast Refresh, a remount of the
 * hook's component) or beside a store still watched (a second `<SessionProvider>` of an embedded
 * widget) keeps the queries.
 */
const watched = /* @__PURE__ */ new WeakMap<QueryClient, [mounted: number, ...left: unknown[]]>()

/**
 * Keeps the TanStack Query cache in step with the session of the nearest `<SessionProvider>`. It
 * invalidates or removes every query under `['sessionlayer']` (keys made with `sessionQueryKey`) as
 * the session changes.
 *
 * @remarks
 *
 * Those queries are invalidated when the party or the network changes: in this tab, in another tab,
 * or on restore. They are removed when the session disconnects or expires. One still in use loses
 * its data and is fetched again.
 *
 * They are removed too when the provider is given another wallet or store, also by remounting it
 * (`<SessionProvider key={walletId}>`), since the session it replaces has ended. So are they when
 * it is mounted again over the same store whose party or network changed while no hook watched it
 * (a sign-out, another party connected).
 *
 * A remount over the same store and session (StrictMode's, or of the calling component) keeps them.
 * So does a second provider mounted beside it over the same client (an embedded widget's own
 * store). Other queries are untouched.
 *
 * A root hydrated with the provider's `initialState` after the session moved on (the user signed
 * out in another tab or switched party before the hydration) removes the queries of that
 * `initialState`'s session once hydrated, and drops the answers of their fetches. So does a part of
 * it that hydrates later (a `React.lazy` component under `<Suspense>`), whenever it hydrates, also
 * after a party switch, which otherwise keeps them invalidated. A store still restoring keeps them:
 * the restore tells how the session ends.
 *
 * Call it once, near the root, inside both providers.
 *
 * @param queryClient - the client (default: the one of `<QueryClientProvider>`)
 * @throws `Error` outside `<SessionProvider>`, or without a query client
 * @example
 * ```tsx
 * function SessionQueries() {
 *   useSessionQueryInvalidation()
 *   return null
 * }
 * ```
 * @public
 */
export function useSessionQueryInvalidation(queryClient?: QueryClient): void {
  const [{ on, getSnapshot }, initialState] = useSessionContext()
  const client = useQueryClient(queryClient)
  useEffect(() => {
    const update = ({ type, previous, current }: Partial<InvalidateEvent> = {}) => {
      const filters = { queryKey: [SESSION_QUERY_KEY_ROOT] }
      // 'party:changed' or 'network:changed'; else 'disconnected' or 'expired' (or no event: another store)
      const changed = type?.includes(':')
      // Marked at once, refetched once React has rendered the change (it renders an external
      // store's change in a microtask queued before this one): the queries of the previous party or
      // network are no longer in use then, and those of the new one fetching already. A fetch
      // under way (or paused) now is for the previous session: it is cancelled and its query reset,
      // as TanStack Query restarts a fetch under way only for a query that has data (a first fetch
      // would else go on and store the previous party's answer); it is fetched again if in use. A
      // query of the previous party or network is not fetched again, not even while a component
      // suspending on the new one keeps it in use (React keeps the previous content mounted, hidden).
      // An ended session leaves no data behind, not even to a component still showing a query under
      // a key that outlives it: each is reset (removing the query alone would leave it the data), then removed.
      for (const query of client.getQueryCache().findAll(filters)) query[changed && query.state.fetchStatus == 'idle' ? 'invalidate' : 'reset']()
      if (!changed) client.removeQueries(filters)
      queueMicrotask(
        // eslint-disable-next-line @typescript-eslint/no-misused-promises -- refetchQueries never rejects without throwOnError
        () =>
          client.refetchQueries({
            ...filters,
            type: 'active',
            // not one under the previous session's key: the current one's, with the previous party or
            // network in place of the current one (a key compared with a string reads as its parts joined)
            // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- an absent one reads as 'undefined', in no key
            predicate: (query) => (query.queryKey.slice(0, 3) as unknown) != key().replace(current!, previous!) && query.state.fetchStatus == 'idle',
          }),
      )
    }
    // The session's key (without `initialState`, `key(initialState)` is the store's, which the root rendered)
    // eslint-disable-next-line @typescript-eslint/restrict-plus-operands -- the key's parts joined with commas
    const key = (state = getSnapshot()) => '' + sessionQueryKey(state)
    // Another store than those the hooks last watched, while none watches one (the user picked another
    // wallet): the session of the one it replaces ended without an event, and what it fetched must
    // not reach the next party. So did the session of the same store if its party or network changed
    // while no hook heard its events (C6, C11) — not one that went on, nor one whose restore began
    // meanwhile (StrictMode remounts the hooks as the provider that owns the store restores). One
    // more store (an embedded widget's), or the hooks mounting again (StrictMode's remount, Fast
    // Refresh), ends no session that goes on.
    const w = watched.get(client) ?? [0]
    watched.set(client, w)
    // (a store not among them: its index -1 reads the count, no key)
    if (!w[0]++ && w[1] && w[w.indexOf(on) + 1] != key()) update()
    // A root hydrated with another session than the store's (an island hydrated once the user signed
    // out or switched party, or a restore that ended before it, C6, C11) started, or was handed by the
    // server, queries of a session gone; and so does a part of it that hydrates later, whenever that
    // is (a lazy component under <Suspense>, whose boundary hydrates with the server's session once
    // its code has loaded, maybe after the restore or a sign-out). They are removed, which drops their
    // fetches' answers: those in the cache once the effects of this commit have run (a component's
    // after this one starts its query then), then as one under the server's session key is added or
    // gains a component ('added', 'observerAdded': a part hydrating after a party switch uses the
    // previous party's query, which the switch kept invalidated, and would fetch it again), once
    // React has rendered the store's session, which no longer uses them (a query added or used
    // under another key, the new party's after a switch, leaves the previous party's invalidated
    // ones as they are). Not while the store restores, also the restore that its provider starts
    // after these effects: the restore tells how the session ends (C9, C10), and its end removes them
    // or keeps them; a part that hydrates after that end is watched still.
    const drop = () =>
      queueMicrotask(
        () =>
          key(initialState) != key() &&
          getSnapshot().status != 'reconnecting' &&
          // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the keys differ only with one
          client.removeQueries({ queryKey: sessionQueryKey(initialState!) }),
      )
    drop()
    const unwatch = client.getQueryCache().subscribe(({ type, query }) => type.includes('dded') && ((query.queryKey as unknown[]).slice(0, 3) as unknown) == key(initialState) && drop())
    w.length = 1
    const off = on('invalidate', update)
    return () => {
      off()
      unwatch()
      w[0]--
      w.push(on, key())
    }
  }, [on, getSnapshot, client])
}
