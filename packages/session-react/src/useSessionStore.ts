import type { SessionStore } from '@sessionlayer/session-core'
import { useSessionContext } from './SessionContext'

/**
 * The store of the nearest `<SessionProvider>`: an escape hatch for what the other hooks do not
 * cover (`touch`, `cancelReconnect`, `getProvider`, `getLedgerAuth(store)`, …).
 *
 * @returns the store
 * @throws `Error` outside `<SessionProvider>`
 * @example
 * ```tsx
 * const store = useSessionStore()
 * return <button onClick={() => store.cancelReconnect()}>Stop reconnecting</button>
 * ```
 * @public
 */
export function useSessionStore(): SessionStore {
  return useSessionContext()[0]
}
