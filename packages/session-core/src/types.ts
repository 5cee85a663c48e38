import type { SessionStorage } from '@sessionlayer/session-crypto'
import type { ChannelFactory, LockManagerLike } from '@sessionlayer/session-sync'
import type { CIP0103Account, CIP0103Provider } from './cip0103'
import type { RetryPolicy } from './retry'
import type { SessionError } from './SessionError'

/**
 * The session state machine's status.
 * @public
 */
export type SessionStatus = 'disconnected' | 'connecting' | 'connected' | 'reconnecting'

/**
 * An immutable (frozen) snapshot of the session. The same reference is returned until a real
 * change (SPEC C1, C2); a reconnect or a re-auth that finds the same accounts keeps the `account`
 * and `accounts` objects.
 * @public
 */
export interface SessionState {
  /** Where the state machine is. */
  readonly status: SessionStatus
  /** The active party: the account flagged `primary`, else the first, else null. */
  readonly account: CIP0103Account | null
  /** Every account the wallet exposed (empty unless connected or reconnecting). */
  readonly accounts: readonly CIP0103Account[]
  /** The CAIP-2 network id; null when the wallet tells none (an empty id `''` is none). */
  readonly networkId: string | null
  /** The last failure of connect, restore, disconnect, reconnect or expiry. */
  readonly lastError: SessionError | null
  /** When this session became connected (ms since epoch). */
  readonly connectedAt: number | null
  /** When this session expires (ms since epoch), with a TTL. */
  readonly expiresAt: number | null
}

/**
 * Where a party or network change came from: this tab's wallet, another tab, or the
 * reconciliation of a restored session.
 * @public
 */
export type ChangeSource = 'local' | 'remote' | 'restore'

/**
 * A party or network change.
 * @public
 */
export interface ChangeEvent {
  /** The previous party id / network id. */
  readonly previous: string | null
  /** The new one. */
  readonly current: string | null
  /** Where the change came from. */
  readonly source: ChangeSource
}

/**
 * The events of `store.on`, by type (SPEC §2.2).
 * @public
 */
export interface SessionEventMap {
  /**
   * Asynchronous wallet: connect accepted, waiting for the user. `userUrl`, where the user approves,
   * is an absolute URL, never one that runs script (`javascript:`, `data:`, `vbscript:`): such a
   * URL from the wallet is left out.
   */
  'connect:pending': { readonly userUrl?: string }
  /**
   * A reconnect attempt is scheduled after `delayMs`. An attempt the wallet's return cancelled
   * before it ran, whose check then failed (the wallet dropped again), is scheduled again with the
   * same `attempt`: `maxAttempts` counts the attempts that ran.
   */
  'reconnect:scheduled': { readonly attempt: number; readonly delayMs: number }
  /** A reconnect attempt starts. */
  'reconnect:attempt': { readonly attempt: number }
  /**
   * The session is connected again. With `broadcast` and Web Locks, a tab that followed another
   * tab's attempts tells of the attempt that succeeded there.
   */
  'reconnect:succeeded': { readonly attempt: number }
  /**
   * Every attempt failed; the store is disconnected. With `broadcast` and Web Locks, a tab that
   * followed another tab's attempts tells of that tab's give-up: the same `attempts`, and a
   * `lastError` with the same code and message (its `cause` stays in that tab). `lastError` is
   * always there: the failure that ended the attempts (code 4900 when the wallet dropped and no
   * attempt was made).
   */
  'reconnect:gaveup': { readonly attempts: number; readonly lastError: SessionError }
  /**
   * The session expired. `reason`: the deadline that passed first; `'ttl'` when the idle and TTL
   * deadlines fall on the same millisecond. With `broadcast`, every tab that shows the session
   * tells of it once, with the `expiredAt` and `reason` of the tab it expired in first.
   */
  'session:expired': { readonly expiredAt: number; readonly reason: 'ttl' | 'idle' }
  /** The active party changed. */
  'party:changed': ChangeEvent
  /** The active network changed. */
  'network:changed': ChangeEvent
  /**
   * Party- or network-scoped caches must be dropped: the same event `onInvalidate` receives,
   * for listeners added after creation (the bindings' query integrations use it).
   */
  invalidate: InvalidateEvent
  /** The storage failed; the session itself is unaffected. */
  'storage:error': { readonly operation: 'get' | 'set' | 'remove'; readonly error: unknown }
  /**
   * A subscriber, event handler or `onInvalidate` threw or rejected (its error as it is), or the
   * wallet's `removeListener` threw on `destroy()` (a `SessionError` of the wallet's error, without
   * an access token it may quote).
   */
  error: { readonly error: unknown }
}

/**
 * The type of a store event.
 * @public
 */
export type SessionEventType = keyof SessionEventMap

/**
 * What `onInvalidate` receives: caches keyed by party or network must be dropped.
 * @public
 */
export interface InvalidateEvent {
  /** Why. */
  readonly type: 'party:changed' | 'network:changed' | 'disconnected' | 'expired'
  /** The party id (network id for `network:changed`) before. */
  readonly previous: string | null
  /** The party id (network id for `network:changed`) after. */
  readonly current: string | null
  /** Where the change came from. */
  readonly source: ChangeSource
}

/**
 * What `onReauthRequired` receives.
 * @public
 */
export interface ReauthEvent {
  /** Why the session expired. */
  readonly reason: 'ttl' | 'idle'
  /** When it expired (ms since the epoch). */
  readonly expiredAt: number
  /**
   * Aborted once the store no longer waits for this hook: the session was re-authenticated in
   * another tab (with broadcast on), disconnected, the store destroyed, or `connectTimeoutMs`
   * passed. Close your prompt then; what the hook does afterwards is ignored. A re-auth that ends
   * in the turn it began (a sign-out right after the activity that found the session expired) does
   * not call the hook: it never starts with its signal already aborted.
   */
  readonly signal: AbortSignal
}

/**
 * Session expiry (SPEC C12, C13).
 * @public
 */
export interface ExpiryOptions {
  /**
   * The session expires this long after it became connected (survives reloads). Any length works,
   * years included. `undefined`, `null`, 0 and Infinity set no TTL; a numeric string (read from a
   * configuration) counts as its number. Any other value (a negative number, NaN, `'8h'`, `true`)
   * makes `createSessionStore` throw a `SessionError` with code -32602 (invalid params).
   */
  readonly ttlMs?: number | undefined
  /**
   * The session expires after this long without `touch()` or `enqueue` activity. Any length works.
   * `undefined`, `null`, 0 and Infinity set no idle timeout; a numeric string (read from a
   * configuration) counts as its number. Any other value (a negative number, NaN, `'30m'`, `true`)
   * makes `createSessionStore` throw a `SessionError` with code -32602 (invalid params).
   */
  readonly idleTimeoutMs?: number | undefined
  /**
   * Re-authenticates an expired session. While it runs the status is `reconnecting`, and resolving
   * with the wallet connected returns to `connected`.
   *
   * @remarks
   *
   * While it runs, `enqueue`d operations wait. So do those the hook itself enqueues, and a hook
   * that awaits one waits until `connectTimeoutMs` fails the re-auth: it calls the wallet directly.
   * Another tab's re-authentication ends it too: its `signal` is aborted.
   *
   * It waits for a person, so `connectTimeoutMs` bounds it, the `connect()` calls it makes
   * included. A hook still running then fails the re-auth as a rejecting one does, and its `signal`
   * is aborted. The failure shows in `lastError` and in the held operations' `REAUTH_FAILED`, with
   * a `TIMEOUT` error as `cause`.
   *
   * A rejection is the `cause` of `REAUTH_FAILED`, unless it carries an access token (a wallet's
   * error passed on).
   */
  readonly onReauthRequired?: ((event: ReauthEvent) => unknown) | undefined
  /**
   * Operations held during a re-auth (default 32); one more rejects at once (`QUEUE_FULL`). With
   * 0 none is held; with `Infinity` there is no bound. A value that is not a number of 0 or more
   * (`null`, `''`, a negative number, NaN, a boolean) is the default; a numeric string counts as its number.
   */
  readonly pendingQueueSize?: number | undefined
}

/**
 * Multi-tab sync (SPEC §2.4).
 * @public
 */
export interface BroadcastOptions {
  /** Creates the tab channel (default: `BroadcastChannel` in browsers, none on the server). */
  readonly channelFactory?: ChannelFactory | undefined
  /** Web Locks (default: `navigator.locks` when available in a page or a worker, never a server's); `null` disables cross-tab locks. */
  readonly lockManager?: LockManagerLike | null | undefined
}

/**
 * The clock of a store: defaults to the global timers and `Date.now`, looked up at call time. Its
 * functions are called as its methods, but for the platform's own `setTimeout` and `clearTimeout`,
 * which may be handed over as they are (`{ now: Date.now, setTimeout, clearTimeout }`).
 * @public
 */
export interface Clock {
  /** Current time, ms since epoch. */
  now(): number
  /** Schedules `fn`. */
  setTimeout(fn: () => void, ms: number): unknown
  /** Cancels a scheduled `fn`. */
  clearTimeout(handle: unknown): void
}

/**
 * Options of {@link createSessionStore} (all optional; SPEC §2.1). An option given as `null`, as a
 * JSON configuration has it, keeps its default, as an `undefined` one does.
 * @public
 */
export interface SessionStoreOptions {
  /**
   * Where the session persists (default: encrypted IndexedDB when available, else memory). Memory
   * too in a frame sandboxed without `allow-same-origin` (an opaque origin, whose IndexedDB is
   * denied), but not on a `file://` page. Where IndexedDB is there but denied otherwise (a
   * third-party frame whose storage is blocked) each read, write and removal fails: a `storage:error`.
   */
  readonly storage?: SessionStorage | undefined
  /**
   * Key of the persisted entry (default `'sessionlayer.session'`), used as given (`''` included).
   * Stores with different keys keep apart: each has its own entry and, with `broadcast`, its own
   * tab channel.
   */
  readonly storageKey?: string | undefined
  /**
   * Persist the session envelope (default), or only the marker `'1'`: then nothing about the
   * party is stored, nor `expiresAt`, so with a `ttlMs` each reload that finds the wallet
   * connected starts a new TTL. `null` keeps the default. A string (`'false'`, read from a
   * configuration, would count as true) makes `createSessionStore` throw a `SessionError` with code
   * -32602 (invalid params); any other value counts by its truthiness (`0` persists only the marker).
   */
  readonly persistSnapshot?: boolean | undefined
  /**
   * Reconnect after a drop: `true` (default policy), a partial policy, or `false` (default). A
   * string (`'false'`, read from a configuration, would count as true) makes `createSessionStore`
   * throw a `SessionError` with code -32602 (invalid params).
   *
   * @remarks
   *
   * In a partial policy a field that is not a number of 0 or more keeps its default. That is
   * `undefined`, `null`, `''`, NaN, a negative number, or a boolean other than `jitter`'s. The
   * other fields are used as given, a numeric string as its number (see
   * {@link computeBackoffDelay}).
   *
   * A `factor` below 1 shortens each delay, and a `maxDelayMs` below `baseDelayMs` makes every
   * delay `maxDelayMs`. `maxAttempts: 0` gives up at once, `Infinity` never.
   *
   * With `broadcast` and Web Locks one tab runs the attempts for all. A tab that takes over from
   * one closed meanwhile goes on from the attempt that tab scheduled last, so `maxAttempts` bounds
   * the whole outage.
   *
   * An attempt whose outcome no tab heard is run again, which makes one silent probe more. That is
   * an attempt whose tab closed, or whose user connected, while it probed.
   */
  readonly reconnect?: boolean | Partial<RetryPolicy> | undefined
  /**
   * Session expiry (default none; `null` is none too). A value that is no object, such as a
   * number of ms or `'yes'`, makes `createSessionStore` throw a `SessionError` with code -32602
   * (invalid params).
   */
  readonly expiry?: ExpiryOptions | undefined
  /**
   * Multi-tab sync: `true` or options (default off); `{}` is the same as `true`. A string (`'false'`,
   * read from a configuration, would count as true) makes `createSessionStore` throw a
   * `SessionError` with code -32602 (invalid params).
   */
  readonly broadcast?: boolean | BroadcastOptions | undefined
  /**
   * Called when party- or network-scoped caches must be invalidated. It may return anything (a
   * `Map`'s `delete`, a query client's `invalidateQueries()`, a `Promise.all` of its calls): what
   * it returns is ignored, but a promise's rejection, like a throw, is reported as an `error` event.
   */
  readonly onInvalidate?: ((event: InvalidateEvent) => unknown) | undefined
  /**
   * Bound of silent wallet requests (a `status` read that checks a `statusChanged(false)` right
   * after a `disconnect()` and a `connect()` included, one that checks the first sign-out or drop
   * word after any `connect()` when the wallet told no status event since (and the next, once that
   * word was found late), one that follows that first word, handled at once, when the wallet did
   * tell a status event since, one that checks a `connect` answered `isConnected: true` after a sign-out
   * in the wallet failed it, or a `disconnect` answered only after the `connect()` asked right after
   * it had connected, and one that checks a connection the wallet tells after it accepted a
   * `disconnect()`, or the disconnect asked as another tab signed out, before its word of that
   * sign-out) and of each storage operation on the
   * persisted entry: read, write and removal (default 10 000 ms).
   *
   * @remarks
   *
   * With Web Locks it also bounds the wait for a lock that never comes. A tab waiting to lead a
   * reconnect runs the attempts on its own once the leading tab's next word is overdue by this
   * bound and a random part of it more. Each tab draws its own part, so that the tabs behind a
   * frozen leader take over one at a time. A tab that holds the lock asks the lock manager
   * (`navigator.locks.query()`) which tab holds it before an attempt that runs over this bound
   * after it was scheduled (its page was frozen, or its backoff delay is that long): another tab
   * may have taken the lock over meanwhile. A tab that never heard the word of that attempt (one
   * opened after it was told) does so this bound and its random part after its own drop.
   *
   * A Ledger API token refresh runs on its own after four times this bound, which is as long as
   * another tab's refresh can hold the lock.
   *
   * A storage operation that does not answer within it is a `storage:error` (code `TIMEOUT`). Until
   * it settles, the storage is given nothing more: an operation whose turn comes meanwhile waits
   * for it as long again, then is given to the storage, or, if it still has not settled, is such a
   * `storage:error` (a read, a failed one); the latest write or removal that failed so is made once
   * it settled, unless a newer one was made first.
   *
   * A value that is not a positive number is the default: 0, a negative number, NaN, or no number
   * at all such as `true`. A value over 2^31 − 1 ms (about 24.8 days), `Infinity` too, counts as
   * that.
   */
  readonly requestTimeoutMs?: number | undefined
  /**
   * Bound of the whole `connect`, which waits for a person (default 300 000 ms): the request and,
   * with an asynchronous wallet, the user's answer in the wallet. It bounds a re-auth's
   * `onReauthRequired` hook as well, from the expiry on. A connect that runs out of it resolves
   * with `TIMEOUT`, and the store asks the wallet once more, silently, where it stands: a
   * connection it holds by then (its user approved as the time ran out) is taken up. A value that is not a positive
   * number (0, a negative number, NaN, no number at all such as `true`) is the default; a value over 2^31 − 1 ms (about
   * 24.8 days), `Infinity` too, counts as that.
   */
  readonly connectTimeoutMs?: number | undefined
  /**
   * The clock (default: global timers and `Date.now`; an expiry timer is unref'd where its handle
   * can be (Node), so a session merely connected never keeps the process alive, while a backoff,
   * a timeout or a wait, work still going, does). It needs all three methods: one that lacks
   * any of them makes `createSessionStore` throw a `SessionError` (code -32602).
   */
  readonly clock?: Clock | undefined
}

/**
 * A subscribable session over one CIP-0103 provider. Its functions need no `this`: each may be
 * destructured or passed on as a callback (they are declared as properties, so that linters such
 * as typescript-eslint's `unbound-method` know it).
 * @public
 */
export interface SessionStore {
  /** The current state (same reference until a real change). */
  getSnapshot: () => SessionState
  /**
   * Calls `listener` once per real change; returns the unsubscribe function. The listener may be
   * async: a throw or a rejection becomes an `error` event. After `destroy()`, also called from a
   * subscriber, it registers nothing and returns a no-op.
   */
  subscribe: (listener: (state: SessionState, previous: SessionState) => unknown) => () => void
  /**
   * Connects through the wallet; resolves with the outcome (never rejects for a wallet failure).
   * `params` (a JSON-RPC params object or array) go to the wallet's `connect`; anything else is
   * not sent, an event included, so that `connect` can be bound straight to a button. Called while
   * a connect is under way, it sends no second request and resolves with how that one ends; called
   * while connected, it asks the wallet nothing and resolves with the state as it is.
   *
   * @remarks
   *
   * A sign-out in the wallet while it waits ends it: it resolves `disconnected` with code 4900.
   * Should the wallet still answer it `isConnected: true` (it handled the connect after the
   * sign-out), the store asks `status` silently, bounded by `requestTimeoutMs`, and takes a
   * wallet that says it is connected up as a connection of its own (accounts and network read,
   * `connected`, persisted) — also when the wallet told, before that answer, a connection of its
   * own and its sign-out (words of before this connect, lagging), but not after a later
   * `connect()`, `disconnect()` or `restore()`.
   *
   * A wallet that tells a dApp nothing of its own calls may send the word of a sign-out made before
   * this connect (in the wallet, or by another tab), or of a drop, after its answer. So the first
   * `statusChanged(false)` after that answer, when the wallet told no status event since this
   * connect was asked — or, while another tab's sign-out or expiry the store heard of (`broadcast`)
   * has no word of the wallet since that it is not connected, only words that it is connected (of
   * before that sign-out: the wallet's events keep their order) — is checked with a silent `status`
   * read, bounded by `requestTimeoutMs`, also
   * while this connect still reads its accounts: the session stays (or this connect settles) when
   * the wallet says it is connected; when it says it is not, does not answer or answers what the
   * store cannot read, the word ends the session as it says (a connect still reading fails, 4900).
   * Once such a read found the wallet connected (the word was late), the next such word is checked
   * the same way, unless the wallet told a status event since that read was asked that was no word
   * that it is connected: the wallet may tell one sign-out twice (the decline of a connect it ended,
   * then its `statusChanged(false)`), and a connection it made on its own before this connect, and
   * its sign-out, may come late too.
   */
  connect: (params?: unknown) => Promise<SessionState>
  /**
   * Disconnects this tab (and, with broadcast, every tab). Resolves once the wallet answered its
   * `disconnect` request (or that timed out, or the store was destroyed), also when called from a
   * listener.
   *
   * @remarks
   *
   * A wallet gateway tells the `statusChanged(false)` of this sign-out after the answer to a
   * `connect()` made right after it, and after the late `statusChanged(true)` and `connected` of
   * the connection it ended, when that connection was made right before it. The store checks the
   * first `statusChanged(false)` after such a `connect()` with a silent `status` read, bounded by
   * `requestTimeoutMs`: it stays `connected` when the wallet says it is, and handles the event as a
   * drop (or a sign-out, with `reason: 'disconnect'`) when the wallet says it is not, does not
   * answer or answers what it cannot read. A `statusChanged(false)` that comes while that read is
   * on its way waits for its answer: when the wallet says it is connected, that word is checked in
   * turn with one more such read.
   *
   * A wallet may also handle this sign-out after a `connect()` made right after it, and answer it
   * once that connect connected the tab. Such an answer is checked with a silent `status` read too:
   * a wallet that says it is connected keeps the new session; one that says it is not ends it as a
   * drop does (`reconnecting` with a reconnect policy, else `disconnected` with code 4900).
   *
   * Once the wallet accepted this sign-out, and until its `statusChanged(false)` comes or a
   * `connect()` is made, a connection the wallet tells while the store is out with nothing under
   * way may be of before the sign-out (its events lag behind its answers): it is checked with a
   * silent `status` read, bounded by `requestTimeoutMs`. Connected (the user signed in again from
   * the wallet), the store follows it; else it stays out. The same holds after the disconnect each
   * other tab asks its wallet for as this one signs out, also a tab that was out already, and for
   * such a connection told while that read is on its way: none is taken up before its answer, and
   * an answer older than such a word is asked again.
   */
  disconnect: () => Promise<void>
  /**
   * Silently restores a live wallet session, and resolves with the session state. It never prompts
   * the user.
   *
   * @remarks
   *
   * A wallet that is not connected ends the persisted session. The entry it read is removed, not
   * one another tab wrote meanwhile. A wallet that throws or does not answer leaves the entry for a
   * later restore.
   *
   * Called while a `connect()` or a reconnect (C7) is under way, it probes nothing. It resolves
   * with the state that one ends in, not with `connecting` or `reconnecting`. That is `connected`,
   * or `disconnected` with `lastError`, also after a give-up, `cancelReconnect()` or
   * `disconnect()`.
   *
   * Called while a re-auth waits for its `onReauthRequired` hook (C12), from the hook or not, it
   * probes nothing either, and resolves at once with the state as it is, `reconnecting`: the
   * re-auth ends with its hook, which may call it. Called while connected, it resolves with the
   * state as it is.
   *
   * Should `destroy()` come first, every pending call resolves with the state at destroy.
   */
  restore: () => Promise<SessionState>
  /** Alias of `restore`, safe to destructure. */
  init: () => Promise<SessionState>
  /** The wallet provider. */
  getProvider: () => CIP0103Provider
  /**
   * Listens to one event type; returns the unsubscribe function. The handler may be async: a
   * throw or a rejection becomes an `error` event. After `destroy()`, also called from a handler,
   * it registers nothing and returns a no-op.
   */
  on: <T extends SessionEventType>(type: T, handler: (event: SessionEventMap[T]) => unknown) => () => void
  /**
   * Runs `op` now, or after a re-auth in progress (in submission order). Rejects with a
   * {@link SessionError}: `QUEUE_FULL` over `expiry.pendingQueueSize`, `REAUTH_FAILED` when the re-auth
   * fails, or when the session ends before the op's turn came — also once the re-auth succeeded,
   * while the ops before it still run (a sign-out here, in the wallet or in another tab, a drop not
   * reconnected: message `'The session ended before the operation ran'`, `cause` the session's `lastError`, `null` for a
   * sign-out); such an op never runs. `DESTROYED` after `destroy()`, and at once with code -32602
   * (JSON-RPC "invalid params") when `op` is not a function: message
   * `'enqueue needs a function: got <typeof op>'`.
   */
  enqueue: <T>(op: () => T | Promise<T>) => Promise<T>
  /** Records user activity (idle expiry). */
  touch: () => void
  /**
   * Stops a reconnect in progress (`disconnected`, 4900); with broadcast and Web Locks, in every
   * tab that shares it. It also stops the retries of a restore whose probe failed (`disconnected`,
   * with that failure as `lastError`).
   */
  cancelReconnect: () => void
  /**
   * Releases every listener, timer and channel. Idempotent; never throws (a provider's
   * `removeListener` that throws is an `error` event, with a `SessionError` of its failure).
   *
   * @remarks
   *
   * With broadcast, what this tab still held for the other tabs behind a storage write (a connect,
   * a party or network switch, an expiry), and its latest activity not told yet (idle expiry), are
   * sent to them before its channel closes.
   *
   * Called by a listener as the store signs out, it closes the channel once that sign-out told the
   * other tabs, and sends nothing it held of the session that ended.
   */
  destroy: () => void
}
