import { SESSION_QUERY_KEY_ROOT } from '@sessionlayer/session-core'
import { useQueryClient, type QueryClient } from '@tanstack/react-query'
import { useEffect } from 'react'
import { useSessionContext } from './SessionContext'

/**
 * Keeps the TanStack Query cache in step with the session of the nearest `<SessionProvider>`:
 * every query under `['sessionlayer']` (keys made with `sessionQueryKey`) is invalidated when
 * the party or the network changes — in this tab, in another tab, or on restore — and removed
 * when the session disconnects or expires. Other queries are untouched. Call it once, near the
 * root, inside both providers.
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
  const [{ on }] = useSessionContext()
  const client = useQueryClient(queryClient)
  useEffect(
    () =>
      on('invalidate', ({ type }) => {
        const filters = { queryKey: [SESSION_QUERY_KEY_ROOT] }
        if (type === 'party:changed' || type === 'network:changed') {
          // Marked at once, refetched once React has rendered the change (it renders an external
          // store's change in a microtask queued before this one): the queries of the previous party or
          // network are no longer in use then, and those of the new one fetching already. A fetch
          // under way now is for the previous session: it starts again.
          const running = client.getQueryCache().findAll({ ...filters, fetchStatus: 'fetching' })
          void client.invalidateQueries({ ...filters, refetchType: 'none' })
          queueMicrotask(
            () =>
              void client.refetchQueries({
                ...filters,
                type: 'active',
                predicate: (query) => query.state.fetchStatus === 'idle' || running.includes(query),
              }),
          )
        } else client.removeQueries(filters)
      }),
    [on, client],
  )
}
