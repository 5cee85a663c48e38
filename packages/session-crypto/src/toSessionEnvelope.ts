import type { PersistedAccount, SessionEnvelope } from './types'

/**
 * The version written by the current session envelope encoder.
 * @public
 */
export const CURRENT_SESSION_ENVELOPE_VERSION = 1

/** A plain object, read field by field. @internal */
export type Fields = Record<string, unknown>

/**
 * Throws when `ok` is falsy; the envelope readers catch it and answer null.
 * @param ok - the condition
 * @internal
 */
export function check(ok: unknown): asserts ok {
  if (!ok) throw new TypeError('invalid session envelope')
}

const isTime = (value: unknown): value is number => Number.isFinite(value)

/**
 * Copies the `PersistedAccount` fields of `value` — string fields, then the boolean `primary`
 * and `disabled` — into a fresh object. Only these keys are read and written, so tokens,
 * topology transactions, `__proto__` or any other key is never copied. Strict: a value without
 * a non-empty string `partyId` (a primitive, null, an array) or with a known field of the wrong
 * type throws.
 */
function pickAccount(value: unknown, strict?: boolean): PersistedAccount {
  const source = Object(value) as Fields
  const account: Fields = {}
  const names = ['partyId', 'hint', 'status', 'publicKey', 'namespace', 'networkId', 'signingProviderId', 'reason', 'primary', 'disabled']
  names.forEach((name, index) => {
    const field = source[name]
    if (typeof field === (index < 8 ? 'string' : 'boolean')) account[name] = field
    else check(!strict || field === undefined)
  })
  check(!strict || account.partyId)
  return account as unknown as PersistedAccount
}

/**
 * Builds a current envelope from the fields of `value`, from scratch. When writing, wrong
 * account fields are dropped; when reading (`strict`), any wrong field throws: accounts must be
 * objects whose known fields have their types and whose `partyId` is a non-empty string,
 * `networkId` a string or null, `connectedAt` and `expiresAt` (optional) finite numbers, and a
 * non-null `account` one of `accounts` (same `partyId`).
 *
 * @param value - a snapshot (writing) or a parsed envelope of the current version (reading)
 * @param strict - validate instead of trusting the types
 * @returns the envelope
 * @internal
 */
export function toSessionEnvelope(value: object, strict?: boolean): SessionEnvelope {
  const { account, accounts, networkId, connectedAt, expiresAt } = value as Fields
  check(
    !strict ||
      (Array.isArray(accounts) &&
        (networkId === null || typeof networkId === 'string') &&
        isTime(connectedAt) &&
        (expiresAt === undefined || isTime(expiresAt))),
  )
  const list = Array.from(accounts as unknown[], (a) => pickAccount(a, strict))
  const active = account === null ? null : pickAccount(account, strict)
  check(!strict || !active || list.some((a) => a.partyId === active.partyId))
  return {
    version: CURRENT_SESSION_ENVELOPE_VERSION,
    account: active,
    accounts: list,
    networkId,
    connectedAt,
    ...(expiresAt === undefined ? {} : { expiresAt }),
  } as SessionEnvelope
}
