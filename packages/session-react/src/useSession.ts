import type { SessionState, SessionStore } from '@sessionlayer/session-core'
import { shallowEqual } from './shallowEqual'
import { useSessionContext } from './SessionContext'
import { useSessionSelector } from './useSessionSelector'

/**
 * What {@link useSession} returns: the session state, status flags and stable actions.
 * @public
 */
export interface UseSessionReturnType extends SessionState, Pick<SessionStore, 'connect' | 'disconnect' | 'restore' | 'enqueue'> {
  /** `status === 'connected'`. */
  readonly isConnected: boolean
  /** `status === 'connecting'`. */
  readonly isConnecting: boolean
  /** `status === 'reconnecting'` (a restore, a reconnect after a drop, or a re-auth). */
  readonly isReconnecting: boolean
  /** `status === 'disconnected'`. */
  readonly isDisconnected: boolean
}

/**
 * The session of the nearest `<SessionProvider>`. Renders once per real change of the store and
 * never for a no-op; the result keeps its identity until the session changes, and `connect`,
 * `disconnect`, `restore` and `enqueue` keep theirs for the lifetime of the store.
 *
 * @returns the state fields, `isConnected` / `isConnecting` / `isReconnecting` /
 * `isDisconnected`, and the actions
 * @throws `Error` outside `<SessionProvider>`
 * @example
 * ```tsx
 * function ConnectButton() {
 *   const { isConnected, account, connect, disconnect } = useSession()
 *   return isConnected
 *     ? <button onClick={() => void disconnect()}>{account?.partyId}</button>
 *     : <button onClick={() => void connect()}>Connect</button>
 * }
 * ```
 * @public
 */
export function useSession(): UseSessionReturnType {
  const [{ connect, disconnect, restore, enqueue }] = useSessionContext()
  // Built again on every render (the selector is inline), but handed out anew only when a field or an
  // action differs (another snapshot, another store): a render the session did not cause (a parent's)
  // gets the same object.
  return useSessionSelector(
    (state): UseSessionReturnType => ({
      ...state,
      connect,
      disconnect,
      restore,
      enqueue,
      isConnected: state.status == 'connected',
      isConnecting: state.status == 'connecting',
      isReconnecting: state.status == 'reconnecting',
      isDisconnected: state.status == 'disconnected',
    }),
    shallowEqual,
  )
}
