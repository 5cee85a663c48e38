import { useSession } from '@sessionlayer/session-react'
import { sessionQueryKey } from '@sessionlayer/session-react/query'
import { useQuery } from '@tanstack/react-query'
import { fetchHoldings } from '../holdings'
import { formatTime } from '../format'

/** The active party's holdings, queried under a session-scoped key. */
export function HoldingsCard() {
  const session = useSession()
  const partyId = session.account?.partyId ?? null
  const networkId = session.networkId ?? ''
  const { data, isFetching } = useQuery({
    queryKey: sessionQueryKey(session, 'holdings'), // ['sessionlayer', networkId, partyId, 'holdings']
    queryFn: () => (partyId ? fetchHoldings(partyId, networkId) : Promise.reject(new Error('No active party'))),
    enabled: session.isConnected && partyId !== null,
  })
  return (
    <section className="card" data-testid="holdings" aria-busy={isFetching}>
      <h2>
        Holdings {isFetching && <span className="spinner" aria-hidden="true" />}
      </h2>
      {data ? (
        <>
          <ul className="holdings">
            {data.rows.map((row) => (
              <li key={row.asset} data-testid="holding">
                <span>{row.asset}</span>
                <span className="mono">{row.amount}</span>
              </li>
            ))}
          </ul>
          <p className="hint">
            Fetched for <span className="mono" data-testid="holdings-party">{data.partyId}</span> at {formatTime(data.fetchedAt)} · fetch{' '}
            <span data-testid="holdings-fetch">#{data.fetch}</span>
          </p>
        </>
      ) : (
        <p className="hint">{session.isConnected ? 'Loading…' : 'Connect to see your holdings.'}</p>
      )}
    </section>
  )
}
