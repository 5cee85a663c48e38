import { useSession, useSessionStore } from '@sessionlayer/session-vue'
import { defineComponent, h, nextTick, onScopeDispose, ref, watch, watchEffect, type PropType } from 'vue'
import { formatCountdown } from '../format'
import type { ReauthGate } from '../reauthGate'

/** The expiry countdown and, once the session expired, the re-auth prompt. */
export const ExpiryCard = defineComponent({
  name: 'ExpiryCard',
  props: { reauth: { type: Object as PropType<ReauthGate>, required: true } },
  setup(props) {
    const { expiresAt, isDisconnected, connect } = useSession()
    const store = useSessionStore()
    const prompting = ref(props.reauth.isPending())
    onScopeDispose(props.reauth.subscribe(() => (prompting.value = props.reauth.isPending())))
    const now = ref(Date.now())
    watchEffect((onCleanup) => {
      if (isDisconnected.value || expiresAt.value === null) return
      now.value = Date.now()
      const timer = setInterval(() => (now.value = Date.now()), 1000)
      onCleanup(() => {
        clearInterval(timer)
      })
    })
    // The prompt is an alert dialog: it takes focus as it opens, and gives it to the countdown as it
    // closes (Sign out, another tab signed in again) rather than leave it nowhere.
    const confirmButton = ref<HTMLButtonElement | null>(null)
    const countdown = ref<HTMLParagraphElement | null>(null)
    watch(prompting, async (open, wasOpen) => {
      await nextTick()
      if (open) confirmButton.value?.focus()
      else if (wasOpen && (document.activeElement === document.body || !document.activeElement)) countdown.value?.focus()
    })
    const signInAgain = async () => {
      // during a re-auth this asks the wallet to connect again; declined there, the prompt stays open
      const { lastError } = await connect()
      if (!lastError) props.reauth.confirm()
    }
    return () =>
      h('section', { class: 'card' }, [
        h('h2', 'Session expiry'),
        prompting.value
          ? h('div', { class: 'reauth', role: 'alertdialog', 'aria-label': 'Session expired', 'data-testid': 'reauth-prompt' }, [
              h('p', 'Your session expired. Sign in again to continue — queued actions will run right after.'),
              h('div', { class: 'row' }, [
                h('button', { ref: confirmButton, class: 'primary', 'data-testid': 'reauth-confirm', onClick: () => void signInAgain() }, 'Sign in again'),
                h('button', { 'data-testid': 'reauth-decline', onClick: () => void props.reauth.signOut(store) }, 'Sign out'),
              ]),
            ])
          : h(
              'p',
              { ref: countdown, class: 'countdown', 'data-testid': 'expiry-countdown', tabindex: -1 },
              !isDisconnected.value && expiresAt.value !== null ? `Expires in ${formatCountdown(expiresAt.value - now.value)}` : 'No active session',
            ),
        h('p', { class: 'hint' }, 'Pick a short session TTL in the demo wallet, reload, and connect to see it expire.'),
      ])
  },
})
