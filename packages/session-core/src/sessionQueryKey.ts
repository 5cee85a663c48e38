/**
 * The first element of every session-scoped query key.
 * @public
 */
export const SESSION_QUERY_KEY_ROOT = 'sessionlayer'

/**
 * The part of a session that scopes a query key: a `SessionState` fits.
 * @public
 */
export interface SessionKeySource {
  /** The CAIP-2 network id, or null. */
  readonly networkId: string | null
  /** The active account, or null. */
  readonly account: { readonly partyId: string } | null
}

/**
 * A query key scoped to the active network and party:
 * `['sessionlayer', networkId, partyId, ...parts]`. Queries under it are invalidated on a party
 * or network change and removed on disconnect by the bindings' `useSessionQueryInvalidation`.
 *
 * @param session - the session state (or `{ networkId, account }`)
 * @param parts - the rest of the key
 * @returns the key
 * @example
 * ```ts
 * useQuery({ queryKey: sessionQueryKey(session, 'holdings'), queryFn })
 * ```
 * @public
 */
export function sessionQueryKey<const P extends readonly unknown[]>(
  session: SessionKeySource,
  ...parts: P
): readonly ['sessionlayer', string | null, string | null, ...P] {
  return [SESSION_QUERY_KEY_ROOT, session.networkId, session.account?.partyId ?? null, ...parts]
}
