/**
 * TanStack Vue Query integration: session-scoped query keys, and their invalidation when the
 * party or network changes or the session ends.
 *
 * @packageDocumentation
 */
export { SESSION_QUERY_KEY_ROOT, sessionQueryKey } from '@sessionlayer/session-core'
export type { SessionKeySource } from '@sessionlayer/session-core'
export { useSessionQueryInvalidation } from './useSessionQueryInvalidation'
