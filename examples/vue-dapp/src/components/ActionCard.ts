import { toSessionError } from '@sessionlayer/session-core'
import { useSession, useSessionStore } from '@sessionlayer/session-vue'
import { computed, defineComponent, h, ref, watch, type PropType } from 'vue'
import { notSentBecause, type ReauthGate } from '../reauthGate'

type Run = { readonly state: 'idle' | 'queued' | 'running' | 'done' | 'cancelled' | 'failed'; readonly text: string }

let counter = 0

// The op's own failure comes back as the wallet threw it (often a bare `{ code, message }`), the
// store's as a SessionError: normalised, both read as a message and a stable code.
const failure = (error: unknown) => {
  const { message, code } = toSessionError(error)
  return `${message} (${String(code)})`
}

/**
 * How an op that did not sign ends: not sent when it was held for a re-auth and the session was
 * signed out meanwhile — the user's Sign out in this tab's prompt, Disconnect, or a sign-out in
 * another tab (no failure: `REAUTH_FAILED` 'The session ended before the operation ran' with no
 * cause); failed otherwise.
 */
const notSigned = (message: string, error: unknown, reauth: ReauthGate): Run => {
  const why = notSentBecause(error, reauth)
  return why ? { state: 'cancelled', text: `${message}: not sent — ${why}` } : { state: 'failed', text: `${message}: ${failure(error)}` }
}

/** An action run through `enqueue`: during a re-auth it waits, then runs once the user signed in again. */
export const ActionCard = defineComponent({
  name: 'ActionCard',
  props: { reauth: { type: Object as PropType<ReauthGate>, required: true } },
  setup(props) {
    const { enqueue, isDisconnected, isConnecting } = useSession()
    const store = useSessionStore()
    const run = ref<Run>({ state: 'idle', text: 'Nothing signed yet' })
    const disabled = computed(() => isDisconnected.value || isConnecting.value)
    // The session ended (here or in another tab) while a keyboard user was on this button: it
    // disables, and focus goes to Connect, which takes the session's place, rather than nowhere.
    const button = ref<HTMLButtonElement | null>(null)
    watch(
      disabled,
      (now, before) => {
        // before the browser's next rendering, the button that just disabled still holds the focus
        if (now && !before && document.activeElement === button.value) {
          document.querySelector<HTMLElement>('[data-testid="connect"]')?.focus()
        }
      },
      { flush: 'post' },
    )
    const sign = () => {
      const message = `Transfer #${++counter}`
      run.value = props.reauth.isPending()
        ? { state: 'queued', text: `${message}: queued until you sign in again` }
        : { state: 'running', text: `${message}: signing…` }
      enqueue(() => store.getProvider().request({ method: 'signMessage', params: { message } })).then(
        (result) => {
          const { signature } = result as { signature?: string }
          run.value = { state: 'done', text: `${message}: signed ${signature ?? ''}` }
        },
        (error: unknown) => {
          run.value = notSigned(message, error, props.reauth)
        },
      )
    }
    return () =>
      h('section', { class: 'card' }, [
        h('h2', 'Action'),
        h('button', { ref: button, 'data-testid': 'action-run', disabled: disabled.value, onClick: sign }, 'Sign a transfer'),
        // the signature (or why there is none) arrives later: announced when it does
        h('p', { class: ['action', run.value.state], role: 'status', 'data-testid': 'action-status', 'data-state': run.value.state }, run.value.text),
      ])
  },
})
