import type { Input, Method, Origin } from './machine'
import { SessionError, tokenFree } from './SessionError'
import { parseAccounts, parseNetworkId, parseStatus } from './wallet'

/**
 * The machine input for a validated payload of a wallet event (of `accountsChanged`, its
 * listener's arguments), or (with the `origin` of the
 * request) of the answer to a method: an account list (`accountsChanged`, `listAccounts`), a
 * network id (`chainChanged`, `getActiveNetwork`), or a status (`statusChanged` and `connected`
 * events, the answers to `connect` and to the `status` probe). Null when it does not validate, or
 * cannot be read (a throwing getter, a revoked proxy) (C18).
 * @internal
 */
export const eventInput = (kind: (typeof WALLET_EVENTS)[number] | Exclude<Method, 'disconnect'>, value: unknown, origin: Origin = 'local'): Input | null => {
  try {
    if (kind == 'accountsChanged' || kind == 'listAccounts') {
      const accounts = parseAccounts(value, kind == 'accountsChanged')
      return accounts && { type: 'accounts', accounts, origin }
    }
    if (kind == 'chainChanged' || kind == 'getActiveNetwork') {
      const networkId = parseNetworkId(value)
      // never '': parseNetworkId reads an empty id as none (null)
      return (networkId && { type: 'network', networkId, origin }) as Input | null
    }
    return parseStatus(value, kind == 'status' ? 'probe' : kind)
  } catch {
    // a payload that cannot be read (a throwing getter, a revoked proxy) is no valid one: no
    // `error` event, which tells of the app's own callbacks, and no throw into the wallet's emit
    return null
  }
}

/**
 * The machine input for a request's answer: a validated result, or a `fail` for an invalid one.
 * That error has the answer as its `cause`, unless it carries the wallet session's access token
 * (`session.accessToken`, `network.accessToken`), which `lastError` must not hand to an app that
 * logs its errors (C4, C15).
 * @internal
 */
export const answerInput = (method: Exclude<Method, 'disconnect'>, value: unknown, origin: Origin): Input =>
  eventInput(method, value, origin) ?? { type: 'fail', verb: method, origin, failure: new SessionError(`Invalid ${method} result`, 'UNKNOWN', tokenFree(value)) }

/** The wallet events a store listens to. @internal */
export const WALLET_EVENTS = ['statusChanged', 'connected', 'accountsChanged', 'chainChanged'] as const
