import type { SessionStorage } from '@sessionlayer/session-crypto'
import { attempt } from './attempt'

/**
 * Reads and writes cookies: `document.cookie` in the browser, or a request/response pair on the
 * server.
 * @public
 */
export interface CookieAdapter {
  /** The `Cookie` header (or `document.cookie`): `a=1; b=2`. */
  get(): string
  /** Sets one cookie from a `Set-Cookie` value. */
  set(cookie: string): void
}

/**
 * Options of {@link createCookieStorage}.
 * @public
 */
export interface CookieStorageOptions {
  /** Cookie name prefix; each storage key gets its own cookie `<name>.<key>` (default `'sessionlayer'`). */
  readonly name?: string | undefined
  /** Cookie path (default `'/'`). In the browser, the page must be under it to read its cookies back. */
  readonly path?: string | undefined
  /** SameSite (default `'lax'`; `'none'` implies `Secure`). */
  readonly sameSite?: 'lax' | 'strict' | 'none' | undefined
  /**
   * Secure attribute (default: on when the page is served over https). On the server there is no
   * page to tell: the default is off there, so pass `true` for a site served over https.
   */
  readonly secure?: boolean | undefined
  /**
   * Lifetime in seconds (default: a session cookie). Written in whole seconds, rounded down, but
   * a positive lifetime under one second is kept for one second rather than written as
   * `Max-Age=0`; 0 or less expires the cookie at once, so nothing is kept.
   */
  readonly maxAge?: number | undefined
  /** Cookie domain (default: the host only). */
  readonly domain?: string | undefined
  /** Where cookies are read and written (default: `document.cookie`). */
  readonly adapter?: CookieAdapter | undefined
}

/** The largest cookie (name, value and attributes) browsers are required to keep. */
const COOKIE_LIMIT = 4096

const documentCookies: CookieAdapter = {
  get: () => globalThis.document.cookie,
  set: (cookie) => {
    globalThis.document.cookie = cookie
  },
}

/**
 * A `SessionStorage` in cookies, one per storage key, for server rendering: the server reads
 * the session with an adapter over the request's cookies and renders it (pass it to the
 * bindings' `initialState`). Values are URI-encoded; a cookie over 4 KB is rejected with a
 * clear error, and the key's previous cookie expires, so that a reload finds no session rather
 * than an older one. In the browser (no adapter), each write is read back from
 * `document.cookie`: one the browser refused without a word — cookies blocked, `Secure` on http,
 * over its size or per-domain limits, a `domain` it refuses, a `path` the page is not under —
 * rejects, and so does a removal that did not take, so that the store reports a `storage:error`
 * rather than count on a session it could not read back. A cookie of the same name that the
 * storage did not write — one on another path or a parent domain, e.g. from an older setup — is
 * no refusal: a write passes when any cookie of that name carries its value, a removal is judged on
 * the cookie of this storage only (it cannot remove the other), and `getItem` returns the one
 * listed first (the browser lists the longest path first). Unencrypted: wrap it with
 * `createEncryptedStorage` to keep the party id private.
 *
 * @param options - cookie attributes and the adapter
 * @returns the storage
 * @example
 * ```ts
 * // on the server, per request (the site is served over https)
 * const storage = createCookieStorage({
 *   secure: true,
 *   adapter: { get: () => req.headers.cookie ?? '', set: (c) => res.appendHeader('Set-Cookie', c) },
 * })
 * ```
 * @public
 */
export function createCookieStorage(options: CookieStorageOptions = {}): SessionStorage {
  const { name = 'sessionlayer', path = '/', sameSite = 'lax', maxAge, domain, adapter = documentCookies } = options
  const cookieName = (key: string) => `${name}.${encodeURIComponent(key)}`
  // What a removal writes and checks in the browser: a value only it writes (a cookie of that name
  // may stay, on another path or domain, that the storage did not write and cannot remove). Set
  // only in the browser, where writes are read back: on the server, the response's Set-Cookie is
  // not the request's Cookie header that the adapter reads.
  const mark = options.adapter ? '' : '\0'
  /** The values of every cookie of that name, in the order listed (a malformed one reads as null). */
  const read = (key: string) => {
    const prefix = `${cookieName(key)}=`
    return adapter
      .get()
      .split(/;\s*/)
      .filter((part) => part.startsWith(prefix))
      .map((part) => {
        try {
          return decodeURIComponent(part.slice(prefix.length))
        } catch {
          return null
        }
      })
  }
  /** Removes the cookie of ours: in the browser, it is set to `mark` first, so that its removal can be told. */
  const remove = (key: string) => {
    if (mark) write(key, mark)
    write(key, mark, 0)
  }
  const write = (key: string, value: string, age?: number): void => {
    const cookie =
      `${cookieName(key)}=${encodeURIComponent(value)}; Path=${path}; SameSite=${sameSite[0]?.toUpperCase() ?? ''}${sameSite.slice(1)}` +
      // Max-Age is whole seconds: a browser ignores `Max-Age=3600.5` (a session cookie instead).
      // Rounded down, but a positive age stays positive: `Max-Age=0` would delete the cookie.
      (age === undefined ? '' : `; Max-Age=${Math.floor(age) || Math.ceil(age)}`) +
      (domain ? `; Domain=${domain}` : '') +
      // SameSite=None is only accepted with Secure, whatever `secure` says
      (sameSite === 'none' || (options.secure ?? (globalThis as { location?: Location }).location?.protocol === 'https:') ? '; Secure' : '')
    if (!Number.isFinite(age ?? 0)) throw new RangeError(`maxAge must be a number of seconds, not ${age}`)
    if (cookie.length > COOKIE_LIMIT) {
      // The previous value must not outlive a write that replaced it: a reload would restore
      // that older session, perhaps another party's, instead of none. It expires, and the write
      // still rejects. (A removal too large is a name too large: no such cookie was kept.)
      if (value !== mark) remove(key)
      throw new RangeError(`The cookie for "${key}" would be ${cookie.length} bytes, over the ${COOKIE_LIMIT}-byte limit`)
    }
    adapter.set(cookie)
    // A browser drops a cookie it refuses without a word (cookies blocked, Secure on http, over
    // its size or per-domain limits, a Domain it refuses): what it kept is read back, so that a
    // refused write (or removal) rejects instead of passing for persisted (C15). Other cookies of
    // that name (on a longer path, a parent domain) may be listed before ours: any of them will do.
    if (mark && read(key).includes(value) !== (age ?? 1) > 0) {
      throw new Error(`The browser did not take the cookie for "${key}" (blocked, too large, or its Secure, Domain or Path refused)`)
    }
  }
  return {
    getItem: (key) => attempt(() => read(key)[0] ?? null),
    setItem: (key, value) => attempt(() => write(key, value, maxAge)),
    removeItem: (key) => attempt(() => remove(key)),
  }
}
