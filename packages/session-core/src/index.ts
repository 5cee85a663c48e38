/**
 * The framework-agnostic session store for CIP-0103 wallets.
 *
 * @packageDocumentation
 */
export { SessionError } from './SessionError'
export type { SessionErrorCode } from './SessionError'
export { SESSION_QUERY_KEY_ROOT, sessionQueryKey } from './sessionQueryKey'
export type { SessionKeySource } from './sessionQueryKey'
