import { useSession, useSessionEvent } from '@sessionlayer/session-react'
import { useState, useSyncExternalStore, type MouseEvent } from 'react'
import type { ReauthGate } from '../reauthGate'

/**
 * Connect and Disconnect / Cancel take turns in one place: the second click of a double click
 * (`detail` 2) would land on the other one and undo the first. Only a single click counts.
 */
const singleClick = (action: () => unknown) => (event: MouseEvent) => {
  if (event.detail <= 1) void action()
}

/** Status, active party and network, and the connect / disconnect button. */
export function SessionCard({ reauth }: { reauth: ReauthGate }) {
  const { status, account, networkId, lastError, isDisconnected, isConnecting, connect, disconnect } = useSession()
  const signedOut = useSyncExternalStore(reauth.subscribe, reauth.signedOut, () => false)
  // An asynchronous wallet answers a connect at once with where the user approves it (C3)
  const [pending, setPending] = useState<{ readonly userUrl?: string } | null>(null)
  useSessionEvent('connect:pending', (e) => {
    setPending(e)
  })
  const userUrl = isConnecting ? pending?.userUrl : undefined
  if (!isConnecting && pending) setPending(null)
  return (
    <section className="card">
      <h2>Session</h2>
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          {/* a live region: a restore, a reconnect, a sign-out in another tab or an expiry change it with no click */}
          <span className={`pill ${status}`} role="status" data-testid="status">
            {status}
          </span>
        </dd>
        <dt>Party</dt>
        <dd className="mono" data-testid="party">
          {account?.partyId ?? '—'}
        </dd>
        <dt>Network</dt>
        <dd className="mono" data-testid="network">
          {networkId ?? '—'}
        </dd>
      </dl>
      {isDisconnected ? (
        <button className="primary" data-testid="connect" onClick={singleClick(connect)}>
          Connect wallet
        </button>
      ) : (
        <button data-testid="disconnect" onClick={singleClick(disconnect)}>
          {isConnecting ? 'Cancel' : 'Disconnect'}
        </button>
      )}
      {/* a live region on the page from the start: where to approve, and a sign-out, are announced */}
      <div role="status" data-testid="connect-region">
        {isConnecting && (
          <p className="hint" data-testid="connect-hint">
            {userUrl ? (
              <>
                Approve the connection in your wallet: <a href={userUrl}>{userUrl}</a>
              </>
            ) : (
              'Approve the connection in the demo wallet.'
            )}
          </p>
        )}
        {/* the user chose Sign out in the re-auth prompt: no failure */}
        {isDisconnected && signedOut && (
          <p className="hint" data-testid="signed-out">
            Signed out.
          </p>
        )}
      </div>
      {lastError && (
        <p className="error" role="alert" data-testid="error">
          {lastError.message} ({String(lastError.code)})
        </p>
      )}
      <p className="hint">Switch party or network in the demo wallet; every open tab follows.</p>
    </section>
  )
}
