import type { Input, Method, Origin, StatusInput } from './machine'
import { SessionError } from './SessionError'
import { parseAccounts, parseNetworkId, parseStatus } from './wallet'

/**
 * The machine input for a validated payload: an account list, a network id, or a status that
 * came `via` an event, a probe or `connect`. Null when it does not validate (C18).
 */
function toInput(kind: 'accounts' | 'network' | StatusInput['via'], value: unknown, origin: Origin): Input | null {
  if (kind === 'accounts') {
    const accounts = parseAccounts(value)
    return accounts && { type: 'accounts', accounts, origin }
  }
  if (kind === 'network') {
    const networkId = parseNetworkId(value)
    return networkId === null ? null : { type: 'network', networkId, origin }
  }
  return parseStatus(value, kind)
}

/**
 * The machine input for a wallet event, or null for a payload that does not validate (C18).
 * @internal
 */
export function eventInput(event: string, payload: unknown): Input | null {
  return toInput(event === 'accountsChanged' ? 'accounts' : event === 'chainChanged' ? 'network' : 'event', payload, 'local')
}

/**
 * The machine input for a request's answer: a validated result, or a `fail` for an invalid one.
 * @internal
 */
export function answerInput(method: Exclude<Method, 'disconnect'>, value: unknown, origin: Origin): Input {
  const kind = method === 'listAccounts' ? 'accounts' : method === 'getActiveNetwork' ? 'network' : method === 'connect' ? 'connect' : 'probe'
  return toInput(kind, value, origin) ?? { type: 'fail', method, origin, error: new SessionError(`Invalid ${method} result`, 'UNKNOWN', value) }
}

/** The wallet events a store listens to. @internal */
export const WALLET_EVENTS = ['statusChanged', 'connected', 'accountsChanged', 'chainChanged'] as const
