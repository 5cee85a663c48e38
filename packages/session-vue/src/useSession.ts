import { DISCONNECTED_STATE, type CIP0103Account, type SessionError, type SessionState, type SessionStatus } from '@sessionlayer/session-core'
import { computed, type Ref } from 'vue'
import { injectSession } from './SESSION_KEY'
import { useSnapshot } from './useSnapshot'

/**
 * What {@link useSession} returns: read-only refs of the session and the store's actions.
 * @public
 */
export interface UseSessionReturnType {
  /** The whole (frozen) session snapshot. */
  readonly state: Readonly<Ref<SessionState>>
  /** The state machine's status. */
  readonly status: Readonly<Ref<SessionStatus>>
  /** The active party's account, or null. */
  readonly account: Readonly<Ref<CIP0103Account | null>>
  /** Every account the wallet exposed. */
  readonly accounts: Readonly<Ref<readonly CIP0103Account[]>>
  /** The CAIP-2 network id, or null. */
  readonly networkId: Readonly<Ref<string | null>>
  /** The last failure, or null. */
  readonly lastError: Readonly<Ref<SessionError | null>>
  /** When the session became connected (ms since epoch), or null. */
  readonly connectedAt: Readonly<Ref<number | null>>
  /** When the session expires (ms since epoch), or null. */
  readonly expiresAt: Readonly<Ref<number | null>>
  /** `status === 'connected'`. */
  readonly isConnected: Readonly<Ref<boolean>>
  /** `status === 'connecting'`. */
  readonly isConnecting: Readonly<Ref<boolean>>
  /** `status === 'reconnecting'`. */
  readonly isReconnecting: Readonly<Ref<boolean>>
  /** `status === 'disconnected'`. */
  readonly isDisconnected: Readonly<Ref<boolean>>
  /** Connects through the wallet; resolves with the outcome (never rejects for a wallet failure). */
  readonly connect: (params?: unknown) => Promise<SessionState>
  /** Disconnects (every tab, with broadcast). */
  readonly disconnect: () => Promise<void>
  /** Silently restores a live wallet session; never prompts the user. */
  readonly restore: () => Promise<SessionState>
  /** Runs `op` now, or after a re-authentication in progress. */
  readonly enqueue: <T>(op: () => T | Promise<T>) => Promise<T>
}

/**
 * The session as read-only refs, plus the store's actions. One `subscribe` per call, released
 * when the component (or effect scope) is disposed; on the server no subscription: the refs hold
 * the `initialState` given to the plugin (else the disconnected state).
 *
 * @returns the refs and actions
 * @throws `Error` when neither `createSessionPlugin` nor `provideSession` provided a store
 * @example
 * ```ts
 * const { account, isConnected, connect, disconnect } = useSession()
 * ```
 * @public
 */
export function useSession(): UseSessionReturnType {
  const context = injectSession()
  const state = useSnapshot(context)
  const is = (status: SessionStatus) => computed(() => state.value.status === status)
  const session: Record<string, unknown> = {
    state,
    isConnected: is('connected'),
    isConnecting: is('connecting'),
    isReconnecting: is('reconnecting'),
    isDisconnected: is('disconnected'),
  }
  // The store's actions, each with its one argument, on the store of the moment they are called (on
  // the server the plugin creates its store only then).
  for (const key of ['connect', 'disconnect', 'restore', 'enqueue'] as const) {
    session[key] = (arg: never) => context.store[key](arg)
  }
  // One ref per state field (`status`, `account`, …), which triggers only when that field changes
  // (from Vue 3.4 on: before, a computed ref triggers whenever its source does).
  for (const key in DISCONNECTED_STATE) session[key] = computed(() => state.value[key as keyof SessionState])
  return session as unknown as UseSessionReturnType
}
