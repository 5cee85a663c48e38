import type { CIP0103Account, SessionState } from '@sessionlayer/session-core'
import { shallowEqual } from './shallowEqual'
import { useSessionSelector } from './useSessionSelector'

/**
 * The connected session summary {@link useClientSession} returns.
 * @public
 */
export interface ClientSession {
  /** The active party id. */
  readonly partyId: string
  /** The CAIP-2 network id, or null. */
  readonly networkId: string | null
  /** The active account. */
  readonly account: CIP0103Account
  /** When the session became connected (ms since epoch), or null. */
  readonly connectedAt: number | null
  /** When the session expires (ms since epoch), or null without a TTL. */
  readonly expiresAt: number | null
}

const selectClientSession = ({ account, networkId, status, connectedAt, expiresAt }: SessionState): ClientSession | null =>
  status == 'connected' && account ? { account, partyId: account.partyId, networkId, connectedAt, expiresAt } : null

/**
 * The connected session of the nearest `<SessionProvider>`, or null when not connected.
 *
 * @deprecated Use {@link useAccount} (party, network, status) or
 * `useSessionSelector((s) => s.expiresAt)` for the timestamps.
 * @returns `{ partyId, networkId, account, connectedAt, expiresAt }` while connected, else null
 * @throws `Error` outside `<SessionProvider>`
 * @public
 */
export function useClientSession(): ClientSession | null {
  return useSessionSelector(selectClientSession, shallowEqual)
}
