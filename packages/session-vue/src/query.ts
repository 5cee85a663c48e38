/**
 * TanStack Query integration: session-scoped query keys.
 *
 * @packageDocumentation
 */
export { SESSION_QUERY_KEY_ROOT, sessionQueryKey } from '@sessionlayer/session-core'
export type { SessionKeySource } from '@sessionlayer/session-core'
