import { check, type Fields } from './check'
import { pickAccount } from './toPersistedAccount'
import type { SessionEnvelope } from './types'

/**
 * The version written by the current session envelope encoder.
 * @public
 */
export const CURRENT_SESSION_ENVELOPE_VERSION = 1

/**
 * Builds a current envelope from the fields of `value`, from scratch. An `expiresAt` of null (no
 * expiry) is left out, and one that is no finite number throws. An account without a non-empty
 * string `partyId`, or a non-null `account` that is not one of `accounts` (same `partyId`), throws.
 * When writing, other wrong account fields are dropped; when reading (`strict`), any wrong field
 * throws: accounts must be objects whose known fields have their types,
 * `networkId` a string or null (an empty one is null), `connectedAt` and `expiresAt` (optional, or null) finite numbers.
 *
 * @param value - a snapshot (writing) or a parsed envelope of the current version (reading)
 * @param strict - validate instead of trusting the types
 * @returns the envelope
 * @internal
 */
export function toSessionEnvelope(value: object, strict?: boolean): SessionEnvelope {
  // own fields only, and an envelope without a prototype: an `expiresAt` it lacks reads undefined
  // even where Object.prototype is polluted
  const { account, accounts, networkId, connectedAt, expiresAt }: Fields = { __proto__: null, ...value }
  // a string or null only: never what else a caller passed (a network object carries its access token);
  // an empty id is no network, as an empty partyId is no party
  const network = (typeof networkId == 'string' && networkId) || null
  // an expiresAt of null is no expiry; one not finite is refused writing too (JSON writes it as null)
  check(Number.isFinite(expiresAt ?? 0) && (!strict || (Array.isArray(accounts) && (networkId === network || networkId === '') && Number.isFinite(connectedAt))))
  const list = Array.from(accounts as unknown[], (a) => pickAccount(a, strict))
  const active = account === null ? null : pickAccount(account, strict)
  // writing too: such an envelope would not decode, and the encoder throws either way
  check(!active || list.some((a) => a.partyId === active.partyId))
  return {
    __proto__: null,
    // CURRENT_SESSION_ENVELOPE_VERSION, written out: a bundler keeps an exported constant as a variable
    version: 1,
    account: active,
    accounts: list,
    networkId: network,
    connectedAt,
    ...(expiresAt == null ? {} : { expiresAt }),
  } as SessionEnvelope
}
