/**
 * JSON Ledger API access from the live wallet session: the URL and the bearer token of the
 * latest live status, for the network it was given for, held in memory only — never persisted,
 * never broadcast.
 *
 * @packageDocumentation
 */
import { INTERNALS, type StoreInternals } from './internals'
import { SessionError } from './SessionError'
import type { SessionStore } from './types'
import type { WalletStatus } from './wallet'

/**
 * Ledger API access for the live session.
 * @public
 */
export interface LedgerAuth {
  /** The JSON Ledger API base URL. */
  readonly ledgerApi: string
  /** The access token (memory only). */
  readonly accessToken: string
  /** `{ Authorization: 'Bearer <token>' }`. */
  readonly headers: { readonly Authorization: string }
  /**
   * JSON Ledger API WebSocket subprotocols: `['jwt.token.<token>', 'daml.ws.auth']`; empty for a
   * token that no subprotocol can carry (one with a `/` or `=` of standard base64, say: a JWT never
   * has them), for which `new WebSocket` would throw an error that quotes the token.
   */
  readonly wsProtocols: readonly string[]
}

/**
 * Options of {@link createLedgerFetch}.
 * @public
 */
export interface LedgerFetchOptions {
  /** The underlying fetch (default: the global `fetch`, looked up at each call). */
  readonly fetch?: typeof fetch | undefined
}

/** A store's internals; none for a value that is no store (`undefined` before the app made one, too). */
const internals = (store: SessionStore | null | undefined): StoreInternals | undefined => (store as { [INTERNALS]?: StoreInternals } | null | undefined)?.[INTERNALS]

// A token no header can carry (a line break, a non-ASCII character) is none: sent, it would make
// `fetch` throw a TypeError that quotes it, for an app to log. One that is no RFC 7230 token gets
// no WebSocket subprotocols, for the same reason: `new WebSocket` would throw a SyntaxError quoting it.
const toAuth = (live: WalletStatus | null | undefined, token = live?.accessToken ?? ''): LedgerAuth | null =>
  live?.ledgerApi && /^[!-~]+$/.test(token)
    ? {
        ledgerApi: live.ledgerApi,
        accessToken: token,
        headers: { Authorization: `Bearer ${token}` },
        wsProtocols: /^[\w!#$%&'*+.^`|~-]+$/.test(token) ? [`jwt.token.${token}`, 'daml.ws.auth'] : [],
      }
    : null

/**
 * The Ledger API URL and token of the latest live wallet status (SPEC L1). Returns null when the
 * store holds no usable access.
 *
 * @remarks
 *
 * The access is the newest the wallet told. A late answer never replaces it: one that timed out, or
 * that a status event, a later answer or a disconnect overtook.
 *
 * A connected status that carries no token, such as a wallet's `connected` event or a
 * re-announcement, keeps the access of the session that stays connected. As the store connects or
 * reconnects, it keeps the access told just before it. That holds unless the status tells of
 * another network or Ledger API. A status without a token overtakes no answer that carries one (the
 * token refresh's).
 *
 * A disconnect ends the access, as does a reconnect that gives up, or a restore or connect that
 * fails. A new session, a re-authenticated one too, never inherits it, nor does a late answer asked
 * before the session began.
 *
 * Access belongs to the network it was given for. That is the network its status tells, else the
 * store's as it came, or the one it connects on, unless a `chainChanged` comes first. Once the
 * store is on another network (`chainChanged`, another tab's switch), the access is null until a
 * status or network answer carries the new network's.
 *
 * It is null when not connected, when the wallet gave no token, or none for the current network
 * yet. It is null for no store too: `undefined`, `null`, or any value that is no store.
 *
 * A session past its TTL or idle deadline by the store's clock expires first, also when a system
 * sleep held its timer back. A token that no HTTP header can carry (white space, a control or
 * non-ASCII character) counts as no token.
 *
 * @param store - a session store, or none yet (`undefined`, `null`)
 * @returns the Ledger API access, or null
 * @example
 * ```ts
 * const auth = getLedgerAuth(store)
 * // the URL may end in a `/`: a `//v2/…` path is no Ledger API route (trimmed after the
 * // character before it: `/\/+$/` would take seconds over a long run of slashes inside it)
 * if (auth) new WebSocket(`${auth.ledgerApi.replace(/^http/, 'ws').replace(/([^/])\/+$/, '$1')}/v2/updates`, [...auth.wsProtocols])
 * ```
 * @public
 */
export function getLedgerAuth(store: SessionStore | null | undefined): LedgerAuth | null {
  return toAuth(internals(store)?.live(1))
}

/**
 * One token refresh at a time per store, shared by every ledger fetch of that store: keyed by its
 * internals, so that a store handed out over a real one that is replaced (session-react's) never
 * joins the refresh of the real store before, destroyed; and a refresh leaves it as its session ends.
 */
const refreshing = new WeakMap<object, Promise<LedgerAuth | null>>()

/** The access a refresh read `status` for, rather than take the token in hand as fresh (L2). */
const read = new WeakSet<LedgerAuth>()

function refresh(store: SessionStore, rejected: string, signal: AbortSignal | null | undefined, check: () => void, held?: LedgerAuth | null): Promise<LedgerAuth | null> {
  const own = internals(store)
  const key = own ?? store
  let pending = refreshing.get(key)
  if (!pending) {
    // A token other than the rejected one is already fresh (another request, or another tab
    // through the wallet, refreshed it): use it without asking the wallet for another one.
    let ran: true | undefined
    // ends the bound of the wait for the lock once the refresh is done (C14)
    let stop: (() => void) | undefined
    // withdraws the lock request of a refresh that ran without the lock, or whose store was
    // destroyed: a tab that holds it for good (gone silent) would else find one more request
    // queued behind it after every refresh (C14). And no later call joins it: where Web Locks cannot
    // withdraw a request (no signal support), a destroyed store's would else hold them for ever.
    const withdraw = new AbortController()
    // The store subscription that drops it, let go of once: a drop on the session's end is followed
    // by the one as the refresh settles, and an app's own store may take a second unsubscribe for
    // another listener's (an array's splice).
    let off: (() => void) | undefined
    const drop = () => {
      off?.()
      off = undefined
      // its own entry only: a refresh of a session that ended may settle once the next one's began
      if (refreshing.get(key) == pending) refreshing.delete(key)
      withdraw.abort()
    }
    own?.aborts.add(drop)
    // A session that ends (a sign-out, an expiry, a drop) takes its refresh along: a call of the
    // next one never joins it, to wait for its lock or its wallet answer and fail with it (C6, L2).
    off = store.subscribe(() => store.getSnapshot().status != 'connected' && drop())
    const run = async () => {
      ran = true
      const current = getLedgerAuth(store)
      const stale = current?.accessToken == rejected || !current
      const auth = toAuth(await own?.refresh(stale, withdraw.signal))
      if (stale && auth) read.add(auth)
      return auth
    }
    const locks = own?.locks
    pending = (
      locks
        ? new Promise<LedgerAuth | null>((resolve, reject) => {
            // a grant that comes once this tab refreshed on its own asks the wallet nothing more, nor one
            // that comes once the refresh was dropped (a lock manager that cannot withdraw a request):
            // the store's refresh asks nothing with `withdraw` aborted
            locks.request(`sessionlayer.ledger::${own.key}`, { signal: withdraw.signal }, () => (ran ? null : run())).then(resolve, reject)
            // A lock that never comes (a lock manager that never answers, a tab that holds it and
            // went silent) holds no call for ever: once no other tab's refresh can still hold it,
            // this tab refreshes on its own, as where Web Locks refuse every request (C17, L2) — unless
            // that request ended meanwhile (a refresh done; one dropped asks the wallet nothing, as above).
            // eslint-disable-next-line @typescript-eslint/prefer-nullish-coalescing -- `ran` is true or unset: a boolean test
            stop = own.wait(() => ran || resolve(run()))
          }).catch((error: unknown) => {
            // Web Locks refused as they will every request (a sandboxed frame, a SecurityError, a
            // polyfill that throws): this tab refreshes on its own. A request dropped as its document
            // is torn down or not fully active (InvalidStateError, AbortError) is no such refusal:
            // another tab may hold the lock, so this one gets no fresh token (4100), nor asks the wallet.
            if (ran) throw error
            return /^(InvalidState|Abort)Error$/.test((error as Error | null)?.name ?? '') ? null : run()
          })
        : run()
    ).finally(() => {
      stop?.()
      drop()
      own?.aborts.delete(drop)
    })
    refreshing.set(key, pending)
  }
  // An abort ends this caller's wait at once, and so does the end of the session it was made for,
  // or of its party or network, as the caller's `check` tells: any status but `connected` (a
  // sign-out here or in another tab, an expiry, a re-auth, a drop) rejects with 4900, as a call
  // made then does, a switch with 4100, as once the refresh is done (C11) — not after a wait that may
  // time out — and destroy() with DESTROYED, as a wallet request in flight does (C6, C12, C14). The
  // refresh goes on for the others. (An already aborted signal never gets here: `proceed` rejects
  // first, without starting a refresh.)
  let end!: (error: unknown) => void
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- added as the signal's listener only
  const stop = () => end(why(signal!))
  const unsubscribe = store.subscribe(() => {
    try {
      check()
    } catch (error) {
      end(error)
    }
  })
  signal?.addEventListener('abort', stop)
  return new Promise<LedgerAuth | null>((resolve, reject) => {
    // set apart from `aborts`: a store that is no core store has none, and ends the wait all the same
    end = reject
    own?.aborts.add(end)
    // A call that joined with a token in hand got no 401 of its own: a refresh that fails (the
    // wallet's error, another call's) is no failure of its own, and it goes on with the token in
    // hand then, as a call made just after would (L2) — none when the refresh's account read failed:
    // whose the token is, none can tell (C11).
    pending.then(resolve, held ? () => resolve(getLedgerAuth(store)) : reject)
  }).finally(() => {
    unsubscribe()
    signal?.removeEventListener('abort', stop)
    own?.aborts.delete(end)
  })
}

/** Why `signal` aborted: its reason, else an AbortError, as `fetch` rejects with (an AbortController polyfill's signal carries none). */
const why = (signal: AbortSignal): unknown => signal.reason ?? new DOMException('Aborted', 'AbortError')

/**
 * A call goes on only while its signal is not aborted — as `fetch`, it then rejects with the abort
 * reason, before the wallet or the Ledger API is asked anything — and while the store is connected: a
 * store that is not (or no longer, after a refresh), or no store at all, rejects with 4900. So does
 * one whose session ended since `since` (the store's latest end of a session when the call was made):
 * a sign-out and in, a re-authentication, a connect during a reconnect, another store (a binding's,
 * replaced) — not a reconnect, nor another tab's connect or times, which the session goes on through:
 * the call was made for the session that ended (C6).
 * Returns the store's snapshot it checked.
 */
const proceed = (store: SessionStore | null | undefined, signal?: AbortSignal | null, since?: object) => {
  if (signal?.aborted) throw why(signal)
  const snapshot = (store as Partial<SessionStore> | undefined)?.getSnapshot?.()
  if (snapshot?.status != 'connected' || (since && internals(store)?.ended != since)) throw new SessionError('Not connected to a wallet', 4900)
  return snapshot
}

/**
 * `input` resolved against the Ledger API URL, or none when it leaves that Ledger API's origin. A
 * path that a Ledger API URL which is no absolute http(s) URL cannot resolve rejects (4100, with
 * `cause`, e.g. the 401 a retry would have answered): `fetch` would send it to the page's own
 * origin, or nowhere.
 */
const target = ({ ledgerApi }: LedgerAuth, input: string, cause?: Response): string | false | undefined => {
  // The trailing slashes are found from the character before them only: from each slash, a long run
  // of them inside a hostile wallet's URL would be read again and again, for seconds (C17).
  const url = /^[a-z][a-z\d+.-]*:/i.test(input) ? input : `${ledgerApi.replace(/([^/])\/+$/, '$1')}/${input.replace(/^\/+/, '')}`
  try {
    const { origin, protocol, username, password } = new URL(ledgerApi)
    // Only an http(s) URL is a Ledger API's: 'localhost:7575' parses (as a scheme, with an opaque
    // origin that equals every other one), and `fetch` takes no ws: or blob: URL of a path. Nor is
    // one with credentials (`https://user:pass@host`): `fetch` refuses it with a TypeError that
    // quotes them, for an app to log (C15).
    if (/^https?:$/.test(protocol) && !username && !password) return new URL(url).origin == origin && url
  } catch {
    // no URL: a path has nothing to resolve against; an absolute URL goes as given, without the token
  }
  if (url != input) throw new SessionError('The wallet gave no Ledger API access', 4100, cause)
}

/**
 * A 401 of the Ledger API: not one from another origin a redirect led to (a login page), where
 * `fetch` sent no token, and so refused none (L2). A `fetch` option may send through a proxy of
 * another origin: only a redirect tells that the answer is no longer the Ledger API's.
 */
const refused = (res: Response, auth: LedgerAuth) => res.status == 401 && (!res.redirected || target(auth, res.url))

/**
 * A `fetch` for the JSON Ledger API (SPEC L2). It appends relative paths to the live `ledgerApi`
 * URL, its path included, and attaches the bearer token.
 *
 * @remarks
 *
 * It takes what `fetch` takes: a path, a URL, or a `Request`, as generated API clients such as
 * openapi-fetch pass. A `Request`'s body is re-sent on the retry. The `init` may be given or left
 * out, and may be `null` too, as for `fetch`. White space and C0 controls around a string are
 * dropped, as `fetch` drops them: `' /v2/parties'` is the path `/v2/parties`.
 *
 * On a 401 the store re-reads `status` once, then the accounts (`listAccounts`), and retries once.
 * A second 401 rejects with a `SessionError` (code 4100).
 *
 * The refresh is single-flight across concurrent requests, and across tabs with Web Locks. A token
 * another request or tab already renewed is taken as it is. There are two exceptions. When this
 * call's 401 refused that token, `status` is read for it, once. When a party switch was heard since
 * the wallet told of the token, the token may be the other party's, and `status` is read.
 *
 * Where Web Locks refuse every request, e.g. in a sandboxed frame, each tab refreshes on its own. A
 * refresh whose Web Locks request is dropped as the document is torn down or not fully active
 * (`InvalidStateError`, `AbortError`) rejects with a `SessionError` (code 4100), rather than run
 * beside another tab's.
 *
 * A refresh whose lock has not come after four times `requestTimeoutMs` refreshes on its own. That
 * is as long as another tab's refresh can hold the lock, so this is the case of a lock manager that
 * never answers.
 *
 * A connected store that holds no access for its network re-reads `status` for it first,
 * single-flight as for a 401. That is the case when the wallet gave no access yet, or switched
 * network.
 *
 * A destroyed store rejects at once with code 4100 and the message `The store was destroyed`,
 * without asking the wallet.
 *
 * A disconnected store, or no store (`undefined`, `null`), rejects at once with code 4900. So does a
 * refresh that finds the wallet disconnected, and a 401 that comes back once the session the call was
 * made for ended, also when the user signed in again meanwhile (or re-authenticated): it is never
 * re-sent with the next session's token. A reconnect after a drop goes on with the same session; a
 * connect the user makes while it runs ends it.
 *
 * A call that waits for the refresh ends at once when its session does. It rejects with 4900 once
 * the store is no longer `connected`: after a sign-out (here or in another tab), an expiry, a
 * re-authentication or a drop. It rejects with `DESTROYED` on `destroy()`, and with 4100 when the
 * user switches its party or network.
 *
 * Abort signals pass through and end the call at once, even while it waits for the refresh. As with
 * `fetch`, an already aborted signal rejects with its reason before the wallet or the Ledger API is
 * asked anything, and with an `AbortError` when it carries none (an AbortController polyfill's).
 *
 * A stream body is sent once only. That is a `ReadableStream`, or an async iterable such as a Node
 * stream, which Node's `fetch` takes. After a 401 the token is refreshed, but the call rejects with
 * code 4100 instead of a retry. Send it again with a new stream.
 *
 * The token only ever goes to the Ledger API's own origin. An absolute URL elsewhere is fetched as
 * given, without the token. When the wallet's Ledger API URL is no absolute http(s) URL, a path
 * rejects with a `SessionError` (code 4100) rather than go to the page's own origin. So does a path
 * when that URL carries credentials (`https://user:pass@host`): `fetch` would refuse it with an error
 * that quotes them. An absolute URL then goes as given, without the token.
 *
 * A redirect is followed by `fetch` itself, which drops the `Authorization` header on a redirect to
 * another origin, as the Fetch standard asks, in browsers and in Node. A `fetch` option of your own
 * must do the same, or refuse redirects (`redirect: 'error'` in the `init`). A 401 from the origin
 * a redirect led to (a login page, say) is returned as it is, on the retry too: no token went there,
 * so none is refreshed for it.
 *
 * When the refresh moves the Ledger API to another origin, an absolute URL of the old one is not
 * retried with the new token. That rejects with a `SessionError` (code 4100) too.
 *
 * A call whose party or network the user switched meanwhile also rejects with a `SessionError`
 * (code 4100), with the message `The active party or network changed`. This applies while the token
 * was read for the call, or refreshed after its 401. The fresh token is then the new party's, and
 * does not run a call made for the previous one.
 *
 * The refresh reads the accounts for this. A wallet may hand out the new party's token before it
 * tells of the switch, and no status says which party a token is for. So a call made while a
 * refresh runs waits for it, also with a token in hand.
 *
 * Should that refresh fail, such a call, which got no 401, goes on with the token in hand then. It
 * has none once the account read failed, since that failure leaves no token in hand.
 *
 * A switch to another party and back heard while `status` was read (A→B→A) reads `status` once
 * more. The store then shows the party of before, but the token may be the other's. Heard again,
 * the refresh gives no token (4100).
 *
 * An account read that fails rejects the call with the wallet's error, since it cannot tell whose
 * the token is. A `status` read that fails rejects with its error. An answer that cannot be read or
 * is no status rejects with a `SessionError` (code `UNKNOWN`). Both are rather than a retry with
 * the token just refused.
 *
 * @param store - a session store, or none yet (`undefined`, `null`)
 * @param options - the underlying fetch
 * @returns the authenticated fetch
 * @example
 * ```ts
 * const ledgerFetch = createLedgerFetch(store)
 * const res = await ledgerFetch('/v2/state/active-contracts', {
 *   method: 'POST',
 *   body: JSON.stringify({ filter, activeAtOffset }),
 * })
 * ```
 * @public
 */
export function createLedgerFetch(store: SessionStore | null | undefined, options: LedgerFetchOptions = {}): (input: string | URL | Request, init?: RequestInit) => Promise<Response> {
  return async (input, init) => {
    // `fetch(url, null)` is `fetch(url)` (the Fetch standard's init is a dictionary): so here too
    init ??= {}
    const fetch = options.fetch ?? globalThis.fetch
    // A Request (as generated API clients pass) is sent as a copy each time: its body stays readable for the retry.
    const request = (input as Partial<Request>).url ? (input as Request) : null
    // A path or URL is read as `fetch` reads it: without the white space and C0 controls around it
    // (the URL standard strips them), so `' /v2/x'` is the path `/v2/x`, and `' https://…'` a URL.
    // The trailing ones are found from the character before them: linear over a long run inside.
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- no Request here: a path or a URL (its href)
    const path = request?.url ?? String(input).replace(/^[\0- ]+|([^\0- ])[\0- ]+$/g, '$1')
    const signal = init.signal ?? request?.signal
    const send = (auth: LedgerAuth, url: string) => {
      const headers = new Headers(init.headers ?? request?.headers)
      headers.set('Authorization', auth.headers.Authorization)
      return fetch(request?.clone() ?? url, { ...init, headers })
    }
    // The access first: reading it expires a session past its deadline that a system sleep held
    // the timer of back, and the call, made for that session, then rejects (4900) rather than wait
    // for a refresh, or run with the token of a re-authenticated one (C12, C13).
    const live = getLedgerAuth(store)
    const sentFor = proceed(store, signal)
    const era = internals(store)?.ended
    // The user switched party or network during a refresh (it re-read the accounts: the store knows
    // it by now, also when the wallet has not told of it yet): the call was made for the one before,
    // and a fresh token, the new one's, must not run it for someone else. A first party or network,
    // where none was known (a wallet connected with no account yet), is no switch (C11). A store no
    // longer connected rejects first (4900).
    const switched = (cause?: Response) => {
      const now = proceed(store, null, era)
      if ((sentFor.account && now.account?.partyId != sentFor.account.partyId) || (sentFor.networkId && now.networkId != sentFor.networkId)) {
        throw new SessionError('The active party or network changed', 4100, cause)
      }
    }
    // A refresh under way is joined, even with a token in hand: it may be one the refresh just read,
    // whose party it has yet to tell (the accounts read), or the one it refreshes, bound to fail (C11, L2).
    // eslint-disable-next-line @typescript-eslint/non-nullable-type-assertion-style -- a store here: `proceed` rejected none (undefined, null) with 4900
    const auth = (refreshing.has((internals(store) ?? store) as SessionStore) ? null : live) ?? (await refresh(store as SessionStore, '', signal, switched, live))
    // the refresh may have found the wallet disconnected, or been overtaken by a switch
    switched()
    // a destroyed store hands out no access, whatever the wallet gave (C14, L1)
    if (!auth) throw new SessionError(internals(store)?.gone ? 'The store was destroyed' : 'The wallet gave no Ledger API access', 4100)
    // Not the Ledger API (a URL from elsewhere, a typo, a hostile link): never hand it the token.
    const url = target(auth, path)
    if (!url) return fetch(input, init)
    const first = await send(auth, url)
    if (!refused(first, auth)) return first
    // The 401's body is not read: cancel it, or it holds its connection (Node's fetch) until collected —
    // unless it is the cause of a 4100, handed back whole. Not awaited, and a cancel that rejects or
    // throws (a body that is no web stream) fails nothing.
    const cancel = () => {
      ;(async () => first.body?.cancel())().catch(() => undefined)
    }
    let fresh: LedgerAuth | null
    try {
      // A session that ended meanwhile (disconnect(), another tab's) is not asked for a new token,
      // nor one whose deadline passed while the request was out (a system sleep): the read expires it (C12).
      getLedgerAuth(store)
      proceed(store, signal)
      // Nor one whose party or network the user switched while the request was out: 4100 at once,
      // not once the refresh is done, or failed (C11).
      switched(first)
      // eslint-disable-next-line @typescript-eslint/non-nullable-type-assertion-style -- a store here: `proceed` rejected none (undefined, null) with 4900
      fresh = await refresh(store as SessionStore, auth.accessToken, signal, () => switched(first))
      // The refresh, joined as it ran for another call's 401, took this very token as fresh without
      // asking the wallet: this call asks once more, for a status read of its own (never a third).
      // eslint-disable-next-line @typescript-eslint/non-nullable-type-assertion-style -- a store here: `proceed` rejected none (undefined, null) with 4900
      if (fresh?.accessToken == auth.accessToken && !read.has(fresh)) fresh = await refresh(store as SessionStore, auth.accessToken, signal, () => switched(first))
      // a session that ended, or a switch, first: one that overtook the refresh leaves no access for
      // the call's network, and the caller is told that, not that the token was rejected
      switched(first)
    } catch (error) {
      // a switch during the refresh hands the 401 back whole, as its cause
      if ((error as Error | null)?.cause != first) cancel()
      throw error
    }
    // A stream body is read once: the token is fresh for the caller's next try, but this body is gone.
    // That is a web stream, or an async iterable that Node's fetch takes (a Node stream, a generator).
    const body = init.body as { getReader?: unknown; [Symbol.asyncIterator]?: unknown } | null | undefined
    if (!fresh || body?.getReader || body?.[Symbol.asyncIterator]) throw new SessionError('The Ledger API rejected the access token', 4100, first)
    // The refresh may move the Ledger API: re-check against the new one, so an absolute URL of the
    // old one never carries the new token (relative paths simply follow the move; a Request's URL is absolute).
    const retry = target(fresh, path, first)
    if (!retry) throw new SessionError('The Ledger API moved to another origin', 4100, first)
    cancel()
    const second = await send(fresh, retry)
    if (refused(second, fresh)) throw new SessionError('The Ledger API rejected the access token', 4100, second)
    return second
  }
}
