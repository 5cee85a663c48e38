import type { LockManagerLike } from '@sessionlayer/session-sync'
import type { SessionError } from './SessionError'
import type { WalletStatus } from './wallet'

/**
 * The key under which a store exposes its live internals to `@sessionlayer/session-core/ledger`
 * (`Symbol.for`, so that separate copies of the package agree).
 * @internal
 */
export const INTERNALS = Symbol.for('sessionlayer.store.internals')

/** Live wallet access a store holds in memory only (never persisted, never broadcast). @internal */
export interface StoreInternals {
  /**
   * The latest live status (Ledger API URL and token) while connected, for the store's network, else null.
   * `check`: the app asks; a session past its deadline by the clock expires first.
   */
  live(check?: unknown): WalletStatus | null
  /**
   * Re-reads the wallet's accounts — and first `status` when `stale` (the token in hand was
   * rejected) — and returns the live status then. The accounts are not read again for a token
   * whose party an earlier refresh's account read told. A party switch heard meanwhile reads `status`
   * once more (`again`); heard again, no access is held. `gone`: aborted once the refresh is
   * dropped (its session ended); a status answer that comes after that is followed by nothing.
   */
  refresh(stale: boolean, gone?: AbortSignal, again?: 1): Promise<WalletStatus | null>
  /**
   * Runs `fn` once a refresh that waits for the Web Locks lock has waited as long as another tab's
   * refresh can take (the store's clock); at once on a destroyed store. Returns what cancels that wait.
   */
  wait(fn: () => unknown): () => void
  /** What destroy() settles with its DESTROYED error (the waits a destroyed store ends at once); delete once settled. */
  readonly aborts: Set<(error: SessionError) => void>
  /** The Web Locks manager, when Web Locks are available (broadcast on or off). */
  readonly locks: LockManagerLike | null
  /**
   * The latest end of a session (a sign-out, an expiry, a give-up, a connect that ends the session a
   * reconnect kept), where its expiry is disarmed: a new object at each, of this store only.
   */
  ended: object
  /** The storage key. */
  readonly key: string
  /** Set by destroy(): a call of the destroyed store is told as that, not as access the wallet gave none of. */
  gone?: true
}
