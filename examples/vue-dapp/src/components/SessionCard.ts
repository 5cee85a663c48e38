import { useSession, useSessionEvent } from '@sessionlayer/session-vue'
import { defineComponent, h, onScopeDispose, ref, watch, type PropType } from 'vue'
import type { ReauthGate } from '../reauthGate'

/**
 * Connect and Disconnect / Cancel take turns in one place: the second click of a double click
 * (`detail` 2) would land on the other one and undo the first. Only a single click counts.
 */
const singleClick = (action: () => unknown) => (event: MouseEvent) => {
  if (event.detail <= 1) void action()
}

/** Status, active party and network, and the connect / disconnect button. */
export const SessionCard = defineComponent({
  name: 'SessionCard',
  props: { reauth: { type: Object as PropType<ReauthGate>, required: true } },
  setup(props) {
    const { status, account, networkId, lastError, isDisconnected, isConnecting, connect, disconnect } = useSession()
    const signedOut = ref(props.reauth.signedOut())
    onScopeDispose(props.reauth.subscribe(() => (signedOut.value = props.reauth.signedOut())))
    // An asynchronous wallet answers a connect at once with where the user approves it (C3)
    const userUrl = ref<string | undefined>()
    useSessionEvent('connect:pending', (e) => (userUrl.value = e.userUrl))
    watch(isConnecting, (connecting) => {
      if (!connecting) userUrl.value = undefined
    })
    return () =>
      h('section', { class: 'card' }, [
        h('h2', 'Session'),
        h('dl', { class: 'facts' }, [
          h('dt', 'Status'),
          // a live region: a restore, a reconnect, a sign-out in another tab or an expiry change it with no click
          h('dd', [h('span', { class: ['pill', status.value], role: 'status', 'data-testid': 'status' }, status.value)]),
          h('dt', 'Party'),
          h('dd', { class: 'mono', 'data-testid': 'party' }, account.value?.partyId ?? '—'),
          h('dt', 'Network'),
          h('dd', { class: 'mono', 'data-testid': 'network' }, networkId.value ?? '—'),
        ]),
        isDisconnected.value
          ? h('button', { class: 'primary', 'data-testid': 'connect', onClick: singleClick(connect) }, 'Connect wallet')
          : h('button', { 'data-testid': 'disconnect', onClick: singleClick(disconnect) }, isConnecting.value ? 'Cancel' : 'Disconnect'),
        // a live region on the page from the start: where to approve, and a sign-out, are announced
        h('div', { role: 'status', 'data-testid': 'connect-region' }, [
          isConnecting.value &&
            h(
              'p',
              { class: 'hint', 'data-testid': 'connect-hint' },
              userUrl.value
                ? ['Approve the connection in your wallet: ', h('a', { href: userUrl.value }, userUrl.value)]
                : 'Approve the connection in the demo wallet.',
            ),
          // the user chose Sign out in the re-auth prompt: no failure
          isDisconnected.value && signedOut.value && h('p', { class: 'hint', 'data-testid': 'signed-out' }, 'Signed out.'),
        ]),
        lastError.value && h('p', { class: 'error', role: 'alert', 'data-testid': 'error' }, `${lastError.value.message} (${String(lastError.value.code)})`),
        h('p', { class: 'hint' }, 'Switch party or network in the demo wallet; every open tab follows.'),
      ])
  },
})
