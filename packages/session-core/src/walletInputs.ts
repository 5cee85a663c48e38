import type { Input, Method, Origin } from './machine'
import { SessionError } from './SessionError'
import { parseAccounts, parseNetworkId, parseStatus } from './wallet'

/**
 * The machine input for a wallet event, or null for a payload that does not validate (C18).
 * @internal
 */
export function eventInput(event: string, payload: unknown): Input | null {
  if (event === 'accountsChanged') {
    const accounts = parseAccounts(payload)
    return accounts && { type: 'accounts', accounts, origin: 'local' }
  }
  if (event === 'chainChanged') {
    const networkId = parseNetworkId(payload)
    return networkId === null ? null : { type: 'network', networkId, origin: 'local' }
  }
  return parseStatus(payload, 'event')
}

/**
 * The machine input for a request's answer: a validated result, or a `fail` for an invalid one.
 * @internal
 */
export function answerInput(method: Exclude<Method, 'disconnect'>, value: unknown, origin: Origin): Input {
  let input: Input | null
  if (method === 'listAccounts') {
    const accounts = parseAccounts(value)
    input = accounts && { type: 'accounts', accounts, origin }
  } else if (method === 'getActiveNetwork') {
    const networkId = parseNetworkId(value)
    input = networkId === null ? null : { type: 'network', networkId, origin }
  } else {
    input = parseStatus(value, method === 'connect' ? 'connect' : 'probe')
  }
  return input ?? { type: 'fail', method, origin, error: new SessionError(`Invalid ${method} result`, 'UNKNOWN', value) }
}

/** The wallet events a store listens to. @internal */
export const WALLET_EVENTS = ['statusChanged', 'connected', 'accountsChanged', 'chainChanged'] as const
