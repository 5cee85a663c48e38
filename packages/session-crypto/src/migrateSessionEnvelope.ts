import type { Fields } from './check'
import { toSessionEnvelope } from './toSessionEnvelope'
import type { SessionEnvelope } from './types'

/**
 * Maps a parsed envelope of any known version forward to the current version (SPEC K1), validated
 * and rebuilt. Returns null for an invalid shape or an unknown version.
 *
 * @remarks
 *
 * It maps the envelope forward step by step, then validates it field by field and rebuilds it from
 * scratch. Keys such as `__proto__` are never copied.
 *
 * Known versions are `1` and `0`. Version `0` is an object whose `version` is absent (or null) or
 * 0, written by a plain JSON persister as
 * `{ account, accounts?, networkId?, connectedAt?, expiresAt? }` or
 * `{ partyId, networkId?, expiresAt? }`.
 *
 * Every account must be an object whose `PersistedAccount` fields have their types and whose
 * `partyId` is a non-empty string. Other keys are dropped.
 *
 * `networkId` must be a string or null. An empty one, no network, reads as null.
 *
 * `connectedAt` and the optional `expiresAt` must be finite numbers. An `expiresAt` of null, in any
 * version, is no expiry: it is left out.
 *
 * A non-null `account` must be one of `accounts` (same `partyId`).
 *
 * @param value - a parsed envelope
 * @returns the current envelope, or null for an invalid shape or an unknown (future) version
 * @public
 */
export function migrateSessionEnvelope(value: unknown): SessionEnvelope | null {
  try {
    // own fields only, also where Object.prototype is polluted: a legacy envelope gains no
    // `version`, party or `expiresAt` it lacks. Non-objects (null, a number, a string) and arrays
    // have no party and fail a check — not copied: a string or an array of 4 MiB would be copied
    // entry by entry, for seconds.
    let fields: Fields = { __proto__: null, ...(typeof value == 'object' && !Array.isArray(value) && value) }
    let version: unknown
    // up to CURRENT_SESSION_ENVELOPE_VERSION, written out as in toSessionEnvelope
    while ((version = fields.version ?? 0) !== 1) {
      // The registered migration chain (built where it is read: a bundle needs no variable for it),
      // each step keyed by the version it reads and returning the shape of a later version. A
      // version without a step (a future one) is never guessed at: calling undefined throws a
      // TypeError here, as a failed check does.
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- see above
      fields = new Map<unknown, (value: Fields) => Fields>([
        // 0: an unversioned legacy snapshot, as a plain JSON persister wrote it. It names its party by
        // `account` (a persisted account) or by a bare `partyId`, which the strict check of every account
        // refuses unless it is a non-empty string; `accounts` defaults to that one account, `networkId` to
        // null and `connectedAt` to 0. An `expiresAt` is kept, so a session that had expired does not come
        // back without it; null (a `SessionState`'s "no expiry") is none, as in v1.
        [0, ({ account, accounts, partyId, networkId = null, connectedAt = 0, expiresAt }) => {
          account ??= { partyId }
          return { version: 1, account, accounts: accounts ?? [account], networkId, connectedAt, expiresAt }
        }],
      ]).get(version)!(fields)
    }
    return toSessionEnvelope(fields, true)
  } catch {
    return null
  }
}
