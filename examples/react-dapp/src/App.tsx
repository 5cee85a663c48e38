import { useSessionQueryInvalidation } from '@sessionlayer/session-react/query'
import { ActionCard } from './components/ActionCard'
import { EventLog } from './components/EventLog'
import { ExpiryCard } from './components/ExpiryCard'
import { HoldingsCard } from './components/HoldingsCard'
import { ReconnectBanner } from './components/ReconnectBanner'
import { SessionCard } from './components/SessionCard'
import type { ReauthGate } from './reauthGate'

/** The example dApp. */
export function App({ reauth, mode }: { reauth: ReauthGate; mode: 'extension' | 'mock' }) {
  useSessionQueryInvalidation() // holdings refetch on a party/network switch, vanish on disconnect
  return (
    <main className="app">
      <header className="top">
        <h1>
          Canton Portfolio <small>SessionLayer · React</small>
        </h1>
        <span className="badge" data-testid="wallet-mode">
          {mode === 'mock' ? 'in-memory mock wallet' : 'demo wallet extension'}
        </span>
      </header>
      <ReconnectBanner />
      <div className="grid">
        <SessionCard reauth={reauth} />
        <HoldingsCard />
        <ExpiryCard reauth={reauth} />
        <ActionCard reauth={reauth} />
      </div>
      <EventLog />
    </main>
  )
}
