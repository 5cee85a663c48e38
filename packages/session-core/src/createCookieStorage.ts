import type { SessionStorage } from '@sessionlayer/session-crypto'
import { attempt } from './attempt'
import { kindOf, toNumber } from './retry'
import { SessionError } from './SessionError'

/**
 * Reads and writes cookies: `document.cookie` in the browser, or a request/response pair on the
 * server.
 * @public
 */
export interface CookieAdapter {
  /**
   * The `Cookie` header (or `document.cookie`): `a=1; b=2`. A request without one may give
   * `undefined` or `null` (as `req.headers.cookie` and `request.headers.get('cookie')` do): no cookies.
   */
  get(): string | null | undefined
  /** Sets one cookie from a `Set-Cookie` value. */
  set(cookie: string): void
}

/**
 * Options of {@link createCookieStorage}. An option given as `null`, as a JSON configuration has
 * it, keeps its default, as an `undefined` one does.
 * @public
 */
export interface CookieStorageOptions {
  /**
   * Cookie name prefix; each storage key gets its own cookie `<name>.<key>` (default `'sessionlayer'`),
   * the key URI-encoded and a `.` or `%` of the name written `%2E`, `%25` (no two storages share a
   * cookie). Printable ASCII, without `;`, `=`, `,` or white space.
   */
  readonly name?: string | undefined
  /**
   * Cookie path (default `'/'`). In the browser, the page must be under it to read its cookies back.
   * ASCII, percent-encoded as in the URL (`'/caf%C3%A9'`, not `'/café'`).
   */
  readonly path?: string | undefined
  /**
   * SameSite (default `'lax'`; `'none'` implies `Secure`): `'strict'`, `'lax'` or `'none'`, in any
   * case (`'Strict'` too). Any other value throws a `SessionError` (code -32602) at creation.
   */
  readonly sameSite?: 'lax' | 'strict' | 'none' | undefined
  /**
   * Secure attribute (default: on when the page is served over https). On the server there is no
   * page to tell: the default is off there, so pass `true` for a site served over https.
   */
  readonly secure?: boolean | undefined
  /**
   * Lifetime in seconds (default: a session cookie); a numeric string (read from a configuration)
   * counts as its number. Written in whole seconds, rounded down, and in digits (1e18 at most, for
   * ever to a browser), but a positive lifetime under one second is kept for one second rather than
   * written as `Max-Age=0`; 0 expires the cookie at
   * once, so nothing is kept. A negative number, NaN, Infinity or any other value throws a
   * `SessionError` (code -32602) at creation.
   */
  readonly maxAge?: number | undefined
  /** Cookie domain (default: the host only). ASCII: an internationalized domain in punycode (`'xn--bcher-kva.example'`). */
  readonly domain?: string | undefined
  /** Where cookies are read and written (default: `document.cookie`). */
  readonly adapter?: CookieAdapter | undefined
}

/**
 * A `SessionStorage` in cookies, one per storage key, for server rendering. The server reads the
 * session with an adapter over the request's cookies and renders it (pass it to the bindings'
 * `initialState`).
 *
 * @remarks
 *
 * Values are URI-encoded, with `*` in place of `%`. A framework's cookie API that decodes the
 * values it reads and encodes those it writes (Next.js `cookies()`, h3, Express) leaves them as
 * they are. So an adapter over it reads and writes the same cookies as one over the raw headers,
 * and as the browser.
 *
 * Such an API keeps one cookie per name, though. A same-named cookie on a parent path can hide the
 * storage's own, where the raw header has both.
 *
 * A cookie over 4 KB (in bytes, as sent) is rejected with a clear error (a `SessionError`, code
 * -32602), and the key's previous cookie expires. A reload then finds no session rather than an older one.
 *
 * Without an adapter where there is no `document` (on the server), each operation rejects with a
 * `SessionError` (code -32602) that says to pass one. So does an operation whose key or value holds
 * a lone surrogate (`'\uD800'`), which no UTF-8 text holds.
 *
 * In the browser (no adapter), each write is read back from `document.cookie`. A write the browser
 * refused without a word rejects. That may be because cookies are blocked, `Secure` is set on http,
 * the cookie is over its size or per-domain limits, or the browser refuses the `domain`, or the
 * page is not under the `path`.
 *
 * A removal that did not take rejects too. In either case the store then reports a `storage:error`
 * rather than count on a session it could not read back.
 *
 * Each value carries the `path` and `domain` it was written with. The server's storage and the
 * browser's must use the same ones.
 *
 * A cookie of the same name that the storage did not write is never read, fails no write, and is
 * not removed, since it cannot be. That is one on another path or a parent domain, e.g. from an
 * older setup. `document.cookie` lists it beside the storage's own without its path, longer paths
 * first.
 *
 * The cookies are unencrypted: whoever sees the cookie reads the party id. `createEncryptedStorage`
 * around it, under a key the server and the browser both hold, hides it from casual inspection
 * only.
 *
 * @param options - cookie attributes and the adapter (a `null` option, or `null` options, keep
 * their defaults)
 * @returns the storage
 * @throws a `SessionError` (code -32602, invalid params) for a `name` with `;`, `=`, `,`, white
 * space, a control or any non-ASCII character, or a `path` or `domain` with `;`, a control or any
 * non-ASCII character (an internationalized domain is given in punycode, a path
 * percent-encoded): it would write a broken `Set-Cookie` (one that Node's `appendHeader` refuses),
 * or one that sets attributes or a cookie of its own; for a `sameSite` other than Strict, Lax or
 * None (in any case); for a `maxAge` that is negative, NaN, Infinity or no number
 * @example
 * ```ts
 * // on the server, per request (the site is served over https)
 * const storage = createCookieStorage({
 *   secure: true,
 *   adapter: { get: () => req.headers.cookie, set: (c) => res.appendHeader('Set-Cookie', c) },
 * })
 * // or, in a Next.js Server Component (which sets no cookies): a `Cookie` header from `cookies()`
 * const jar = await cookies()
 * const readOnly = createCookieStorage({ secure: true, adapter: { get: () => jar.toString(), set: () => undefined } })
 * ```
 * @public
 */
export function createCookieStorage(options?: CookieStorageOptions): SessionStorage {
  // A null option (a JSON configuration has them), or null options, is no option: its default.
  // (`maxAge: null` as a value would be `Max-Age=0`: every write expired at once.)
  options ??= {}
  const name = options.name ?? 'sessionlayer'
  const path = options.path ?? '/'
  // Strict, Lax or None in any case, compared and written as one
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-conversion -- misuse from JavaScript: any value
  const sameSite = String(options.sameSite ?? 'lax').toLowerCase()
  // seconds, a numeric string (a configuration's) as its number
  const maxAge = options.maxAge == null ? undefined : toNumber(options.maxAge)
  const { domain } = options
  /** The page's document: none on the server, where cookies come through an adapter (an operation rejects, as Web Storage's do where there is none). */
  const doc = () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- absent outside browsers
    if (!globalThis.document) throw new SessionError('Cookies are not available here: pass an adapter', -32602)
    return globalThis.document
  }
  // by default `document.cookie` (an object of each storage's own: a bundle needs no variable for it)
  const adapter: CookieAdapter = options.adapter ?? {
    get: () => doc().cookie,
    set: (cookie) => {
      doc().cookie = cookie
    },
  }
  // An attribute browsers ignore (`SameSite=Bogus`), or a lifetime that deletes each write (a
  // negative one) or that no `Max-Age` holds (NaN, Infinity), would keep no session without a word.
  if (!/^(lax|strict|none)$/.test(sameSite)) throw new SessionError('createCookieStorage needs sameSite Strict, Lax or None', -32602)
  if (maxAge !== undefined && !(maxAge >= 0 && maxAge < Infinity)) throw new SessionError(`createCookieStorage needs maxAge in seconds, 0 or more: got ${kindOf(options.maxAge)}`, -32602)
  // A name with `;`, `=`, `,` or white space, or an attribute with `;` or a control character, would
  // write a broken Set-Cookie, or one that carries attributes (a Domain) or a cookie of its own; a
  // name, path and domain are ASCII (RFC 6265: an IDN in punycode, a path percent-encoded as in the
  // URL), and Node's `appendHeader` refuses a Set-Cookie with a multi-byte one.
  if (/[^ -~]|;/.test([name, path, domain].join()) || /[^!-~]|[=,]/.test(name)) throw new SessionError('Invalid cookie name, path or domain', -32602)
  /** URI-encoded: a lone surrogate (`'\uD800'`), which no UTF-8 holds, rejects the operation as misuse, not as a bare URIError. */
  const uri = (text: string) => {
    try {
      return encodeURIComponent(text)
    } catch {
      throw new SessionError('Invalid cookie key or value: a lone surrogate', -32602)
    }
  }
  // The cookie of a key is `<name>.<key>`, its name's `%` and `.` escaped (`%25`, `%2E`): the first
  // `.` ends the name, so no two names and keys share a cookie (`a` + `b.c` and `a.b` + `c` did). A
  // name without them keeps its cookie; one with them no longer reads what it wrote before, a cookie
  // that another name's storage may have written (a restore then asks the wallet alone, C9).
  const id = name.replace(/%/g, '%25').replace(/\./g, '%2E')
  /**
   * URI-encoded, with `*` for each `%` (and `*2a` for `*`): a cookie value that a framework's cookie
   * API (Next.js `cookies()`, h3, Express) neither decodes nor encodes again, so that it reads back
   * the same through any adapter.
   */
  const esc = (text: string) => uri(text).replace(/[%*]/g, (c) => (c == '%' ? '*' : '*2a'))
  // Each value carries the path and domain it was written with: a cookie of that name that the
  // storage did not write — on another path or domain, e.g. from an older setup — is listed beside
  // its own (longer paths first, then older ones), and `document.cookie` does not tell which is which.
  // (Each ends with a NUL, which neither holds: one storage's never starts another's.)
  const prefix = (key: string) => `${id}.${uri(key)}=${esc(`${path}\0${domain ?? ''}\0`)}`
  /** The values of this storage's cookie of that key: none or one (a malformed one reads as null). */
  const read = (key: string) =>
    (adapter.get() ?? '')
      .split(/;\s*/)
      .filter((part) => part.startsWith(prefix(key)))
      .map((part) => {
        try {
          return decodeURIComponent(part.slice(prefix(key).length).replace(/\*/g, '%'))
        } catch {
          return null
        }
      })
  /** A key as an error quotes it: its first 100 characters (a message stays short whatever the key). */
  const quoted = (key: string) => JSON.stringify(key.slice(0, 100))
  const write = (key: string, value: string, age?: number): void => {
    const cookie =
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- Strict, Lax or None (checked above): never empty
      `${prefix(key)}${esc(value)}; Path=${path}; SameSite=${sameSite[0]!.toUpperCase()}${sameSite.slice(1)}` +
      // Max-Age is whole seconds in digits: a browser ignores `Max-Age=3600.5` or `Max-Age=1e+21`
      // (a session cookie instead). Rounded down, but a positive age stays positive: `Max-Age=0`
      // would delete the cookie; 1e18 at most (a 64-bit integer, written out), for ever to a browser.
      (age == null ? '' : `; Max-Age=${Math.min(Math.floor(age) || Math.ceil(age), 1e18)}`) +
      (domain ? `; Domain=${domain}` : '') +
      // SameSite=None is only accepted with Secure, whatever `secure` says
      (sameSite == 'none' || (options.secure ?? (globalThis as { location?: Location }).location?.protocol == 'https:') ? '; Secure' : '')
    // all ASCII: a character is a byte
    const size = cookie.length
    // 4096: the largest cookie (name, value and attributes, in UTF-8 bytes) browsers are required
    // to keep, written out here and in the message: a bundle needs no variable for it
    if (size > 4096) {
      // The previous value must not outlive a write that replaced it: a reload would restore
      // that older session, perhaps another party's, instead of none. It expires, and the write
      // still rejects. (A removal too large is a name too large: no such cookie was kept.)
      if (value) write(key, '', 0)
      throw new SessionError(`The cookie for ${quoted(key)} would be ${size} bytes, over the 4096-byte limit`, -32602)
    }
    adapter.set(cookie)
    // A browser drops a cookie it refuses without a word (cookies blocked, Secure on http, over
    // its size or per-domain limits, a Domain it refuses): what it kept is read back, so that a
    // refused write (or removal) rejects instead of passing for persisted (C15). Not on the server:
    // the adapter writes the response's Set-Cookie, and reads the request's Cookie header.
    if (!options.adapter && ((age ?? 1) > 0 ? !read(key).includes(value) : read(key).length)) {
      throw new Error(`The browser did not take the cookie for ${quoted(key)} (blocked, too large, or its Secure, Domain or Path refused)`)
    }
  }
  return {
    // the first or none: `at` reads nothing past the end (a polluted `Object.prototype[0]` is no cookie)
    getItem: (key) => attempt(() => read(key).at(0) ?? null),
    setItem: (key, value) => attempt(() => write(key, value, maxAge)),
    removeItem: (key) => attempt(() => write(key, '', 0)),
  }
}
