import { decodeSessionEnvelope, type SessionStorage } from '@sessionlayer/session-crypto'
import type { CIP0103Account } from './cip0103'
import { DISCONNECTED_STATE } from './machine'
import { primaryAccount } from './primaryAccount'
import { toNumber } from './retry'
import type { SessionState } from './types'

/**
 * Reads the persisted session as a `SessionState`, for server rendering. Pass it to the bindings'
 * `initialState` so the server renders the party the client is about to restore, and hydration
 * matches.
 *
 * @remarks
 *
 * It is a rendering hint only. The store itself always starts disconnected and trusts nothing but
 * the live wallet (C9).
 *
 * It is unverified: a cookie or any other storage the client writes says what the client wrote,
 * and whoever can set a cookie on the site (the user, a script, an extension) can forge one naming
 * any party. Render with it; never decide with it on the server (which data to return, which
 * action to allow). Server-side access goes through the wallet's Ledger API token instead.
 *
 * The state is shaped as the one the store restores from the entry once the wallet confirms it. It
 * is frozen, with its accounts included. Its `account` is one of its `accounts` (the primary, else
 * the first), and its `connectedAt` is never after now (C2).
 *
 * Absent, corrupt, foreign-version or expired entries read as `DISCONNECTED_STATE`. They are
 * removed, unless a session was written meanwhile. The encrypted storages check that in the removal
 * itself, as for `restoreSession`.
 *
 * A failing storage reads as `DISCONNECTED_STATE` too. So does the marker of a store with
 * `persistSnapshot: false`, which is kept.
 *
 * It never rejects, and never waits for ever. A storage that has not answered within `timeoutMs` (a
 * hung remote store behind the render) reads as the disconnected state too, as the store bounds its
 * own storage calls (C17).
 *
 * @param storage - where the session persists (e.g. `createCookieStorage` over the request's
 * cookies)
 * @param options - the storage key (default `'sessionlayer.session'`), the current time (the clock's
 * when it is no finite number, as for `restoreSession`), and the bound on the storage's answers in
 * ms (default 10 000, as the store's `requestTimeoutMs`) (`null` options, or a `null` option, keep
 * their defaults)
 * @returns the persisted session as a connected state, or the disconnected state
 * @example
 * ```ts
 * // on the server, per request
 * const storage = createCookieStorage({
 *   adapter: { get: () => req.headers.cookie, set: (c) => res.appendHeader('Set-Cookie', c) },
 * })
 * const initialState = await readSessionState(storage) // render with it, and hydrate with the same
 * ```
 * @public
 */
export function readSessionState(
  storage: SessionStorage,
  options?: { readonly storageKey?: string | undefined; readonly now?: number | undefined; readonly timeoutMs?: number | undefined },
): Promise<SessionState> {
  return new Promise((resolve) => {
    const ms = toNumber(options?.timeoutMs)
    // a timeout of none, 0 or less, or not a number is the default; one beyond a timer's reach, the longest a timer takes
    const timer = setTimeout(resolve, ms > 0 ? Math.min(ms, 2 ** 31 - 1) : 1e4, DISCONNECTED_STATE)
    // The read never rejects; its answer leaves no timer behind: nothing holds a server process.
    // Null options (a JSON configuration has them) keep the defaults, as the store's do; a `now` that
    // is no finite number (null, NaN, a string) is no time to expire at: the clock's, as restoreSession takes.
    void read(storage, options?.storageKey ?? 'sessionlayer.session', Number.isFinite(options?.now) ? (options as { now: number }).now : Date.now()).then((state) => {
      clearTimeout(timer)
      resolve(state)
    })
  })
}

/** The entry at `key` read as a state at `now` (see {@link readSessionState}). */
async function read(storage: SessionStorage, key: string, now: number): Promise<SessionState> {
  // As restoreSession reads (K2), but for the marker a store with `persistSnapshot: false` keeps:
  // it names no party to render, and is no corrupt entry to remove — the client's store restores
  // from it (C10).
  try {
    const text = await storage.getItem(key)
    // undefined too (idb-keyval's get, a Map): absent, nothing to remove
    if (text == null || text == '1') return DISCONNECTED_STATE
    const saved = decodeSessionEnvelope(text)
    if (saved && (saved.expiresAt ?? Infinity) > now) {
      // The state the store restores from it: frozen accounts, the active one among them (the
      // primary, as the store picks it), and never connected after now (C2, C12)
      const { networkId, connectedAt, expiresAt } = saved
      const accounts = Object.freeze(saved.accounts.map<CIP0103Account>(Object.freeze))
      return Object.freeze({
        status: 'connected',
        account: primaryAccount(accounts),
        accounts,
        networkId,
        lastError: null,
        connectedAt: Math.min(connectedAt, now),
        expiresAt: expiresAt ?? null,
      })
    }
    // only this entry: a session written since it was read is kept, also one written between this
    // check and the removal where the storage checks again as it removes (the encrypted ones do:
    // they take the value read; any other storage is given the key alone, as restoreSession does).
    // One that is no string (a custom storage that answers a new object at each read) is no
    // session of any tab: it goes too, as the store removes it.
    const held: unknown = await storage.getItem(key)
    if (held == text || (held != null && typeof held != 'string'))
      await ((storage as typeof storage & Record<symbol, unknown>)[Symbol.for('sessionlayer.checks')]
        ? (storage as { removeItem(key: string, value?: string): Promise<void> }).removeItem(key, text)
        : storage.removeItem(key))
  } catch {
    // an unavailable storage reads as no session; a failed removal is retried next time
  }
  return DISCONNECTED_STATE
}
