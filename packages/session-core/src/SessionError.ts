/**
 * Stable error codes, part of the public API: the CIP-0103 / EIP-1193 numeric code when the
 * wallet gave one (4001 user rejected, 4100 unauthorized, 4200 unsupported method, 4900
 * disconnected, …), else one of the store's own codes. JSON-RPC's -32602 (invalid params) is used
 * for an `enqueue` given no function, by `createSessionStore` for a `clock` without its three
 * methods, an `expiry` that is no object, an unusable `expiry.ttlMs` / `expiry.idleTimeoutMs`,
 * an `expiry.onReauthRequired` / `onInvalidate` that is no function, or a `persistSnapshot`,
 * `reconnect` or `broadcast` given as a string, and by `createCookieStorage`
 * for a cookie name or attribute no cookie can hold (a `sameSite` or `maxAge` it cannot use
 * included), a cookie over 4 KB, no `adapter` where there is no `document`, or a key or value
 * holding a lone surrogate.
 * @public
 */
export type SessionErrorCode =
  | number
  | 'DESTROYED'
  | 'TIMEOUT'
  | 'SESSION_EXPIRED'
  | 'REAUTH_FAILED'
  | 'QUEUE_FULL'
  | 'INVALID_PROVIDER'
  | 'UNKNOWN'

/**
 * The one error class of SessionLayer: a stable `code`, the `shortMessage` and the original
 * value as `cause`.
 * @example
 * ```ts
 * const state = await store.connect()
 * if (state.lastError?.code === 4001) showToast('Connection rejected in the wallet')
 * ```
 * @public
 */
export class SessionError extends Error {
  // `declare`: assigned in the constructor, so no class field is emitted to define them first
  /** The stable code. */
  declare readonly code: SessionErrorCode
  /** The message, without details. */
  declare readonly shortMessage: string
  /**
   * The original value (what the wallet or transport threw), or undefined; `null` for an operation
   * `enqueue` held that a sign-out rejected before its turn (`REAUTH_FAILED`, `'The session ended before the operation ran'`).
   * Declared here, not only by the ES2022 lib's `Error`, so that a project with an older `lib`
   * reads it too.
   */
  declare cause: unknown

  /**
   * @param message - what went wrong
   * @param code - the stable code
   * @param cause - the original value
   */
  constructor(message: string, code: SessionErrorCode, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause })
    this.code = code
    this.shortMessage = message
    this.name = 'SessionError'
  }

  /**
   * Also true for a `SessionError` of another copy of this package (its ESM and CJS builds in one
   * page, or two versions), which carries the same brand (C4). A subclass keeps its own `instanceof`.
   * @param value - the value checked
   * @returns whether `value` is a `SessionError` (of this class, when called on a subclass)
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // a subclass's own instanceof, as without this method
    return this == SessionError ? !!(value as Record<symbol, unknown> | null)?.[Symbol.for('sessionlayer.error')] : super[Symbol.hasInstance](value)
  }

  /** The brand that `instanceof SessionError` recognises across copies of this package. @internal */
  [Symbol.for('sessionlayer.error')](): void {
    // its presence is the brand: a method on the prototype, no field on every error
  }
}

/**
 * The fields of `v` (of none when it is no object), but none that only a polluted `Object.prototype`
 * gives: a value read there, and not an own one, is undefined (C4, C18). What a class's prototype
 * gives stays, read on `v` itself: a DOMException's `message` getter, an Error's own `message`.
 */
const obj = (v: unknown): Record<string, unknown> =>
  new Proxy(typeof v == 'object' && v ? (v as Record<string, unknown>) : {}, { get: (o, k: string) => (Object.hasOwn(o, k) || o[k] !== ({} as Record<string, unknown>)[k] ? o[k] : undefined) })

/** `v` parsed when it is a string (undefined when that is no JSON), else `v` itself. */
const parse = (v: unknown): unknown => {
  try {
    return typeof v == 'string' ? JSON.parse(v) : v
  } catch {
    // no JSON: no body
  }
}

/**
 * The latest access tokens wallets gave (memory only, the newest first, at most 8), searched for as
 * they are: a wallet may quote one under a name, or in a text, that no pattern below knows (C4, C15).
 * @internal
 */
export const seenTokens: string[] = []

/** Whether `text` matches `pattern`, or holds one of the {@link seenTokens}. */
const holds = (text: string, pattern: RegExp) => pattern.test(text) || seenTokens.some((token) => text.includes(token))

/**
 * `value`, or undefined when it carries an access token the wallet gave (one of the {@link seenTokens}, under any name), an access token (`accessToken`, `access_token`, a URL's `token=`: a JSON-RPC
 * error whose `data` holds the wallet's status, an HTTP body with one, an `Error` whose own `cause`
 * does, a wallet answer the store cannot read), or a token under another name (an `Authorization`
 * key or header, `Bearer <token>` in a header or text, a JWT): no error has it as its `cause`, as an app logs
 * its errors and tokens are never handed on (C4, C15). Its JSON is searched, with what JSON leaves
 * out and `console.log` prints — an Error's `cause`, `message` and `errors` (an AggregateError's), a
 * Request's or Response's `headers` and `url`, the entries of a Map, Set, Headers or URLSearchParams,
 * and each value's own fields besides what its `toJSON` shows —, each value once, an array as JSON shows it and bytes
 * (a typed array, a Buffer) not at all; one that JSON cannot hold (a cycle, a BigInt, a throwing getter)
 * is no cause either.
 * @internal
 */
export const tokenFree = (value: unknown): unknown => {
  const wraps = new Map<unknown, unknown>()
  try {
    const json = JSON.stringify(value, function (this: Record<string, unknown>, key: string, shown: unknown) {
      const v = this[key] as Partial<AggregateError & Request & { has: unknown }>
      // What JSON leaves out of an instance of a class (an Error, a Headers, a Request), as of a value
      // whose `toJSON` may leave it out, and `console.log` prints: an Error's `cause`, `message` and
      // `errors` (an AggregateError's), a Request's or Response's `headers` and `url`, the entries
      // of a Map, Set, Headers or URLSearchParams, and its own fields, but not that `toJSON` again.
      // Each value is wrapped once, so that JSON finds a cycle through it as through any other, at once.
      // NaN, unequal to itself, is no value whose `toJSON` changed it: wrapped, it would be a cycle.
      // Bytes (a typed array, a Buffer, a DataView) hold no token the search can find: not read.
      // An array is read as JSON shows it: a copy of each element made a large one several times as slow.
      return ArrayBuffer.isView(v)
        ? 0
        : !Object.is(shown, v) || (v instanceof Object && !Array.isArray(v) && Object.getPrototypeOf(v) != Object.prototype)
        ? wraps.get(v) ?? wraps.set(v, [v.cause, v.message, v.errors, v.headers, v.url, shown !== v && shown, { ...v, toJSON: 0 }, v.has && Array.from(v as Iterable<unknown>)]).get(v)
        : v
    })
    // A JWT is looked for from the start of each run of `[\w-]` only, never from each `eyJ` in it:
    // from each, a long run of `eyJ-` (a hostile wallet's message) would be read again and again,
    // for seconds (C17).
    if (!holds(json, /access_?token|token=|authorization\W*[:,]|bearer\s|(^|[^\w-])(?=[\w-]*\beyJ[\w-])[\w-]+\./i)) return value
  } catch {
    // not searched, so not handed on
  }
}

/**
 * Whether a wallet's text quotes a token: one of the {@link seenTokens}, a credential after `access_token`, `Authorization`,
 * `Bearer` or a URL's `token=` (with a digit or a sign), or a JWT. One that only names a token (`Invalid bearer token`,
 * `accessTokenExpired`), or no string, does not. Such a text is no error message nor `reason` (C4, C15).
 * @internal
 */
export const quotesToken = (text: unknown): boolean => typeof text == 'string' && holds(text, /((access_?token|authorization|bearer)\W+|token=)(\w+ )?[\w~+/-]*[\d_~+/-]|(^|[^\w-])(?=[\w-]*\beyJ[\w-])[\w-]+\.[\w-]+\./i)

/**
 * Turns anything a wallet or transport throws into a {@link SessionError}, keeping the wallet's
 * numeric code and message. Never throws.
 *
 * @remarks
 *
 * It reads a `SessionError` as it is. One that carries a token, as below, is made anew, with its
 * code.
 *
 * It reads an `Error` with a `code`, or with the `RPC error: <code> - <message>` text of the
 * official RPC client. It reads a string, with that text too, and a JSON-RPC `{ code, message }`
 * object.
 *
 * It reads an HTTP transport's `{ error: { code: <status>, data: <json-rpc body> } }`. The JSON-RPC
 * code inside `data` wins over the HTTP status. Of a body's own fields, only its `message` is read:
 * an API gateway's `{ message }`, never a JSON-RPC error's `data` object's.
 *
 * A nested `error` overrides only the fields it has. One without a code or message keeps those of
 * the value around it.
 *
 * No field is read from a polluted `Object.prototype`: a `message`, `error`, `data` or `code` found
 * only there is none. A class's own getters, such as a `DOMException`'s `message`, are read.
 *
 * A value that mentions an access token is no `cause`, so that no token reaches an app's error
 * logs. That covers `accessToken` and `access_token`: a JSON-RPC error whose `data` holds the
 * wallet's status, an HTTP body with one, or an `Error` whose own `cause` does.
 *
 * It also covers a token under another name: an `Authorization` key, `Bearer <token>`, or a JWT, as
 * in a transport error with its request's headers. Any such token, `accessToken` and `access_token`
 * included, is found also in own fields that its `toJSON` leaves out, and in a `Headers`, `Request`,
 * `Map` or `Set` (a fetch-based transport's error). It is found in an `AggregateError`'s `errors` too.
 *
 * Nor is a value that JSON cannot hold (a cycle, a BigInt, a getter that throws) a `cause`, since it
 * cannot be searched. A value some of whose fields throw as they are read (a hostile proxy) is still
 * searched, and its message too, as far as it was read.
 *
 * A message that quotes a token is not used either, and the value is then no `cause`. That is a credential after `access_token`,
 * `Authorization`, `Bearer` or a URL's `token=`, or a JWT. Examples are `fetch`'s `TypeError` for a
 * header value no request can carry, or a body that echoes the header. The error then tells
 * `Unknown wallet error`, with the code. A message that only names a token (`Invalid bearer token`)
 * stays.
 *
 * An access token a wallet gave the page is found as it is, under any name and in any text. That is
 * a token in a status or network the store read: the latest 8 of at least 8 characters, with no
 * word of under 16 letters such as a placeholder `undefined`.
 *
 * @param value - the thrown value
 * @returns the normalised error (its `cause` is `value`, unless that may carry an access token)
 * @public
 */
export function toSessionError(value: unknown): SessionError {
  let code: unknown
  let message: string | undefined
  let own: SessionError | undefined
  try {
    // a SessionError's code, the store's own ones too, kept if it is made anew without its token;
    // read here: a value whose reads throw (a hostile proxy, a revoked one) makes none of this throw
    if (value instanceof SessionError) code = (own = value).code
    const o = obj(value)
    const outer = obj(o.error)
    const body = obj(parse(outer.data))
    // The nested error wins field by field over the value around it, and the JSON-RPC error in
    // an HTTP error's body over both: a body that is not JSON-RPC (a proxy's `{ error: { message } }`,
    // an API gateway's `{ message }`, which tells it where HTTP/2 has no status text) keeps the HTTP
    // status, and an `error` field that tells neither keeps the value's own (C4).
    // Only a body read from text (the HTTP transport's) is one whose `message` tells: a JSON-RPC
    // error's own `data` object is detail, under the message the wallet gave.
    // A string thrown is the message (an empty one is none, as below).
    for (const src of [{ message: value }, o, outer, { message: typeof outer.data == 'string' && body.message }, obj(body.error)]) {
      // an own `code` only: a DOMException's inherited legacy code (20 for AbortError) is no wallet's
      if (Object.hasOwn(src, 'code') && Number.isInteger(src.code)) code = src.code
      if (typeof src.message === 'string' && src.message) message = src.message
    }
    // the official RPC client's text, in an Error's message or thrown as a string
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- exec reads none as "undefined", which is no such text
    const rpc = /^RPC error: (-?\d+) - ([^]*)$/.exec(message!)
    if (rpc) {
      code = Number(rpc[1])
      message = rpc[2]
    }
  } catch {
    // a value that cannot be read (a throwing getter, a revoked proxy) tells no more than was
    // read; throwing here would leave the failed wallet call unanswered
  }
  // Searched whatever the reads above did: a value whose fields throw as they are read is no cause
  // that skipped the search (C4, C15, C18). One whose code or message cannot be read stays the
  // cause, all there is to see of it, unless it carries a token.
  value = tokenFree(value)
  // a message that quotes a token (fetch's TypeError for a header value no request can carry, a
  // body that echoes it), read before a read threw too, is none, nor is its value the cause (C4)
  if (quotesToken(message)) value = message = undefined
  // a SessionError (the store's, or one a wallet throws) as is, unless it carries a token (C4, C15)
  if (own && own === value) return own
  return new SessionError(
    // eslint-disable-next-line @typescript-eslint/prefer-nullish-coalescing -- an empty message is none
    message || 'Unknown wallet error',
    Number.isInteger(code) || typeof code == 'string' ? (code as SessionErrorCode) : 'UNKNOWN',
    value,
  )
}
