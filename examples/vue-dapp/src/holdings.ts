/** One line of the holdings list. */
export interface Holding {
  readonly asset: string
  readonly amount: string
}

/** A fetched holdings list, stamped so that refetches show. */
export interface Holdings {
  readonly partyId: string
  readonly networkId: string
  /** How many times holdings were fetched in this tab. */
  readonly fetch: number
  readonly fetchedAt: number
  readonly rows: readonly Holding[]
}

const ASSETS = ['Canton Coin', 'USDCx', 'Tokenized bond', 'Gold token']
let fetches = 0

/** A stable number from a string (FNV-1a). */
const hash = (text: string) => {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0
  return h
}

/**
 * Stands in for the dApp's backend: fake holdings derived from the party and network ids, after
 * a short network-like delay.
 *
 * @param partyId - the active party
 * @param networkId - the active network
 * @returns the holdings
 */
export async function fetchHoldings(partyId: string, networkId: string): Promise<Holdings> {
  const fetch = ++fetches
  await new Promise((resolve) => setTimeout(resolve, 250))
  const seed = hash(`${networkId}/${partyId}`)
  const rows = ASSETS.filter((_, i) => (seed >>> i) & 1 || i === 0).map((asset, i) => ({
    asset,
    amount: ((((seed >>> (i * 5)) % 9000) + 100) * (i + 1.25)).toLocaleString('en-US', { maximumFractionDigits: 2 }),
  }))
  return { partyId, networkId, fetch, fetchedAt: Date.now(), rows }
}
