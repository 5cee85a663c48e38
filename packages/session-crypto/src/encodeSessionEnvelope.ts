import { decodeSessionEnvelope } from './decodeSessionEnvelope'
import { toSessionEnvelope } from './toSessionEnvelope'
import type { SessionSnapshot } from './types'

/**
 * Serializes a session snapshot as a version-1 envelope:
 * `{ version: 1, account, accounts, networkId, connectedAt, expiresAt? }` (SPEC K1).
 *
 * @remarks
 *
 * Accounts are reduced to their `PersistedAccount` string and boolean fields, so access tokens,
 * topology transactions or any other extra key never reach the storage.
 *
 * A `networkId` that is not a string, or is empty (no network), is written as null. An `expiresAt`
 * of null (no expiry) is left out.
 *
 * It never writes what {@link decodeSessionEnvelope} would reject, since that session would be lost
 * at the next reload. Such a snapshot throws instead. That is a snapshot with an account without a
 * non-empty string `partyId`, a non-null `account` that is not one of `accounts` (same `partyId`),
 * a `connectedAt` or `expiresAt` that is not a finite number, or a text over 4 MiB.
 *
 * The store reports such a throw as a `storage:error` and keeps its session.
 *
 * @param snapshot - the session to persist
 * @returns the JSON text
 * @throws TypeError when the snapshot makes no envelope that decodes
 * @example
 * ```ts
 * const alice = { partyId: 'alice::1220', primary: true }
 * const text = encodeSessionEnvelope({ account: alice, accounts: [alice], networkId: 'canton:devnet', connectedAt: Date.now() })
 * ```
 * @public
 */
export function encodeSessionEnvelope(snapshot: SessionSnapshot): string {
  let text = ''
  try {
    text = JSON.stringify(toSessionEnvelope(snapshot))
  } catch {
    // not readable as a snapshot (no accounts list, a throwing getter): refused below
  }
  // checked by the decoder itself, so that the two can never disagree
  if (decodeSessionEnvelope(text)) return text
  throw TypeError('This session snapshot would not decode')
}
