import { check, type Fields } from './check'
import type { PersistedAccount } from './types'


/**
 * Copies the `PersistedAccount` fields of `value` — string fields, then the boolean `primary`
 * and `disabled` — into a fresh object. Only these keys are read and written, so tokens,
 * topology transactions, `__proto__` or any other key is never copied. Lenient by default: a
 * known field of the wrong type is left out. A value without a non-empty string `partyId` of its
 * own (a primitive, null, an array) throws, and strict, one with a known field of the wrong type.
 * (An envelope with such an account never decodes: the encoder, which refuses it, throws as well.)
 *
 * @param value - an account, as a wallet reported it or as it was stored
 * @param strict - throw instead of leaving wrong fields out
 * @returns the copy
 * @internal
 */
export function pickAccount(value: unknown, strict?: boolean): PersistedAccount {
  // own fields only, also where Object.prototype is polluted (a `partyId`, a `primary` flag): a
  // field the value lacks is none. The copy is built without a prototype, and handed out as a plain
  // object, as an app expects of an account. The spread takes nothing of null, undefined or a
  // number, and boxes any other primitive, as Object(value) would.
  const source: Fields = { __proto__: null, ...(value as object) }
  const account: Fields = { __proto__: null }
  // the `PersistedAccount` fields: eight strings, then two booleans
  const names = ['partyId', 'hint', 'status', 'publicKey', 'namespace', 'networkId', 'signingProviderId', 'reason', 'primary', 'disabled']
  names.forEach((name, index) => {
    const field = source[name]
    if (typeof field === (index < 8 ? 'string' : 'boolean')) account[name] = field
    else check(!strict || field === undefined)
  })
  check(account.partyId)
  return { ...account } as unknown as PersistedAccount
}

/**
 * The account a wallet reported, reduced to the fields that describe its party
 * (`PersistedAccount`): known fields of the wrong type are left out, and anything else —
 * access tokens, topology transactions, prototype tricks — is never copied. Never throws.
 *
 * @param value - an account from `listAccounts` or `accountsChanged`
 * @returns a fresh object, or null when `value` has no non-empty string `partyId` or cannot be read
 * @example
 * ```ts
 * toPersistedAccount({ partyId: 'alice::1220', primary: true, token: 'secret' })
 * // { partyId: 'alice::1220', primary: true }
 * ```
 * @public
 */
export function toPersistedAccount(value: unknown): PersistedAccount | null {
  try {
    // its own non-empty partyId, checked on the copy without a prototype: never one a polluted
    // Object.prototype lends an account without one
    return pickAccount(value)
  } catch {
    // no party, or not readable (a throwing getter, a revoked proxy): no party to keep
    return null
  }
}
