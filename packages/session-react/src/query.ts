/**
 * TanStack Query integration: session-scoped query keys and cache invalidation.
 *
 * @packageDocumentation
 */
export { SESSION_QUERY_KEY_ROOT, sessionQueryKey } from '@sessionlayer/session-core'
export type { SessionKeySource } from '@sessionlayer/session-core'
export { useSessionQueryInvalidation } from './useSessionQueryInvalidation'
