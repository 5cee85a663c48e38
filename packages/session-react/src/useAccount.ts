import type { CIP0103Account, SessionState, SessionStatus } from '@sessionlayer/session-core'
import { shallowEqual } from './shallowEqual'
import { useSessionSelector } from './useSessionSelector'

/**
 * What {@link useAccount} returns.
 * @public
 */
export interface UseAccountReturnType {
  /** The active account, or null. */
  readonly account: CIP0103Account | null
  /** The active party id (`account.partyId`), or null. */
  readonly partyId: string | null
  /** Every account the wallet exposed. */
  readonly accounts: readonly CIP0103Account[]
  /** The CAIP-2 network id, or null. */
  readonly networkId: string | null
  /** The session status. */
  readonly status: SessionStatus
  /** `status === 'connected'`. */
  readonly isConnected: boolean
}

const selectAccount = ({ account, accounts, networkId, status }: SessionState): UseAccountReturnType => ({
  account,
  partyId: account?.partyId ?? null,
  accounts,
  networkId,
  status,
  isConnected: status == 'connected',
})

/**
 * The active party of the nearest `<SessionProvider>`. Re-renders only when the account, the
 * accounts, the network or the status changes — not on `lastError`, `connectedAt` or
 * `expiresAt`.
 *
 * @returns the account, party id, accounts, network id, status and `isConnected`
 * @throws `Error` outside `<SessionProvider>`
 * @example
 * ```tsx
 * const { partyId, networkId } = useAccount()
 * return <span>{partyId ?? 'not connected'} on {networkId}</span>
 * ```
 * @public
 */
export function useAccount(): UseAccountReturnType {
  return useSessionSelector(selectAccount, shallowEqual)
}
