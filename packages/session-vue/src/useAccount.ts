import type { CIP0103Account, SessionStatus } from '@sessionlayer/session-core'
import { computed, type Ref } from 'vue'
import { useSession } from './useSession'

/**
 * What {@link useAccount} returns.
 * @public
 */
export interface UseAccountReturnType {
  /** The active party's account, or null. */
  readonly account: Readonly<Ref<CIP0103Account | null>>
  /** The active party id, or null. */
  readonly partyId: Readonly<Ref<string | null>>
  /** Every account the wallet exposed. */
  readonly accounts: Readonly<Ref<readonly CIP0103Account[]>>
  /** The CAIP-2 network id, or null. */
  readonly networkId: Readonly<Ref<string | null>>
  /** The session status (`'reconnecting'` while a restore or a reconnect runs). */
  readonly status: Readonly<Ref<SessionStatus>>
  /** `status === 'connected'`. */
  readonly isConnected: Readonly<Ref<boolean>>
}

/**
 * The active account as read-only refs (one `subscribe`, released on scope dispose; none on the
 * server).
 *
 * @returns the account refs
 * @throws `Error` when neither `createSessionPlugin` nor `provideSession` provided a store
 * @example
 * ```ts
 * const { partyId, networkId } = useAccount()
 * ```
 * @public
 */
export function useAccount(): UseAccountReturnType {
  const session = useSession()
  return { ...session, partyId: computed(() => session.account.value?.partyId ?? null) }
}
