/**
 * React bindings for SessionLayer: `<SessionProvider>` and the session hooks.
 *
 * @packageDocumentation
 */
export { SessionProvider } from './SessionProvider'
export type { SessionProviderProps } from './SessionProvider'
export { useSession } from './useSession'
export type { UseSessionReturnType } from './useSession'
export { useAccount } from './useAccount'
export type { UseAccountReturnType } from './useAccount'
export { useSessionSelector } from './useSessionSelector'
export { useSessionEvent } from './useSessionEvent'
export { useSessionStore } from './useSessionStore'
// eslint-disable-next-line @typescript-eslint/no-deprecated -- exported, and documented as deprecated
export { useClientSession } from './useClientSession'
export type { ClientSession } from './useClientSession'
