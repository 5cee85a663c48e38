/**
 * Vue 3 bindings for SessionLayer: a plugin that provides the session store, and composables
 * that expose it as read-only refs.
 *
 * @packageDocumentation
 */
export { SESSION_KEY } from './SESSION_KEY'
export type { SessionContext } from './SESSION_KEY'
export { createSessionPlugin } from './createSessionPlugin'
export type { SessionPluginOptions } from './createSessionPlugin'
export { provideSession } from './provideSession'
export { useSession } from './useSession'
export type { UseSessionReturnType } from './useSession'
export { useAccount } from './useAccount'
export type { UseAccountReturnType } from './useAccount'
export { useSessionEvent } from './useSessionEvent'
export { useSessionStore } from './useSessionStore'
