import type { Input, Method, Origin, StatusInput } from './machine'
import { SessionError } from './SessionError'
import { parseAccounts, parseNetworkId, parseStatus } from './wallet'

/**
 * The machine input for a validated payload: an account list (`accountsChanged`), a network id
 * (`chainChanged`), or a status that came `via` a `statusChanged` or `connected` event, a probe
 * or `connect`. Null when it does not validate (C18).
 */
function toInput(kind: 'accountsChanged' | 'chainChanged' | StatusInput['via'], value: unknown, origin: Origin): Input | null {
  if (kind === 'accountsChanged') {
    const accounts = parseAccounts(value)
    return accounts && { type: 'accounts', accounts, origin }
  }
  if (kind === 'chainChanged') {
    const networkId = parseNetworkId(value)
    return networkId === null ? null : { type: 'network', networkId, origin }
  }
  return parseStatus(value, kind)
}

/**
 * The machine input for a wallet event, or null for a payload that does not validate (C18).
 * @internal
 */
export function eventInput(event: (typeof WALLET_EVENTS)[number], payload: unknown): Input | null {
  return toInput(event, payload, 'local')
}

/**
 * The machine input for a request's answer: a validated result, or a `fail` for an invalid one.
 * @internal
 */
export function answerInput(method: Exclude<Method, 'disconnect'>, value: unknown, origin: Origin): Input {
  const kind = method === 'listAccounts' ? 'accountsChanged' : method === 'getActiveNetwork' ? 'chainChanged' : method === 'connect' ? 'connect' : 'probe'
  return toInput(kind, value, origin) ?? { type: 'fail', method, origin, error: new SessionError(`Invalid ${method} result`, 'UNKNOWN', value) }
}

/** The wallet events a store listens to. @internal */
export const WALLET_EVENTS = ['statusChanged', 'connected', 'accountsChanged', 'chainChanged'] as const
