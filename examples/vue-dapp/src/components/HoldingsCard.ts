import { useSession } from '@sessionlayer/session-vue'
import { sessionQueryKey } from '@sessionlayer/session-vue/query'
import { useQuery } from '@tanstack/vue-query'
import { computed, defineComponent, h } from 'vue'
import { formatTime } from '../format'
import { fetchHoldings } from '../holdings'

/** The active party's holdings, queried under a session-scoped key. */
export const HoldingsCard = defineComponent({
  name: 'HoldingsCard',
  setup() {
    const { state, isConnected } = useSession()
    const { data, isFetching } = useQuery({
      queryKey: computed(() => sessionQueryKey(state.value, 'holdings')), // ['sessionlayer', networkId, partyId, 'holdings']
      queryFn: () => {
        const partyId = state.value.account?.partyId
        return partyId ? fetchHoldings(partyId, state.value.networkId ?? '') : Promise.reject(new Error('No active party'))
      },
      enabled: computed(() => isConnected.value && state.value.account !== null),
    })
    return () => {
      const holdings = data.value
      return h('section', { class: 'card', 'data-testid': 'holdings', 'aria-busy': String(isFetching.value) }, [
        h('h2', ['Holdings ', isFetching.value && h('span', { class: 'spinner', 'aria-hidden': 'true' })]),
        holdings
          ? [
              h(
                'ul',
                { class: 'holdings' },
                holdings.rows.map((row) =>
                  h('li', { key: row.asset, 'data-testid': 'holding' }, [h('span', row.asset), h('span', { class: 'mono' }, row.amount)]),
                ),
              ),
              h('p', { class: 'hint' }, [
                'Fetched for ',
                h('span', { class: 'mono', 'data-testid': 'holdings-party' }, holdings.partyId),
                ` at ${formatTime(holdings.fetchedAt)} · fetch `,
                h('span', { 'data-testid': 'holdings-fetch' }, `#${holdings.fetch}`),
              ]),
            ]
          : h('p', { class: 'hint' }, isConnected.value ? 'Loading…' : 'Connect to see your holdings.'),
      ])
    }
  },
})
