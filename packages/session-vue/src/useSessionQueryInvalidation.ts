import { SESSION_QUERY_KEY_ROOT } from '@sessionlayer/session-core'
import { useQueryClient, type QueryClient } from '@tanstack/vue-query'
import { nextTick } from 'vue'
// From the main entry, whose code the build then emits as one module that this entry shares.
import { useSessionEvent } from './index'

/**
 * Keeps the Vue Query cache in step with the session: every query under `['sessionlayer']`
 * (see `sessionQueryKey`) is invalidated when the party or network changes (in this tab, in
 * another tab, or on restore) and removed on disconnect or expiry (one still in use loses its data
 * and is fetched again); other queries are untouched.
 * Released when the component (or effect scope) is disposed; does nothing on the server.
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
  const filters = { queryKey: [SESSION_QUERY_KEY_ROOT] }
  useSessionEvent('invalidate', ({ type }) => {
    if (type === 'disconnected' || type === 'expired') {
      // Nothing of the ended session stays readable, not even through a query still shown under a
      // key that outlives it (removing it alone would leave its data to its observers): the data
      // goes at once; once the components have followed the session (Vue updates the queries'
      // options before the next tick), the queries no longer in use are removed and those still
      // in use are fetched again.
      for (const query of client.getQueryCache().findAll(filters)) query.reset()
      void nextTick(() => {
        client.removeQueries({ ...filters, type: 'inactive' })
        void client.refetchQueries({ ...filters, type: 'active' })
      })
    } else void client.invalidateQueries(filters)
  })
}
