/**
 * The framework-agnostic session store for CIP-0103 wallets.
 *
 * @packageDocumentation
 */
export { SessionError } from './SessionError'
export type { SessionErrorCode } from './SessionError'
export { SESSION_QUERY_KEY_ROOT, sessionQueryKey } from './sessionQueryKey'
export type { SessionKeySource } from './sessionQueryKey'
export type {
  CIP0103Account,
  CIP0103ConnectResult,
  CIP0103Network,
  CIP0103ProviderInfo,
  CIP0103RequestArgs,
  CIP0103Session,
  CIP0103StatusEvent,
  CIP0103Provider,
} from './cip0103'
