import { useSession, useSessionStore } from '@sessionlayer/session-react'
import { useEffect, useRef, useState, useSyncExternalStore } from 'react'
import { formatCountdown } from '../format'
import type { ReauthGate } from '../reauthGate'

/** The current time, ticking every second while `active`. */
function useNow(active: boolean) {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    if (!active) return
    setNow(Date.now())
    const timer = setInterval(() => {
      setNow(Date.now())
    }, 1000)
    return () => {
      clearInterval(timer)
    }
  }, [active])
  return now
}

/** The expiry countdown and, once the session expired, the re-auth prompt. */
export function ExpiryCard({ reauth }: { reauth: ReauthGate }) {
  const { expiresAt, isDisconnected, connect } = useSession()
  const store = useSessionStore()
  const prompting = useSyncExternalStore(reauth.subscribe, reauth.isPending, () => false)
  const counting = !isDisconnected && expiresAt !== null
  const now = useNow(counting)
  // The prompt is an alert dialog: it takes focus as it opens, and gives it to the countdown as it
  // closes (Sign out, another tab signed in again) rather than leave it nowhere.
  const confirmButton = useRef<HTMLButtonElement>(null)
  const countdown = useRef<HTMLParagraphElement>(null)
  const wasPrompting = useRef(false)
  useEffect(() => {
    if (prompting) confirmButton.current?.focus()
    else if (wasPrompting.current && (document.activeElement === document.body || !document.activeElement)) countdown.current?.focus()
    wasPrompting.current = prompting
  }, [prompting])
  const signInAgain = async () => {
    // during a re-auth this asks the wallet to connect again; declined there, the prompt stays open
    const { lastError } = await connect()
    if (!lastError) reauth.confirm()
  }
  return (
    <section className="card">
      <h2>Session expiry</h2>
      {prompting ? (
        <div className="reauth" role="alertdialog" aria-label="Session expired" data-testid="reauth-prompt">
          <p>Your session expired. Sign in again to continue — queued actions will run right after.</p>
          <div className="row">
            <button ref={confirmButton} className="primary" data-testid="reauth-confirm" onClick={() => void signInAgain()}>
              Sign in again
            </button>
            <button data-testid="reauth-decline" onClick={() => void reauth.signOut(store)}>
              Sign out
            </button>
          </div>
        </div>
      ) : (
        <p ref={countdown} className="countdown" data-testid="expiry-countdown" tabIndex={-1}>
          {counting ? `Expires in ${formatCountdown(expiresAt - now)}` : 'No active session'}
        </p>
      )}
      <p className="hint">Pick a short session TTL in the demo wallet, reload, and connect to see it expire.</p>
    </section>
  )
}
