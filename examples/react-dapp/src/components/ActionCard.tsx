import { toSessionError } from '@sessionlayer/session-core'
import { useSession, useSessionStore } from '@sessionlayer/session-react'
import { useLayoutEffect, useRef, useState } from 'react'
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
export function ActionCard({ reauth }: { reauth: ReauthGate }) {
  const { enqueue, isDisconnected, isConnecting } = useSession()
  const store = useSessionStore()
  const [run, setRun] = useState<Run>({ state: 'idle', text: 'Nothing signed yet' })
  const disabled = isDisconnected || isConnecting
  // The session ended (here or in another tab) while a keyboard user was on this button: it
  // disables, and focus goes to Connect, which takes the session's place, rather than nowhere.
  const button = useRef<HTMLButtonElement>(null)
  const wasDisabled = useRef(disabled)
  useLayoutEffect(() => {
    // before the browser's next rendering, the button that just disabled still holds the focus
    if (disabled && !wasDisabled.current && document.activeElement === button.current) {
      document.querySelector<HTMLElement>('[data-testid="connect"]')?.focus()
    }
    wasDisabled.current = disabled
  }, [disabled])
  const sign = () => {
    const message = `Transfer #${++counter}`
    setRun(reauth.isPending() ? { state: 'queued', text: `${message}: queued until you sign in again` } : { state: 'running', text: `${message}: signing…` })
    enqueue(() => store.getProvider().request({ method: 'signMessage', params: { message } })).then(
      (result) => {
        const { signature } = result as { signature?: string }
        setRun({ state: 'done', text: `${message}: signed ${signature ?? ''}` })
      },
      (error: unknown) => {
        setRun(notSigned(message, error, reauth))
      },
    )
  }
  return (
    <section className="card">
      <h2>Action</h2>
      <button ref={button} data-testid="action-run" disabled={disabled} onClick={sign}>
        Sign a transfer
      </button>
      {/* the signature (or the failure) arrives later: announced when it does */}
      <p className={`action ${run.state}`} role="status" data-testid="action-status" data-state={run.state}>
        {run.text}
      </p>
    </section>
  )
}
