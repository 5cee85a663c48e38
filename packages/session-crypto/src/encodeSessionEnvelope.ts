import { toSessionEnvelope } from './toSessionEnvelope'
import type { SessionSnapshot } from './types'

/**
 * Serializes a session snapshot as a version-1 envelope:
 * `{ version: 1, account, accounts, networkId, connectedAt, expiresAt? }` (SPEC K1).
 * Accounts are reduced to their `PersistedAccount` string and boolean fields, so access tokens,
 * topology transactions or any other extra key never reach the storage.
 *
 * @param snapshot - the session to persist
 * @returns the JSON text
 * @example
 * ```ts
 * const alice = { partyId: 'alice::1220', primary: true }
 * const text = encodeSessionEnvelope({ account: alice, accounts: [alice], networkId: 'canton:devnet', connectedAt: Date.now() })
 * ```
 * @public
 */
export function encodeSessionEnvelope(snapshot: SessionSnapshot): string {
  return JSON.stringify(toSessionEnvelope(snapshot))
}
