import { toPersistedAccount } from '@sessionlayer/session-crypto'
import type { CIP0103Account } from './cip0103'
import type { StatusInput } from './machine'
import { quotesToken, seenTokens } from './SessionError'

/** A narrowed view of an unknown object (internal). */
export type Obj = Record<string, unknown>

/**
 * `v` when it is an object and no array, else undefined. Where `Object.prototype` is polluted (it
 * carries a field of its own making), a copy of `v`'s own fields without a prototype: a field the
 * wallet did not send reads undefined (C18). Only then: the copy would cost every wallet event a third more.
 * @internal
 */
export const asObj = (v: unknown): Obj | undefined => {
  if (typeof v == 'object' && v && !Array.isArray(v)) {
    // what the prototype of a plain object carries, enumerated on it: through a new `{}` that took
    // three times as long, for each object of each wallet payload
    for (const _ in Object.prototype) return { __proto__: null, ...v }
    return v as Obj
  }
}

/**
 * Validates a wallet's account list (C18), or with `args` an `accountsChanged`'s arguments, their
 * lists read as one: null for a non-array, and for entries none of which is an account; entries without a non-empty string `partyId` are dropped; known fields of the right type are copied into fresh frozen
 * objects (anything else — tokens, topology transactions, prototype tricks — is left behind).
 * @internal
 */
export const parseAccounts = (value: unknown, args?: boolean): readonly CIP0103Account[] | null => {
  if (!Array.isArray(value)) return null
  // An `accountsChanged` comes as its listener's arguments: the official remote provider hands on
  // the JSON array of its event stream as the arguments, so a list arrives there as one argument
  // per account (none for an empty one), and a list given as one argument is read as such (C18).
  // A `listAccounts` answer is the list itself: one of lists is no account list.
  const list: unknown[] = args ? value.flat() : value
  // each account a fresh frozen copy; an entry that is none, an empty array that flat() drops
  const accounts = Array.from(list, (a) => Object.freeze(toPersistedAccount(a) ?? [])).flat()
  // entries, but not one account: as invalid as no list at all (an empty list is a valid one) (C18)
  return list.length && !accounts.length ? null : Object.freeze(accounts)
}

/** What the store reads from a `status` result or a `statusChanged` / `connected` event. */
export interface WalletStatus {
  readonly connected: boolean
  /** undefined when the payload does not say. */
  readonly networkId?: string
  readonly userUrl?: string
  readonly reason?: string
  /** Live Ledger API access (memory only; the machine ignores it). */
  readonly ledgerApi?: string
  readonly accessToken?: string
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

/**
 * A `userUrl` the app may open or link to: an absolute URL, but none that runs script in the
 * dApp's origin (`javascript:`, `data:`, `vbscript:`, as the browser's URL parser reads them,
 * whatever the case, spaces or tabs). A remote wallet is not trusted with the dApp's origin (C18).
 */
const userUrl = (v: unknown): string | undefined => {
  // Parsed only when there is one: a status without it (every wallet event) throws nothing.
  try {
    if (str(v) && !/^(javascript|data|vbscript):$/.test(new URL(v as string).protocol)) return v as string
  } catch {
    // no absolute URL: nothing the app could open
  }
}

/**
 * Validates a status payload (C18): `{ connection: { isConnected } , network?, session? }` (a
 * `status` result, a `statusChanged` or `connected` event), or a bare connect result
 * `{ isConnected }` (a `connect` result, and the `connected` event of wallets that send one). Null
 * when it is neither.
 * @param value - the payload
 * @param via - how it came (default: the answer to a probe)
 * @returns the machine's status input
 * @internal
 */
export const parseStatus = (value: unknown, via: StatusInput['via'] = 'probe'): StatusInput | null => {
  const o = asObj(value)
  const c = asObj(o?.connection) ?? o
  if (typeof c?.isConnected !== 'boolean') return null
  const network = asObj(o?.network)
  const session = asObj(o?.session)
  // read once: a getter or proxy may answer another text to each read, past the check below (C15)
  const reason = c.reason
  // each read once, as the reason: the session's token, else the network's, is the one the store uses
  const tokens = [str(session?.accessToken), str(network?.accessToken)]
  // A token is searched for as it is from now on, in this status's reason too: a wallet may quote it
  // under no name the patterns know — either token, where the session's and the network's differ.
  // Not a short one, nor a word of under 16 letters (a placeholder:
  // `undefined`, `anonymous`), which common texts hold: the wallet's messages stay (C4, C15).
  // Told again, it is one of the latest again: the tokens of other stores, or of a wallet that
  // hands out a new one for each read, do not push out the one still in use.
  for (const token of tokens) {
    if (token?.[7] && (token[15] || /[^a-z]/i.test(token))) {
      seenTokens.unshift(token)
      // its earlier place (1 to 8), else the ninth (-1 + 9): the list keeps at most 8
      seenTokens.splice((seenTokens.indexOf(token, 1) + 9) % 9, 1)
    }
  }
  return {
    type: 'status',
    via,
    connected: c.isConnected,
    // an empty id is no id, as an account's empty `partyId` is none: the network is not told
    // eslint-disable-next-line @typescript-eslint/prefer-nullish-coalescing -- '' too
    networkId: str(network?.networkId) || undefined,
    userUrl: userUrl(c.userUrl),
    // An empty reason tells nothing, and one that quotes a token is no text for lastError, events
    // or the other tabs: the store's own words then say what happened (C4, C15).
    reason: reason && !quotesToken(reason) ? str(reason) : undefined,
    ledgerApi: str(network?.ledgerApi),
    // an empty session token is none, as an empty id is: the network's then
    // eslint-disable-next-line @typescript-eslint/prefer-nullish-coalescing -- '' too
    accessToken: tokens[0] || tokens[1],
  }
}

/**
 * The network id of a `getActiveNetwork` result or a `chainChanged` payload: a non-empty string,
 * or an object with one as `networkId`. Null when neither: an empty id is no id, as an empty
 * `partyId` is no party (C18). An object is read as a status's network: its access token (the
 * official `Network`'s) is searched for from now on, whatever its id (C4, C15).
 * @internal
 */
export const parseNetworkId = (value: unknown): string | null =>
  parseStatus({ connection: { isConnected: true }, network: asObj(value) ?? { networkId: value } })?.networkId ?? null
