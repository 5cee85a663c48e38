import { useSession, useSessionEvent, useSessionStore } from '@sessionlayer/session-react'
import { useEffect, useState } from 'react'
import { formatDelay } from '../format'

/** Reconnect progress after a wallet drop: "retry #2 in 1 s", then the attempt, then done. */
export function ReconnectBanner() {
  const { isReconnecting } = useSession()
  const [progress, setProgress] = useState<string | null>(null)
  useSessionEvent('reconnect:scheduled', (e) => {
    setProgress(`Wallet unreachable: retry #${e.attempt} in ${formatDelay(e.delayMs)}`)
  })
  useSessionEvent('reconnect:attempt', (e) => {
    setProgress(`Retry #${e.attempt}: asking the wallet…`)
  })
  useSessionEvent('reconnect:gaveup', (e) => {
    setProgress(`Gave up after ${e.attempts} attempts (${String(e.lastError.code)}). Connect again once the wallet is reachable.`)
  })
  // No retry is due once the status moves on (connected, or disconnected: a give-up reports
  // itself after the status change) or the session expired (the re-auth replaces the retries).
  const store = useSessionStore()
  useEffect(
    () =>
      store.subscribe((state, previous) => {
        if (state.status !== previous.status) setProgress(null)
      }),
    [store],
  )
  useSessionEvent('session:expired', () => {
    setProgress(null)
  })
  // The live region stays on the page: one added together with its text is not announced.
  return (
    <div role="status" data-testid="reconnect-region">
      {progress !== null && (
        <div className={`banner ${isReconnecting ? 'warn' : 'bad'}`} data-testid="reconnect-progress">
          {progress}
        </div>
      )}
    </div>
  )
}
