import type { SessionSnapshot } from './types'

/**
 * What the live wallet reports, as far as reconciliation cares.
 * @public
 */
export interface LiveSession {
  /** The live active account, or null. */
  readonly account: { readonly partyId: string } | null
  /** The live CAIP-2 network id, or null. */
  readonly networkId: string | null
}

/**
 * One field on which the persisted and the live session differ.
 * @public
 */
export interface SessionDiff {
  /** `'account'` compares party ids; `'networkId'` compares network ids. */
  readonly field: 'account' | 'networkId'
  /** The persisted value. */
  readonly persisted: string | null
  /** The live value. */
  readonly live: string | null
}

/**
 * The outcome of {@link reconcileSession}.
 * @public
 */
export interface SessionReconciliation {
  /** True when there is no diff. */
  readonly matches: boolean
  /** The differing fields, account first. */
  readonly diffs: readonly SessionDiff[]
}

/**
 * Compares a persisted session with the live wallet by party id and network id (SPEC K3). Pure.
 * An empty id (`''`) is none, as null is: it matches null, and a diff reports it as null.
 *
 * @param snapshot - the persisted session
 * @param live - the live account and network
 * @returns whether they match, and how they differ
 * @example
 * ```ts
 * reconcileSession(envelope, { account: { partyId: 'bob::1220' }, networkId: 'canton:devnet' })
 * // { matches: false, diffs: [{ field: 'account', persisted: 'alice::1220', live: 'bob::1220' }] }
 * ```
 * @public
 */
export function reconcileSession(snapshot: SessionSnapshot, live: LiveSession): SessionReconciliation {
  const diffs: SessionDiff[] = []
  // an empty id is no id (no party, no network), as everywhere an id enters
  const id = (value: string | null | undefined) => (value === '' ? null : (value ?? null))
  const compare = (field: SessionDiff['field'], persisted: string | null, current: string | null) => {
    if (persisted !== current) diffs.push({ field, persisted, live: current })
  }
  compare('account', id(snapshot.account?.partyId), id(live.account?.partyId))
  compare('networkId', id(snapshot.networkId), id(live.networkId))
  return { matches: diffs.length === 0, diffs }
}
