import { useSessionQueryInvalidation } from '@sessionlayer/session-vue/query'
import { defineComponent, h, type PropType } from 'vue'
import { ActionCard } from './components/ActionCard'
import { EventLog } from './components/EventLog'
import { ExpiryCard } from './components/ExpiryCard'
import { HoldingsCard } from './components/HoldingsCard'
import { ReconnectBanner } from './components/ReconnectBanner'
import { SessionCard } from './components/SessionCard'
import type { ReauthGate } from './reauthGate'

/** The example dApp. */
export const App = defineComponent({
  name: 'App',
  props: {
    reauth: { type: Object as PropType<ReauthGate>, required: true },
    mode: { type: String as PropType<'extension' | 'mock'>, required: true },
  },
  setup(props) {
    useSessionQueryInvalidation() // holdings refetch on a party/network switch, vanish on disconnect
    return () =>
      h('main', { class: 'app' }, [
        h('header', { class: 'top' }, [
          h('h1', ['Canton Portfolio ', h('small', 'SessionLayer · Vue')]),
          h('span', { class: 'badge', 'data-testid': 'wallet-mode' }, props.mode === 'mock' ? 'in-memory mock wallet' : 'demo wallet extension'),
        ]),
        h(ReconnectBanner),
        h('div', { class: 'grid' }, [h(SessionCard, { reauth: props.reauth }), h(HoldingsCard), h(ExpiryCard, { reauth: props.reauth }), h(ActionCard, { reauth: props.reauth })]),
        h(EventLog),
      ])
  },
})
