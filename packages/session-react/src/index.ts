/**
 * React bindings for SessionLayer: `<SessionProvider>` and the session hooks.
 *
 * @packageDocumentation
 */
// In the order their code compresses best in one bundle, against the own-code size budget.
export { SessionProvider } from './SessionProvider'
export type { SessionProviderProps } from './SessionProvider'
export { useSessionSelector } from './useSessionSelector'
export { useSessionEvent } from './useSessionEvent'
export { useSession } from './useSession'
export type { UseSessionReturnType } from './useSession'
export { useAccount } from './useAccount'
export type { UseAccountReturnType } from './useAccount'
// eslint-disable-next-line @typescript-eslint/no-deprecated -- exported, and documented as deprecated
export { useClientSession } from './useClientSession'
export type { ClientSession } from './useClientSession'
export { useSessionStore } from './useSessionStore'
