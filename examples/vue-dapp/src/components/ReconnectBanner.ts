import { useSession, useSessionEvent } from '@sessionlayer/session-vue'
import { defineComponent, h, ref, watch } from 'vue'
import { formatDelay } from '../format'

/** Reconnect progress after a wallet drop: "retry #2 in 1 s", then the attempt, then done. */
export const ReconnectBanner = defineComponent({
  name: 'ReconnectBanner',
  setup() {
    const { status, isReconnecting } = useSession()
    const progress = ref<string | null>(null)
    useSessionEvent('reconnect:scheduled', (e) => {
      progress.value = `Wallet unreachable: retry #${e.attempt} in ${formatDelay(e.delayMs)}`
    })
    useSessionEvent('reconnect:attempt', (e) => {
      progress.value = `Retry #${e.attempt}: asking the wallet…`
    })
    useSessionEvent('reconnect:gaveup', (e) => {
      progress.value = `Gave up after ${e.attempts} attempts (${String(e.lastError.code)}). Connect again once the wallet is reachable.`
    })
    // No retry is due once the status moves on (connected, or disconnected: a give-up reports
    // itself after the status change, hence `sync`) or the session expired (the re-auth replaces
    // the retries).
    watch(
      status,
      () => {
        progress.value = null
      },
      { flush: 'sync' },
    )
    useSessionEvent('session:expired', () => {
      progress.value = null
    })
    // The live region stays on the page: one added together with its text is not announced.
    return () =>
      h('div', { role: 'status', 'data-testid': 'reconnect-region' }, [
        progress.value !== null &&
          h('div', { class: ['banner', isReconnecting.value ? 'warn' : 'bad'], 'data-testid': 'reconnect-progress' }, progress.value),
      ])
  },
})
