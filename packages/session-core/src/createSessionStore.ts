import {
  createEncryptedIndexedDBStorage,
  decodeSessionEnvelope,
  encodeSessionEnvelope,
  type SessionSnapshot,
  type SessionStorage,
} from '@sessionlayer/session-crypto'
import { getWebLocks, openSyncChannel, syncChannelName } from '@sessionlayer/session-sync'
import { attempt } from './attempt'
import type { CIP0103Provider } from './cip0103'
import { createMemoryStorage } from './createMemoryStorage'
import { INTERNALS, type StoreInternals } from './internals'
import { createTransition, DISCONNECTED_STATE, INITIAL_MODEL, RECONNECTING_STATE, type Effect, type Input, type MachineConfig, type Method, type Op, type Origin } from './machine'
import { primaryAccount } from './primaryAccount'
import { computeBackoffDelay, resolveRetryPolicy, kindOf, toNumber } from './retry'
import { SessionError, tokenFree, toSessionError } from './SessionError'
import type { Clock, SessionEventMap, SessionEventType, SessionState, SessionStore, SessionStoreOptions } from './types'
import { parseStatus, type WalletStatus } from './wallet'
import { answerInput, eventInput, WALLET_EVENTS } from './walletInputs'

const noop = () => undefined

/** The longest delay `setTimeout` honours (2^31 − 1 ms); longer waits are re-armed. */
const MAX_TIMER = 2 ** 31 - 1

/**
 * `value` as a number if it is a positive one, else `fallback` (0): 0, a negative number, NaN and
 * anything that is no number (`true` included) mean "not set". A numeric string from a
 * configuration counts as its number: added to a time as it is, it would make a date of digits (C12).
 */
const positive = (value: unknown, fallback = 0): number => (toNumber(value) > 0 ? toNumber(value) : fallback)

const timedOut = (what: string, ms: number) => new SessionError(`${what} within ${ms} ms`, 'TIMEOUT')

/**
 * The `disconnect()` calls under way on each provider, of every store of it in this page (an app's
 * and an embedded widget's), and those the wallet answered until its word of them comes (see
 * {@link Leaving}): the wallet's `statusChanged(false)` that comes meanwhile is that
 * sign-out, not a drop — also before the channel, which delivers later, tells of it (C6, C7, M3).
 * A store of it that connects takes them as of before its session (see `before`): that session is a
 * new one, whose drop is a drop — not one whose restore or reconnect settles: that continues the
 * session signed out, unless the wallet answered that sign-out already (the call ends then). Each
 * call is kept in the set it joined.
 */
const leavingOf = new WeakMap<object, Set<Leaving>>()
/**
 * A `disconnect()` call in {@link leavingOf}: `heard`, the wallet said it is not connected since it
 * was made; `answered`, the wallet accepted it, and the call stays until that word comes — a gateway
 * tells its events apart from its answers, after them (C6, C12, M3); `before`, a store of the provider
 * connected since: the wallet is connected again, and sends its word of the call, if any, before
 * the events of that connection — and after those of the connection the call ended, which may still
 * be on their way. The first `statusChanged(false)` ends the call (see `before` in the store).
 */
type Leaving = { heard?: 1; answered?: 1; before?: 1 }
/**
 * The providers a store that showed no session signed out of, the wallet accepting it, with no store
 * of theirs connected since: the wallet may have held a session the store had not heard of yet (its
 * events lag behind its answers), and owes no word of it if not. A connection it tells while a store
 * is out is checked first (see the wallet listener), also after a connect() since that failed (C6, C19).
 */
const blinded = new WeakSet()

const defaultStorage = (): SessionStorage => {
  try {
    // An opaque origin (a frame sandboxed without allow-same-origin) has `indexedDB`, but each open()
    // throws: memory then, not a storage:error per operation (K7). Its `location` is its URL's
    // (https:, or about: for srcdoc); a file:// page's origin is 'null' too, where IndexedDB works.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- absent outside browsers
    if (globalThis.indexedDB && globalThis.crypto?.subtle && (globalThis.origin != 'null' || location.protocol == 'file:')) return createEncryptedIndexedDBStorage()
  } catch {
    // reading `indexedDB` throws where some browsers deny storage: no IndexedDB then. A third-party
    // frame whose storage is blocked has it, and each operation fails: a storage:error (K7)
  }
  return createMemoryStorage()
}

/** A pending `connect()` / `restore()`: resolved once its `input` left the queue and the machine's op is none of `ops` (none at all without `ops`). */
type Waiter = [ops: readonly Op[] | undefined, resolve: (state: SessionState) => void, input: Input]

/**
 * Creates the session store for a CIP-0103 provider: the pure machine of `machine.ts`, and this
 * small shell that runs its effects — wallet requests with timeouts, persistence, the tab
 * channel, timers through the injected clock, and events.
 *
 * @param provider - the wallet's CIP-0103 provider
 * @param options - persistence, reconnect, expiry, multi-tab and timeouts (a `null` option, or
 * `null` options, keep their defaults)
 * @returns the store; call `init()` once on the client to restore a live session
 * @throws {@link SessionError} with code `INVALID_PROVIDER` when `provider` has no `request`,
 * `on` or `removeListener` function, or when its `on()` throws for one of the wallet events (that
 * error is the `cause`, unless it may carry an access token): nothing is then left behind, no listener on the provider, no tab channel,
 * no timer; with code -32602 (invalid params) when `options.clock` lacks `now`, `setTimeout` or
 * `clearTimeout`, when `expiry.ttlMs` or `expiry.idleTimeoutMs` is given but is no number of
 * 0 or more (a negative number, NaN, a string such as `'8h'`, a boolean), or when `expiry` itself
 * is given but is no object (`expiry: 3600000`, `'yes'`; `null` and `false` set none): taken as no
 * expiry, it would leave the session without the limit asked for; when `expiry.onReauthRequired`
 * or `onInvalidate` is given but is no function (a promise from calling the hook instead of passing it);
 * or when `persistSnapshot`, `reconnect` or `broadcast` is a string (`'false'`, from a configuration,
 * would count as true)
 * @example
 * ```ts
 * const wallet = window.canton // undefined without a wallet extension: show an install page then
 * if (wallet) {
 *   const store = createSessionStore(wallet, { reconnect: true, broadcast: true })
 *   store.subscribe((state) => render(state))
 *   await store.init()
 * }
 * ```
 * @public
 */
export function createSessionStore(provider: CIP0103Provider, options?: SessionStoreOptions): SessionStore {
  // `destroy()` needs removeListener: a provider without it fails here, not at unmount
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- misuse from JavaScript
  if (typeof provider?.request != 'function' || typeof provider.on != 'function' || typeof provider.removeListener != 'function') {
    throw new SessionError('createSessionStore needs a CIP-0103 provider', 'INVALID_PROVIDER')
  }
  // A null option (a JSON configuration has them), or null options, is no option: its default
  options ??= {}
  const key = options.storageKey ?? 'sessionlayer.session'
  const persistSnapshot = options.persistSnapshot ?? true
  const expiry = options.expiry ?? {}
  const clock: Clock = options.clock ?? {
    now: () => Date.now(),
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (handle) => {
      clearTimeout(handle as ReturnType<typeof setTimeout>)
    },
  }
  // A clock without its three methods, or a hook given that is no function (`onReauthRequired:
  // reauth()`, a promise), is misuse: a coded error now, before anything is opened — not a TypeError
  // at its first use, a failed re-auth at the expiry or an `error` event at each change. A hook
  // false or null is none (C11, C12): from JavaScript, `cond && hook` gives one.
  /* eslint-disable @typescript-eslint/unbound-method, @typescript-eslint/prefer-nullish-coalescing -- only their kind is read; false is none */
  for (const [f, v] of Object.entries({
    'clock.now': clock.now,
    'clock.setTimeout': clock.setTimeout,
    'clock.clearTimeout': clock.clearTimeout,
    'expiry.onReauthRequired': expiry.onReauthRequired || noop,
    onInvalidate: options.onInvalidate || noop,
  })) {
    if (typeof v != 'function') throw new SessionError(`createSessionStore needs ${f} as a function: got ${typeof v}`, -32602)
  }
  /* eslint-enable @typescript-eslint/unbound-method, @typescript-eslint/prefer-nullish-coalescing */
  // A yes/no option given as a string would count by its truthiness: `'false'`, read from a
  // configuration, as true. Misuse, told now, as an expiry that is no object is (C7, C15, M1).
  for (const f of ['persistSnapshot', 'reconnect', 'broadcast'] as const) {
    if (typeof options[f] == 'string') throw new SessionError(`createSessionStore needs ${f} as a boolean: got string`, -32602)
  }
  // An expiry that is no object (`expiry: 3600000`, `'yes'`) would set none: misuse, as an unusable
  // ttlMs is (below), told by its kind. `false` is none, as null is.
  if (typeof expiry != 'object' && (expiry as unknown) !== false) throw new SessionError(`createSessionStore needs expiry as an object: got ${typeof expiry}`, -32602)
  /**
   * An expiry option in ms: absent (undefined, null), 0 and Infinity set none; a numeric string (a
   * configuration's) is its number. Anything else given ('8h', -1, NaN, true) is misuse, told now:
   * taken as none, a security setting would silently fail open (C12). Its kind is told, never a long value.
   */
  const ms = (f: 'ttlMs' | 'idleTimeoutMs', v: unknown = expiry[f], n = toNumber(v ?? 0)) => {
    if (n >= 0) return n
    throw new SessionError(`createSessionStore needs expiry.${f} in ms, 0 or more: got ${kindOf(v)}`, -32602)
  }
  // no idle timeout (0) never ends: Infinity
  const idle = ms('idleTimeoutMs') || Infinity
  const ttl = ms('ttlMs')
  const onInvalidate = options.onInvalidate
  const reconnect = options.reconnect
  const storage = options.storage ?? defaultStorage()
  const sync = options.broadcast ? (options.broadcast === true ? {} : options.broadcast) : undefined
  const channel = sync && openSyncChannel(syncChannelName((globalThis as { location?: Location }).location?.origin ?? 'null', key), sync)
  /**
   * Web Locks only: without them each tab reconnects on its own (M6), so no in-tab lock is needed.
   * The Ledger API token refresh takes them also with broadcast off (`sync` undefined: the default
   * options): tabs share it all the same (L2).
   */
  const locks = getWebLocks(sync)
  // A timeout of 0, a negative one or NaN would fail every call at once: the default then (C17).
  // bounds, so never longer than a timer waits at once (the longer waits `later` re-arms are delays)
  const requestTimeoutMs = Math.min(positive(options.requestTimeoutMs, 1e4), MAX_TIMER)
  const connectTimeoutMs = Math.min(positive(options.connectTimeoutMs, 3e5), MAX_TIMER)
  const config: MachineConfig = {
    retry: reconnect ? resolveRetryPolicy(reconnect) : null,
    // a TTL that never ends (Infinity) is none: 0
    ttlMs: ttl < Infinity ? ttl : 0,
    reauth: !!expiry.onReauthRequired,
    lead: !!(locks && channel?.isLive),
    bound: requestTimeoutMs,
  }
  /**
   * The pending timers of this store (each by the token `later` returned, with its clock handle),
   * all through its clock, so that `destroy()` leaves none behind (C14).
   */
  const timers = new Map<unknown, unknown>()
  /**
   * What a clock's timer function `name` is called on. The platform's own timers, handed over as they
   * are (`{ now: Date.now, setTimeout, clearTimeout }`), run only on their own global object, or
   * on none (undefined): called on the clock, a browser's throw "Illegal invocation". They are the
   * global ones (`g`), or host functions (`[native code]`): once fake timers or an error monitor's
   * wrappers replaced the global ones since the clock was made, or those of the start compartment
   * inside an SES Compartment, whose `globalThis` is another object. Any other function is the
   * clock's method (C17).
   */
  const thisOf = (name: string, g: unknown, f = (clock as unknown as Record<string, unknown>)[name]) => (f == g || String(f).includes('[native') ? undefined : clock)
  /**
   * Runs `fn` after `ms` (at least 0); returns its token. A wait longer than a timer allows (a
   * backoff delay of a month) is re-armed under the same token, for what is left by the clock:
   * timers stand still while the system sleeps, the clock does not (C12). An endless wait
   * (Infinity) is the longest one a timer takes. A destroyed store arms nothing, also for what a
   * listener that destroyed it left to do (C14). A `weak` timer (an expiry, the activity told to other tabs: no work under way) is
   * unref'd where its handle can be (Node), so that a session merely connected never keeps a
   * process alive; a backoff, a timeout or a wait does, as the work it bounds is still going (§1, C12).
   */
  const later = (fn: () => void, ms: number, weak?: unknown, token = {}): unknown => {
    if (!destroyed) {
      const due = clock.now() + ms
      const handle = clock.setTimeout.call(thisOf('setTimeout', setTimeout), () => {
        timers.delete(token)
        if (ms > MAX_TIMER && ms < Infinity) later(fn, due - clock.now(), weak, token)
        else fn()
      }, Math.min(Math.max(0, ms), MAX_TIMER)) as { unref?: () => void } | undefined
      if (weak) handle?.unref?.()
      timers.set(token, handle)
      return token
    }
  }
  /** Cancels a pending timer: true if it was one (a fired or unknown token: a no-op). */
  const cancelTimer = (token: unknown) => timers.has(token) && (clock.clearTimeout.call(thisOf('clearTimeout', clearTimeout), timers.get(token)), timers.delete(token))
  /** How many `enqueue`d ops may wait for a re-authentication (C13): 32 unless a number of 0 or more. */
  const queueSize = toNumber(expiry.pendingQueueSize) >= 0 ? Number(expiry.pendingQueueSize) : 32

  let model = INITIAL_MODEL
  const transition = createTransition()
  /** Bumped whenever the op changes: answers and callbacks of an older op are dropped. */
  let gen = 0
  /** Counts the reads of the persisted snapshot (and those not answered yet), and the disconnect requests. */
  let loads = 0
  let reading = 0
  let disconnects = 0
  /**
   * What the latest read of the persisted entry found (undefined: it failed), or the latest write
   * of this tab put there: the entry of this tab's session, the one a checked removal takes. Null
   * before either: a tab that neither read nor wrote one holds no entry to remove (M3).
   */
  let read: unknown = null
  let destroyed = false
  /**
   * A framework binding's store, which the binding restores once its components have subscribed (a
   * third argument, 1, outside the public signature): 1 until its `init()`, then 2. Its first paint
   * shows the restore about to start, not a disconnected store (a Connect button): it reads as
   * `RECONNECTING_STATE` until `init()` — as long as nothing else happened to it, e.g. a connect — and
   * as disconnected once destroyed, restored or not: no restore comes then (C9, C14).
   */
  // eslint-disable-next-line prefer-rest-params -- hidden from the public signature
  let bound = arguments[2] as number | undefined
  let busy = false
  const inputs: Input[] = []
  const listeners = new Set<(state: SessionState, previous: SessionState) => unknown>()
  /** The subscribers as of the last (un)subscribe: a notification walks a stable list without copying it. */
  let listenerList: readonly ((state: SessionState, previous: SessionState) => unknown)[] | null | undefined
  const handlers = new Map<string, Set<(event: never) => void>>()
  const waiters = new Set<Waiter>()
  const inflight = new Set<string>()
  /** The latest request of each method, to its input (disconnect() and a re-auth hook's connect() await it). */
  const latest = new Map<Method, Promise<Input>>()
  let io: Promise<unknown> = Promise.resolve()
  /** The snapshot write queued behind other storage operations and not started yet. */
  let queuedSave: { snapshot: SessionState } | null | undefined
  let ioPending = 0
  /** The step being run queued its snapshot write behind another storage operation. */
  let behind = false
  /** The broadcasts held (see `post`): the chain that sends them in the order they were issued, and those not sent yet. */
  let posts: Promise<unknown> = io
  let waiting: Extract<Effect, readonly ['post', ...unknown[]]>[] = []
  /**
   * Sends the held broadcasts at once: `all` of them as the tab closes (destroy()), whose writes may
   * land after it or never, and closes the channel, else only an expiry, the others dropped: their
   * session ended, here or in another tab (C12, M3-M5).
   */
  const tellHeld = (all?: unknown) => {
    for (const e of waiting) if (all || e[1] == 'expiry') channel?.post(e[1], e[2])
    waiting = []
    if (all) channel?.close()
  }
  /**
   * The storage call of this store that has not settled, even if its timeout fired (a blocked
   * IndexedDB open): the storage is asked nothing more until it has. Each call the storage keeps
   * waiting holds what it was given, for as long as the page lives (K7).
   */
  let hung: Promise<unknown> | 0 = 0
  /** The latest write that gave up waiting for that call (its `go`, see `persist`), made once it settled. */
  let owed: (() => Promise<unknown>) | 0 = 0
  let retryTimer: unknown
  /** `connectTimeoutMs` bounds the whole connect, the user's approval included (C17). */
  let connectTimer: unknown
  let expiryTimer: unknown
  let lastActive = clock.now()
  let lastActivityPost = 0
  let activityTimer: unknown
  let live: WalletStatus | null = null
  /**
   * The network `live`'s access is for: the one its status tells, else the store's as it came while
   * connected, else the one it connects on — the first one the store learns, when it knew none. On
   * another network it is no access (L1).
   */
  let liveNet: string | null | undefined
  /**
   * The access whose party a token refresh's account read told, no switch heard meanwhile: a later
   * 401 of an older token takes it as it is, without reading the accounts again (L2).
   */
  let known: WalletStatus | undefined
  /**
   * Wallet requests and events are numbered as they are asked or come; `heard` is the number of
   * the latest status that told of access — a token, a drop, another network or Ledger API — (or
   * of the latest disconnect, which clears it). An answer that something
   * newer overtook — an event, a disconnect, a later request's answer — changes nothing (C17, L1).
   */
  let asks = 0
  let heard = 0
  /**
   * The number of the latest wallet event of each kind (accounts, network, status): an answer of
   * that kind asked before it is older than its word (C3, C11). None yet: undefined, which no
   * number is below.
   */
  const told = {} as Record<Input['type'], number>
  /** The number of this store's latest request of each method (see `check`). */
  const sent = {} as Record<Method, number>
  /**
   * The `disconnect()` calls of the provider (see {@link leavingOf}) under way, or answered with no
   * word of the wallet yet, as a connect of this store succeeded: the wallet sends its word of them
   * before the events of that connection, a gateway after the answer to the connect — and after the
   * late `statusChanged(true)` and `connected` of the connection the sign-out ended, when the connect
   * came before them: a positive event ends no call. That word ends nothing here; the first
   * `statusChanged(false)` ends the calls, checked, also where the wallet never tells of the sign-out
   * and it is a drop (C6, C7, C19).
   */
  const before = new WeakSet<Leaving>()
  /**
   * The number of this store's latest `connect` request, while no wallet status event came since
   * (see `told`) and the store was not out since: a wallet may tell a dApp nothing of the connection
   * it asked for, and its events lag behind its answers, so a sign-out or drop word it sent before
   * that connect may come after its answer. The first one is checked (see the wallet listener), and
   * so is the next one once that check found the wallet connected: the number of that read then —
   * or of a word that the wallet is connected that came since: the words lag, that one may be of a
   * connection the wallet made on its own before that connect, as the sign-out after it (C6, C7, C19).
   */
  let own = 0
  /** The number of the latest `connect` request the wallet answered (or failed). */
  let replied = 0
  /**
   * Another tab signed out, or its session expired (M3), and the wallet has said since of no status
   * that it is not connected: its word of that sign-out may still be on its way, lagging behind the
   * answers — also behind those of a connect() asked since — and the wallet's words that it is
   * connected that come before that word are of before the sign-out (its events keep their order).
   * Such a word keeps the next sign-out or drop word after a connect checked (see `own`) (C6, C7, M3).
   */
  let out: unknown
  /**
   * This store asked the wallet to disconnect — its `disconnect()`, or following another tab's
   * sign-out (M3), also while out — (2), and the wallet accepted it (1); it has neither connected
   * since nor heard the wallet say it is not connected since it accepted it. A word that the
   * wallet is connected may then be of before that sign-out, lagging (its events keep their order,
   * and a wallet that tells a dApp nothing of its own calls never sends the word of it): told while
   * the store is out with no op, it is checked before it is followed (see the wallet listener), and
   * told as a connect() runs after that sign-out was accepted, it is checked, not taken as the
   * user's approval (see `vetting`) (C6, C19, M3).
   */
  let quit: unknown
  /**
   * A silent `status` read checks a sign-out word (see the wallet listener): 1, else the latest
   * word that the wallet is not connected that came meanwhile, by its number (see `asks`) and its
   * arguments, which waits for that check's answer — else the wallet's repeated word would end the
   * session the check keeps. Connected, that word is checked in turn (see `check`) (C6, C7).
   */
  let checking: 0 | 1 | [number, unknown[]] = 0
  /**
   * The session a check under way was asked in (`gen`, plus one while an op runs, as `check` reads
   * it): a word of a later one does not wait for it, nor does that check's answer, come late, touch
   * the check of such a word (C6, C7, C17).
   */
  let checkIn = 0
  /**
   * The number of the latest `accountsChanged` that told of another party than the store's: one
   * that tells the same accounts again, or more of them with the same primary, switches none (C2, C11, L2).
   */
  let switchTold = 0
  /**
   * A status answer asked before the wallet's latest word on the network (`chainChanged`, a status
   * event that tells one) tells no network: that word stands, not the network it was on (C9, C11, L2).
   */
  const aged = (input: Input, asked: number): Input => (input.type == 'status' && asked < told.network ? { ...input, networkId: undefined } : input)
  /**
   * This tab's reconnect leadership, or its wait for it (M6). `leading`: 2 once it leads (the lock
   * came, or Web Locks refused it); 1 while it takes the attempts over from a leading tab gone
   * silent without the lock: its `steal` still waits, or the lock manager refused it (see `lead`).
   */
  let leadership: [release: () => void, abort: AbortController, leading?: 1 | 2] | null | undefined
  const lockName = `sessionlayer.reconnect::${key}`
  /**
   * The clients that hold the reconnect lock, as the lock manager's `query()` tells them (the
   * `clientId` of each, the same for the locks of one tab); undefined where it tells none: it has
   * no `query()`, or it fails, or its answer is no snapshot (M6).
   */
  const holders = () =>
    attempt(async () => (await (locks as unknown as { query: () => Promise<{ held: { name: string; clientId?: string }[] }> }).query()).held.filter((l) => l.name == lockName).map((l) => l.clientId)).catch(noop)
  /** The client id of this tab's reconnect lock, as the lock manager told it once the lock came. */
  let me: string | undefined
  /** The `attempt` messages heard: a leading tab's word, each one, also one that repeats an attempt (M6). */
  let beats = 0
  let connectParams: unknown
  /**
   * End the waits for the user's answer in the wallet during a re-auth: one per connect() that
   * waits, as more than one may (the app's own Connect and the hook's), all ended by the answer,
   * the end of the re-auth (its bound included) or destroy().
   */
  const userAnswered = new Set<() => void>()
  const answerAll = () => {
    // one by one, not clear(): that allocates a new table even for an empty set, on every status
    // event
    for (const answered of userAnswered) {
      userAnswered.delete(answered)
      answered()
    }
  }
  /**
   * The operations `enqueue`d while a re-authentication runs, each with its promise's settlers —
   * and `late`: enqueued as it ended, before its outcome reached them.
   */
  const held: [op: () => unknown, resolve: (value: unknown) => void, reject: (error: unknown) => void, late?: boolean][] = []
  /** The held ops a re-authentication released that have not started yet, in submission order. */
  let rest: typeof held = []
  /**
   * The run of the ops a re-authentication released: those the next one releases start once it is
   * over — in the same session (C13).
   */
  let drain: unknown
  /**
   * Rejects `items` (every held op, taken from the queue) with `error`, without running them —
   * except one enqueued once the re-authentication had failed: that one runs, as on any session
   * not re-authenticating (C13).
   */
  const rejectHeld = (error: SessionError, items = held.splice(0)) => {
    for (const [op, resolve, reject, late] of items) {
      if (late && !destroyed) attempt(op).then(resolve, reject)
      else reject(error)
    }
  }
  /** Aborts the signal of the re-auth hook that still runs, once the store no longer waits for it. */
  let hookAbort: AbortController | null | undefined
  /** Ends the re-auth of a hook that never settles (C17): cleared as the hook's part ends. */
  let hookTimer: unknown

  /**
   * Calls an event handler or a callback with `arg`: what it throws, and what an async one
   * rejects with, goes to `failed`, never to the wallet's emitter or the store (C16).
   */
  const isolate = (failed: (error: unknown) => void, run: (arg: never) => unknown, arg?: unknown) => {
    try {
      void (run(arg as never) as Partial<Promise<unknown>> | undefined)?.catch?.(failed)
    } catch (error) {
      failed(error)
    }
  }
  const emit = <T extends SessionEventType>(type: T, event: SessionEventMap[T]) => {
    // a copy: a handler may unsubscribe itself or another one; one removed meanwhile (the handler of a
    // component or scope that an earlier one disposed) gets no more, as in the sync channel, and one
    // added meanwhile is called from the next event on; none once a handler destroyed the store,
    // whose handlers are then gone (C14). No new set, nor a copy, for an event no handler listens to
    // (a network switch emits two): made and copied for each of them, those cost every wallet event
    // nearly a tenth more.
    // an `error` handler that fails is not reported again: that could go on without end
    const set = handlers.get(type)
    if (set) for (const handler of [...set]) if (handlers.get(type)?.has(handler)) isolate(type == 'error' ? noop : report, handler, event)
  }
  const report = (error: unknown) => {
    emit('error', { error })
  }

  /** Rejects the wallet requests in flight, and ends the waits of `disconnect()`; `destroy()` settles them (their timeouts are gone). */
  const aborts = new Set<(error: SessionError) => void>()
  /**
   * What `run` returns, or a TIMEOUT failure after `ms` (C17). Started after destroy(), it arms
   * no timer on the destroyed store (C14). Wallet requests are `abortable` (destroy() settles them);
   * storage operations are not: the ones queued behind must not overtake one at destroy() (a
   * removal overwritten by the write before it).
   */
  const bounded = (what: string, ms: number, run: () => unknown, abortable?: typeof aborts): Promise<unknown> =>
    new Promise((resolve, reject) => {
      // a request that never settles is dropped here too: `aborts` keeps no timed-out one (C17)
      const timer = later(() => {
        reject(timedOut(what, ms))
        aborts.delete(reject)
      }, ms)
      abortable?.add(reject)
      attempt(run)
        .then(resolve, reject)
        .finally(() => {
          cancelTimer(timer)
          aborts.delete(reject)
        })
    })

  /** Runs `go` once the storage operations before it are done. */
  const queue = (go: () => Promise<unknown>) => {
    io = (ioPending++ ? io.then(go) : go()).finally(() => {
      ioPending--
    })
  }
  /**
   * Storage operations run one at a time in effect order; when none is pending the call is made
   * at once, so a write is issued before the broadcast that follows it (C11); a write queued
   * behind others holds that broadcast until it is done (see `post`). A failure is a
   * `storage:error`, never a broken session (C15). One that never settles (a blocked IndexedDB
   * open) fails after `requestTimeoutMs`: it must not hold the operations behind it, a restore or
   * a `disconnect()` forever. Nor is the storage given them while it has not settled: each would
   * wait there behind it. An operation whose turn comes meanwhile waits for it, as long as
   * `requestTimeoutMs` more: a storage that is merely slow then gets it, in order. Else it fails as
   * that call did, a read as a failed one, and the latest write (or removal) that did is made once
   * that call settled — also after destroy(), as a queued one is — unless a newer one was made
   * before: the calls stay one at a time, so a removal is never undone by the write before it (C6, K7).
   */
  const persist = (operation: 'get' | 'set' | 'remove', run: () => unknown, then?: (value?: unknown) => void) => {
    const what = 'The storage did not answer'
    const issue = () =>
      bounded(what, requestTimeoutMs, () => {
        // a write made supersedes the one owed, older
        if (operation != 'get') owed = 0
        return (hung = attempt(run).finally(() => {
          hung = 0
          // The latest write owed is made after the operations still queued, which wait no more:
          // never before a newer one, nor at once beside them.
          if (owed) queue(async () => owed && owed())
        }))
      })
    const go = (): Promise<unknown> =>
      (hung
        ? bounded(what, requestTimeoutMs, () => hung)
            .catch(noop)
            // Not given to the storage: a write is owed, the latest one. It is no write waiting its
            // turn either: a change after it is a write of its own.
            .then(() => (hung ? Promise.reject(((queuedSave = null), operation != 'get' && (owed = go), timedOut(what, requestTimeoutMs))) : issue()))
        : issue()
      ).then(then, (error: unknown) => {
        emit('storage:error', { operation, error })
        then?.()
      })
    queue(go)
  }

  /**
   * A wallet request bounded by a timeout (C17). The connect request's bound is the whole connect's,
   * and reads as it does: whichever of the two a clock runs first, the wallet did not connect.
   */
  const request = (method: Method): Promise<unknown> => {
    const params = method == 'connect' ? connectParams : undefined
    return bounded(
      method == 'connect' ? 'The wallet did not connect' : `The wallet did not answer ${method}`,
      method == 'connect' ? connectTimeoutMs : requestTimeoutMs,
      () => provider.request(params === undefined ? { method } : { method, params }),
      aborts,
    )
  }

  /**
   * Live Ledger API access follows every status the wallet reports (memory only), the newest one —
   * but a connected one that tells no token, and neither another network nor another Ledger API,
   * keeps the access of the session that stays connected: wallets re-announce a connection
   * without it (the `connected` event). Telling nothing of access, it is no newer word on it
   * either: an older answer that carries a token, e.g. the token refresh's, still counts. A
   * session that ended, or a switch, keeps nothing (L1).
   */
  const noteLive = (input: Input | null, asked = ++asks) => {
    // an event that comes as this tab leaves the wallet is of before the sign-out, as the machine takes it: no access (C6)
    // a connect answer that tells a connection is a live status too (C3); one still waiting for the user tells nothing of access
    if (input?.type == 'status' && (input.via != 'connect' || input.connected) && asked > heard && (input.via == 'probe' || !model.leaving)) {
      // not connected: what the wallet told since the session before ended, which cleared its access
      const on = model.snapshot.status == 'connected'
      const kept = on ? internals.live() : live
      // once connected on none, the first network a status tells is no switch, as for chainChanged (C11)
      const news = !input.connected || !!input.accessToken || ((input.networkId ?? liveNet) !== liveNet && (liveNet != null || !on)) || (input.ledgerApi ?? kept?.ledgerApi) !== kept?.ledgerApi
      if (news) heard = asked
      if (news || !kept) {
        live = input.connected ? input : null
        // told none: the store's network once connected, not one a reconnect still shows (L1)
        liveNet = input.networkId ?? (on ? model.snapshot.networkId : null)
      }
    }
  }

  /**
   * Asks the wallet silently where it stands, the store out with no op: connected, and nothing
   * happened since (no op, no sign-out of the app), it is a connection the wallet holds, taken up
   * as one it made on its own (C19), and the next sign-out word is checked (see `own`). A word that
   * the wallet is not connected told meanwhile may be as old as that answer (the words lag): the
   * wallet is asked again; one that it is connected was followed. Not connected, or no answer:
   * nothing changes, nothing is told (C17).
   */
  const verify = () => {
    const idle = () => !model.op && !model.gone && model.snapshot.status == 'disconnected'
    if (!idle()) return
    const at = ++asks
    const g = gen
    void request('status').then((value) => {
      const status = answerInput('status', value, 'local')
      if (status.type == 'status' && status.connected && g == gen && idle()) {
        // a word that the wallet is not connected told meanwhile may be as old (the words lag): asked again
        if (told.status > at) verify()
        else {
          // the next sign-out word may be of before it too: checked (see `own`)
          own = at
          noteLive(status, at)
          dispatch(aged(status, at))
        }
      }
    }, noop)
  }
  /** Asks the wallet; the answer comes back as an input unless the op has moved on (a late answer changes nothing). */
  const call = (method: Method, origin: Origin) => {
    const tag = gen
    const asked = ++asks
    // Only the answer to the latest disconnect ends this tab's leaving (an earlier one may come late).
    // Leaving also forgets that session's Ledger API access: the next session is never handed it (L1).
    const mine = method == 'disconnect' ? ++disconnects : 0
    if (method == 'connect') own = asked
    if (mine) {
      live = null
      heard = asked
      quit = 2
    }
    // One request of a kind at a time — but every disconnect reaches the wallet: it may have
    // connected again since the one in flight.
    const id = `${tag}:${method}:${origin}:${mine}`
    if (inflight.has(id)) return
    inflight.add(id)
    // a status read that checks a connect's word (see `vetting`) is part of that connect, no op of the app (see below)
    if (method != 'status' || !model.vetting) sent[method] = asked
    latest.set(
      method,
      request(method)
        // an answer that cannot even be read (a throwing getter) is a failed call (C18)
        .then((value): Input => {
          // A network that carries Ledger API access is live access too (L1), e.g. after a connect
          // whose wallet sends no statusChanged.
          const network = method == 'getActiveNetwork' && parseStatus({ connection: { isConnected: true }, network: value })
          if (network && network.accessToken) noteLive(network, asked)
          return method == 'disconnect' ? ((quit &&= 1), { type: 'left' }) : answerInput(method, value, origin)
        })
        .catch((error: unknown): Input => ({ type: 'fail', verb: method, origin, failure: toSessionError(error) }))
        .then((input) => {
          inflight.delete(id)
          if (method == 'connect') replied = asked
          noteLive(input, asked)
          // its failure too: a newer event of its kind told what it was to tell (C3, C7, C9)
          if (asked < told[method == 'listAccounts' ? 'accounts' : method == 'getActiveNetwork' ? 'network' : 'status']) input = { ...input, overtaken: true } as Input
          input = aged(input, asked)
          // an answer after a system sleep, e.g. a reconnect attempt's, finds the session expired (C7, C12)
          due()
          // The end of the latest disconnect matters whatever happened since (it ends `leaving`).
          // A re-read of a connected session (another tab's switch (M5), a token refresh (L2)) is
          // of the session it was asked in: once that ended, its answer is no account or network of
          // the next one, nor one announced meanwhile (C3, C5). An earlier disconnect's answer that
          // finds the tab connected again matters too: the wallet may have handled it last (C6, C19).
          // A sync under way as the wallet accepts this store's sign-out read what may be of before
          // it: its answers on their way are dropped, and the machine asks again (C6, C19).
          if (mine && mine == disconnects && input.type == 'left' && model.op == 'sync') gen++
          // A session taken up while this disconnect was unanswered (a connect() asked with it): the
          // accounts or network an event told meanwhile, read by nothing since, may be of the
          // connection that sign-out ended (its words lag): read again (C6, C11, M5).
          if (mine && mine == disconnects && input.type == 'left' && model.snapshot.status == 'connected') {
            if (told.accounts > asked && !(sent.listAccounts > told.accounts)) call('listAccounts', 'local')
            if (told.network > asked && !(sent.getActiveNetwork > told.network)) call('getActiveNetwork', 'local')
          }
          if (mine ? mine == disconnects || model.snapshot.status == 'connected' : tag == gen && (model.op || model.snapshot.status == 'connected')) dispatch(input)
          // The answer to a connect that the wallet's word of a sign-out ended, and no op of the app
          // since (no later connect, no status asked: a restore, a reconnect), that tells it connected:
          // it approved after that word, or its user did. A wallet may tell nothing of the connection a
          // dApp asked for, so it is asked silently; connected, that is a connection of its own (C19).
          // The connect() failed at the sign-out all the same (C3). So also once the store took up a
          // connection the wallet told meanwhile, and its sign-out word ended it: lagging, those words
          // may be older than the answer (C6). Its check (see `verify`) is dropped once the session
          // moved on (a word that the wallet is connected is followed), or the app signed out
          // meanwhile (`gone`: a disconnect() while disconnected is no op, and stands); a sign-out
          // word meanwhile may be as old as its answer, and has the wallet asked again (C6).
          else if (method == 'connect' && input.type == 'status' && input.connected && input.overtaken && sent.connect == asked && !(sent.status > asked) && !model.op && (model.snapshot.lastError?.code ?? 4900) == 4900) verify()
          return input
        }),
    )
  }

  /**
   * Expires a session whose TTL or idle deadline has passed; true when none has. Activity and the
   * wallet's events and answers check too: after a system sleep the timer fires late, and the first
   * touch() or enqueue() must not revive the session, nor run an op on it, and the wallet coming
   * back must not show it reconnected (C7, C12, C13). The machine ignores it when not connected.
   */
  const lives = () => {
    const ttlAt = model.snapshot.expiresAt ?? Infinity
    const idleAt = lastActive + idle
    // the deadline that passed first, also when a late timer finds both passed; on the same
    // millisecond the TTL, the hard cap the app set, which no activity could have moved (C12)
    const at = Math.min(ttlAt, idleAt)
    if (clock.now() < at) return true
    dispatch({ type: 'expire', reason: idleAt < ttlAt ? 'idle' : 'ttl', at })
  }
  /** {@link lives}, while the expiry timer is armed: false when it is not (no session to expire). */
  const due = () => timers.has(expiryTimer) && lives()

  /**
   * One expiry timer for the earlier of TTL and idle deadlines; long waits are re-armed (C12).
   * Also while a reconnect runs: activity then moves the idle deadline, and the TTL must still
   * end the session on time, not once the wallet is back (C7, C12).
   * On most systems timers do not count the time the system sleeps: a timer set for all that is
   * left would show a session whose deadline passed in a sleep connected for hours after the wake.
   * So it checks the clock before the deadline, and is re-armed: at most a minute late in the last
   * 100 minutes, at most 1 % of what was left before (a 5-year TTL takes ~1,100 checks) (C12).
   */
  const arm = () => {
    cancelTimer(expiryTimer)
    const left = Math.min(model.snapshot.expiresAt ?? Infinity, lastActive + idle) - clock.now()
    if ((model.snapshot.status == 'connected' || model.op == 'reconnect') && left < Infinity) {
      const wait = Math.min(Math.max(left / 100, 6e4), left)
      const at = clock.now() + wait
      expiryTimer = later(
        () => {
          // An idle deadline over a second late: a page the system suspended, which runs its overdue
          // timers as it wakes before the words the other tabs sent meanwhile — their activity, which
          // moves that deadline. It is checked a task later, after them: else this tab would end, in
          // every tab, a session the user kept using (C12, M2). (A TTL no activity moves; a session
          // begun since is found in the entry, see `check` in the machine.)
          if (clock.now() - at > 1e3 && lastActive + idle < (model.snapshot.expiresAt ?? Infinity)) expiryTimer = later(() => lives() && arm(), 0, 1)
          else if (lives()) arm()
        },
        wait,
        1,
      )
    }
  }

  /** The token of the leadership keep() keeps (a second more, see there). */
  let keeping: unknown
  /** Gives up reconnect leadership, or the wait for it: the lock is released, its request aborted. */
  const resign = () => {
    leadership?.[0]()
    leadership?.[1].abort()
    cancelTimer(leadership?.[1])
    leadership = null
  }
  /**
   * Lets the reconnect lock this tab holds (`abort`: its token, the current leadership's) go a second
   * from now, unless it reconnects then, or it was let go or taken meanwhile. Weak: nothing is under way (M6).
   */
  const keep = (abort = leadership?.[1]) => {
    cancelTimer(abort)
    keeping = abort
    later(() => leadership?.[1] == abort && model.op != 'reconnect' && resign(), 1e3, 1, abort)
  }
  /**
   * Another tab took this tab's lock (it went silent, frozen), or took the attempts over with it
   * (see `subscribe`): that tab runs the attempts now, this one stops its own and follows it, and
   * asks for the lock again a second later while the reconnect lasts: behind that tab, or alone, to
   * run the attempts (C7, M6). `gone`: this tab's leadership goes first (resign()).
   */
  const lost = (gone?: 1) => {
    if (gone) resign()
    if (leadership?.[0] != noop) dispatch({ type: 'lead', lost: true })
    leadership = null
    later(() => model.op == 'reconnect' && !leadership && lead(), 1e3)
  }
  /**
   * Reconnect leadership (M6): hold the tab lock while this tab runs the attempts. `steal` (1): this
   * tab takes them over from a leading tab gone silent, and the lock with them.
   */
  const lead = (steal?: 1) => {
    // Asked again while waiting for the lock: keep waiting. Already leading (the lock came while
    // the wallet was back, then it dropped again before the session settled): attempt now.
    // A store destroyed by a listener gets here no more (see `dispatch`); one destroyed while it
    // waits for the lock takes it only to release it: destroy() resigns (C14).
    if (leadership) {
      if (leadership[2]) dispatch({ type: 'lead' })
    } else {
      const abort = new AbortController()
      leadership = [noop, abort, steal]
      /** This wait, or this leadership, still stands: no resign() since, nor a takeover. */
      const mine = () => leadership?.[1] == abort
      // A lock that never comes (a lock manager that never answers, a tab that holds it and went
      // silent) leaves no tab reconnecting for ever: once the next word of a leading tab is overdue
      // by requestTimeoutMs, this tab runs the attempts on its own, as without Web Locks (C17, M6).
      // That watchdog (its token: `abort`) ends with the wait, or it would hold a Node process (C14).
      // Each wait ends at a random point of a further requestTimeoutMs: the tabs behind a leader that
      // froze (it holds the lock, its timers stand still) do not all take over at once. The first to
      // take over tells of its attempt, and the others follow it (M6).
      // It takes the lock too (Web Locks' `steal`, which takes no signal): a frozen tab would keep it
      // after this outage, and every tab would wait for this watchdog at the next one. Its own
      // request in the queue gives way to that one. The tab it took the lock from follows it (see
      // below); one that takes no `steal` (an older shim) ignores it, or refuses it: this tab then
      // runs the attempts without the lock, as before.
      // A woken page (one the browser froze) runs its overdue timers before the words that came
      // meanwhile: a leading tab's, of its attempts or its outcome. With no word heard, the watchdog
      // looks again a task later, after those, before it takes over: else it tells of an attempt, and
      // of the outcome, as that tab did (M6).
      // Its timers go with the wait (their token: `abort`, which the lock's grant, a refusal and
      // resign() cancel): one that fires finds this wait still standing.
      let heard: number | undefined
      let hop: unknown
      const overdue = () => {
        if (heard != beats) {
          heard = beats
          hop = 0
          // after a word of attempt n, that attempt's nominal delay (the most its jitter draws),
          // not maxDelayMs: a policy without a cap (Infinity) or with a far one waits no longer (C7)
          // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- only a reconnect, with its policy, follows an attempt
          later(overdue, (model.followed && computeBackoffDelay(config.retry!, model.followed, () => 1) + requestTimeoutMs) + requestTimeoutMs * (1 + Math.random()), 0, abort)
        } else if ((hop = !hop)) later(overdue, 0, 0, abort)
        else {
          resign()
          lead(1)
        }
      }
      const go = () => mine() && dispatch({ type: 'lead' })
      if (steal) go()
      else overdue()
      const asked = clock.now()
      attempt(() =>
        locks?.request(
          lockName,
          steal ? { steal: true } : { signal: abort.signal },
          () =>
            new Promise<void>((release) => {
              if (!mine()) release()
              else {
                cancelTimer(abort)
                leadership = [release, abort, 2]
                // A lock that came after a wait (another tab held it) leads a task later: a woken page
                // (one the system suspended whole) may run the grant before the words that came
                // meanwhile, the outcome of the tab that let it go. Those run first: a follower told
                // that tab reconnected schedules no attempt, and tells of none; one with news of no
                // outcome leads then. Under the lock's token: keep() and resign() cancel it (M6, C7).
                // A wait is any move of the clock, back too: a system may set it back as it wakes (C12).
                if (clock.now() != asked) later(go, 0, 0, abort)
                else go()
                // the lock is this tab's now: the one holder of its name
                void holders().then((ids) => (me = ids?.[0]))
              }
            }),
        ),
      ).catch((error: unknown) => {
        // Web Locks refused as they will every request (a sandboxed frame, a SecurityError): this tab
        // reconnects on its own (M6). A request dropped as its document is torn down or not fully
        // active (InvalidStateError, an AbortError not of ours) is no such refusal: another tab may
        // hold the lock and run the attempts. This tab follows it, and asks again a second later
        // while the reconnect lasts: behind that tab, or alone, to run the attempts (C7).
        // So does a tab whose lock another tab took (an AbortError once it held it): it went silent
        // (frozen), and that tab runs the attempts now; this one stops its own (M6).
        if (mine()) {
          cancelTimer(abort)
          if (/^(InvalidState|Abort)Error$/.test((error as Error | null)?.name ?? '')) lost()
          else {
            leadership = [noop, abort, steal ?? 2]
            go()
          }
        }
      })
    }
  }

  /**
   * `op`: the op the store was in when the input that asked for `effect` came. The closures made
   * here take what they need of `effect`, never `effect` itself: one that did made every call, of
   * every effect of every change, allocate a context for it.
   */
  const perform = (effect: Effect, op?: Op) => {
    switch (effect[0]) {
      case 'call':
        call(effect[1], effect[2])
        break
      case 'emit':
        // A session that ends, here or in another tab, ends its Ledger API access: a re-auth's new
        // session, or the next connect here, is never handed the old token (L1, C12).
        if (effect[1] == 'session:expired') {
          live = null
          heard = ++asks
        }
        emit(effect[1], effect[2] as never)
        break
      case 'invalidate':
        emit('invalidate', effect[1])
        isolate(report, onInvalidate || noop, effect[1]) // eslint-disable-line @typescript-eslint/prefer-nullish-coalescing -- false is none
        break
      case 'save':
        behind = ioPending > 0
        // A write still waiting behind another storage operation takes the newer state instead
        // of queueing one more: a burst of changes costs one encoding and one write, not one each.
        if (queuedSave) queuedSave.snapshot = model.snapshot
        else {
          const job = (queuedSave = { snapshot: model.snapshot })
          persist('set', async () => {
            if (queuedSave == job) queuedSave = null
            // the encoder picks the fields it persists, and leaves an `expiresAt` of null (no expiry) out;
            // a save comes only from a connected state, which has its start
            const value = persistSnapshot ? encodeSessionEnvelope(job.snapshot as SessionSnapshot) : '1'
            await storage.setItem(key, value)
            read = value
          })
        }
        break
      case 'remove': {
        const checked = effect[1]
        // a read of this tab still on its way, which this removal waits behind
        const blind = reading
        // a save after this removal must not be folded into a write queued before it
        queuedSave = null
        persist('remove', async () => {
          // the value read (or written) goes along to an encrypted storage, which removes the entry only while it
          // still holds it: a session another tab writes between this check and the removal is kept.
          // Any other storage is given the key alone: to one a second argument is a callback (localforage).
          // No entry was read: there is none of this session to remove, and what another tab may be
          // writing meanwhile is kept (C9, M4) — also by a sign-out whose read found none: what is there
          // now another tab wrote since, maybe a session begun after the sign-out (C6, C15, M3).
          // An entry that is no string (a custom storage that answers a new object at each read)
          // is none this store, or any tab of it, reads as a session: it goes too (C9).
          let now: unknown
          if (read === null ? !checked && !blind : !checked || read === undefined || (now = await storage.getItem(key)) === read || (now != null && typeof now != 'string'))
            return checked && (storage as typeof storage & Record<symbol, unknown>)[Symbol.for('sessionlayer.checks')]
              ? (storage as { removeItem(key: string, value?: unknown): Promise<void> }).removeItem(key, read)
              : storage.removeItem(key)
        })
        break
      }
      case 'load': {
        // Only the latest read is answered; it outlives a connect that pre-empts its restore (C10).
        // Each tells what the entry was for the removals queued behind it.
        const tag = ++loads
        reading++
        persist(
          'get',
          // one whose turn comes after destroy() has no one to answer: it does not read, and tells
          // the removals behind it what was known before (C14). Undefined (idb-keyval's get, a Map)
          // is no entry, as null is: not a failed read, whose removal takes whatever is there (C9, M4)
          async () => (destroyed ? read : (await storage.getItem(key)) ?? null),
          (text) => {
            reading--
            read = text
            if (tag == loads) dispatch({ type: 'loaded', saved: persistSnapshot ? decodeSessionEnvelope(text) : null })
          },
        )
        break
      }
      case 'post': {
        // single-tab: nothing to tell, nor to hold behind a write
        if (!channel) break
        // An attempt's word tells (`leads`) whether this tab leads with the lock (2) or took the
        // attempts over without it (1): a tab of the latter kind follows the former (see `subscribe`) (M6).
        const post = (e: typeof effect) => channel.post(e[1], e[1] == 'attempt' ? { ...e[2], leads: leadership?.[2] } : e[2])
        // A change whose write waits its turn is broadcast once that write is done: a tab that reads
        // the storage as it hears of it finds it (C11). Every later broadcast goes right after the
        // held ones, in order. A disconnect, or the end of an expired session, goes out at once,
        // before the wallet is asked, and the held ones never: the other tabs hear of it before the
        // wallet's statusChanged(false), which must not look like a drop to reconnect from, and never
        // of the connection it ended (C6, M3) — but of an expiry before it, which goes out first:
        // each tab tells of it (C12). So does a reconnect's give-up (or cancel), as its session ends:
        // the end drops what is held, and the tabs that follow the reconnect must end with it (C8, M6).
        // Nothing goes out after destroy(), which closes the channel once it sent the held ones —
        // but the sign-out of the step a listener's destroy() came in (C6, C14, M3).
        if (effect[1] == 'disconnected' || effect[1] == 'expired' || effect[1] == 'gaveup') {
          tellHeld()
          // This tab leaves the wallet next (a sign-out, an expiry), whose word of it may reach another
          // tab before this message does: a drop there, whose reconnect lock may come before the
          // message too — an attempt told of as the session ends. This tab takes the lock first, when
          // free, and keeps it a second, as a tab that led a reconnect does (see `dispatch`) (M3, M6).
          // One that holds it already (it led a reconnect, or signed out, in the second before: a
          // wait for it ended with that reconnect) keeps it a second from now, not for what is left
          // of that one (M3, M6).
          if (effect[1] != 'gaveup') {
            if (leadership) keep()
            else {
              void attempt(() =>
                locks?.request(lockName, { ifAvailable: true }, (lock) =>
                  lock && !leadership && !destroyed && new Promise<void>((release) => {
                    leadership = [release, new AbortController(), 2]
                    keep()
                  }),
                ),
              ).catch(noop)
            }
          }
        } else if (behind || waiting.length) {
          const mine = waiting
          mine.push(effect)
          posts = Promise.all([posts, behind && io]).then(() => {
            if (mine == waiting) post(mine.shift() as typeof effect)
          })
          break
        }
        post(effect)
        break
      }
      case 'schedule':
        // -1: the attempt that waits runs now; none if it already runs (its answer is on its way)
        if (!cancelTimer(retryTimer) && effect[1] < 0) break
        {
          // The tick of a tab that holds the reconnect lock, over requestTimeoutMs after its schedule
          // (a long backoff, or a page that was frozen), waits for the lock manager to tell which client
          // holds the lock: as a frozen page resumes, its timers run before the word that another tab
          // took its lock meanwhile (Chromium), and on a loaded machine that word may come later still.
          // A lock another client holds (or none does) is this tab's no more: it stops its attempts and
          // follows (M6). Over requestTimeoutMs, not over its delay and requestTimeoutMs: a tab whose
          // drop came after this tab's word of the attempt counts that word (see `heard` in the
          // machine), but one that never heard it (opened after it was told: a channel message is
          // not told again) takes over requestTimeoutMs (and a random part of another) after its
          // drop (see `lead`). An attempt of a backoff that long asks too: one query() of the lock
          // manager.
          const late = clock.now() + requestTimeoutMs
          const tick = () => dispatch({ type: 'tick' })
          retryTimer = later(() => {
            if (clock.now() < late || (leadership?.[0] ?? noop) == noop) tick()
            else {
              // A task later (that word may come first, where the lock manager cannot tell), it asks.
              // The wait for the answer is cancelled as a timer is (a schedule-clear, destroy()), and
              // bounded by requestTimeoutMs: then the attempt runs, as where no answer tells (C17).
              const hop = (retryTimer = later(() => {
                later(tick, requestTimeoutMs, 0, hop as object)
                void holders().then((ids) => {
                  if (cancelTimer(hop)) {
                    if (ids && !ids.includes(me)) lost(1)
                    else tick()
                  }
                })
              }, 0))
            }
          }, effect[1])
        }
        break
      case 'schedule-clear':
        cancelTimer(retryTimer)
        break
      case 'arm':
        // a reconnect is no activity of the user: the idle timeout runs on (C7, C12)
        if (op != 'reconnect') lastActive = clock.now()
        arm()
        break
      case 'disarm':
        // A session ends (a sign-out here or in another tab, an expiry, a give-up, a connect that ends
        // the one a reconnect kept): no attempt, no expiry of it goes on, and a Ledger API call made in
        // it is never retried in the next one — a new object, also of no other store (C6, C7, L2).
        cancelTimer(retryTimer)
        cancelTimer(expiryTimer)
        internals.ended = {}
        // The ops a re-auth released that have not started never run on the session that ended. At
        // an expiry they wait for its re-auth, ahead of those it holds: they run after it, or fail
        // with it. At any other end (a sign-out here, in the wallet or in another tab, a drop not
        // reconnected, a connect during a reconnect) they fail as held ops do at a sign-out during
        // a re-auth, its error as `cause`: never run on the signed-out store, nor for whoever signs
        // in next; and what the next session releases waits for none of this one's ops (C13).
        if (model.op == 'reauth') held.unshift(...rest.splice(0))
        else {
          rejectHeld(new SessionError('The session ended before the operation ran', 'REAUTH_FAILED', model.snapshot.lastError), rest.splice(0))
          drain = 0
        }
        // The session ended (a sign-out here or in another tab, an expiry, a give-up): what it held
        // behind a write never goes out, an expiry excepted: no tab takes a connect of it up (M3, M4)
        if (model.snapshot.status == 'disconnected') tellHeld()
        break
      case 'lead':
        lead()
        break
      case 'reauth': {
        // A re-authentication is a new session: the expiry before it ended the old token (L1).
        const tag = gen
        const expired = effect[1]
        const abort = (hookAbort = new AbortController())
        const done = (input: Input) => {
          // a hook that finished is not aborted
          if (hookAbort == abort) hookAbort = null
          if (tag == gen) dispatch(input)
        }
        const failed = (error: unknown) => {
          done({ type: 'reauth', error })
        }
        // The hook waits for a person, as a connect does: connectTimeoutMs bounds it, its connect()
        // calls included. Then it fails as one that rejects, its signal aborted (C12, C17).
        hookTimer = later(() => {
          dispatch({ type: 'reauth', error: timedOut('Re-authentication did not end', connectTimeoutMs) })
        }, connectTimeoutMs)
        // Called once this input is processed, so that what the hook calls (connect()) runs at once.
        // The store reacts to the hook's own promise as soon as it settles, not through a chain
        // that adopts it a few microtasks later: a disconnect or another tab's message that comes
        // after the hook finished (the user declined, then signed out in another tab) must find
        // it finished, not abort it and drop its outcome (C12). A hook that throws fails too.
        void Promise.resolve()
          .then(() => {
            // Not once the re-auth ended meanwhile (its signal aborted): a disconnect in the same turn,
            // or a store destroyed, e.g. by a listener of the inputs after this one. A hook called
            // with its signal already aborted would never hear the abort: its prompt stays open (C12, C14).
            if (tag != gen) return
            void Promise.resolve(expiry.onReauthRequired?.({ ...expired, signal: abort.signal })).then(() => {
              done({ type: 'reauth' })
            }, failed)
          })
          .catch(failed)
        break
      }
      case 'flush': {
        // the held ops run one after another, in submission order; those whose turn has not come
        // as the session expires again wait for that re-auth; at any other end of the session they
        // fail (see `disarm`)
        const items = (rest = held.splice(0))
        // one a subscriber enqueued as this re-auth ended is a held op now, as the others: it fails
        // with the next re-auth, should the session expire again before its turn (C13)
        for (const item of items) item[3] = false
        const next = (): unknown => {
          const item = items.shift()
          // (destroy() rejects those still waiting their turn, which it takes from `rest`: C14)
          if (item) return attempt(item[0]).then(item[1], item[2]).then(next)
        }
        // after the op of an earlier run that had started as the session expired again: one after another (C13)
        drain = Promise.resolve(drain).then(next)
        break
      }
      case 'reject':
        rejectHeld(effect[1])
    }
  }

  /**
   * Inputs are processed one at a time, in order, even when a listener calls back in. Each runs
   * through the machine: new snapshot, then subscribers, then effects (C11).
   */
  const dispatch = (queued: Input) => {
    if (destroyed) return
    inputs.push(queued)
    if (busy) return
    busy = true
    try {
      for (let input = inputs.shift(); input; input = inputs.shift()) {
        const previous = model
        // the next model and its effects, by index: a destructuring minifies to code of its own
        const result = transition(previous, input, config, clock.now())
        const next = (model = result[0])
        // the user answered the re-auth's connect() (an approval, a decline), or it waits no longer:
        // a wallet event that tells neither, e.g. the statusChanged after a decline the `connected`
        // event told, that comes after the answer to the connect() asked again (a gateway), is none (C3, C12);
        // a connect() waits for that answer only while the user is asked, so none waits before
        if (!next.asked) answerAll()
        // access given while the store knew no network is the first one's: a first network is no switch (C11)
        if (next.snapshot.status == 'connected') liveNet ??= next.snapshot.networkId
        // Out, with nothing under way (a reconnect that gave up, a failed restore or connect): what the
        // wallet told meanwhile, or answers later, is no access of the next session (C7, C9, L1).
        else if (next.snapshot.status == 'disconnected' && !next.op) {
          live = null
          heard = ++asks
          own = 0
        }
        // A new op, attempt or hook, or the same attempt scheduled again (one the wallet's return
        // cancelled before it ran, see `probed`): the answers asked before are of the period that ended.
        if (next.op != previous.op || next.tries != previous.tries || next.hook != previous.hook || (next.probed === false && previous.probed !== false)) {
          gen++
          const connecting = next.op == 'connect' || next.op == 'pending'
          if (!connecting) cancelTimer(connectTimer)
          else if (previous.op != 'connect') {
            // `connectTimeoutMs` passed without the user's answer: the connect failed (C17)
            connectTimer = later(() => {
              dispatch({ type: 'fail', verb: 'connect', origin: 'local', failure: timedOut('The wallet did not connect', connectTimeoutMs) })
            }, connectTimeoutMs)
          }
          if (!next.hook) {
            hookAbort?.abort()
            hookAbort = null
            cancelTimer(hookTimer)
            // a connect() of the re-auth waits for its user no longer (C17)
            answerAll()
          }
          // The tab that ran the attempts to their outcome (reconnected, gave up, stopped) keeps the
          // lock a second more: its message reaches the other tabs first. Let go at once, the lock
          // may reach one of them before the message does (they come by different ways), which
          // schedules an attempt and tells of it as the session is back, or over (M6). A tab that
          // heard the message and still has no session (its own check failed) takes it then.
          // A lock kept so (or as this tab signed out, see `post`) is kept on through the next op's
          // end, e.g. a connect() of its user that an unreachable wallet fails at once: let go then,
          // the next leader would not have heard yet of the attempt this tab scheduled last, and would
          // run the one before again (M6).
          if (next.op != 'reconnect') {
            if (leadership && leadership[0] != noop && (previous.op == 'reconnect' || keeping == leadership[1])) keep()
            else resign()
          }
        }
        if (next.snapshot != previous.snapshot) {
          // A session that connects (a connect() right after a sign-out, the wallet's own) is a new one:
          // the statusChanged(false) of a drop of it is no part of a sign-out under way (C6, C7), nor
          // is the word of that sign-out, which a gateway tells after the answer to the connect, a
          // drop of it (see `before`). A restore or a reconnect that settles continues the session
          // signed out: it ends with it (C9, M3) — unless that sign-out was answered already: the
          // wallet is connected again since (C6, C7).
          if (next.snapshot.status == 'connected' && previous.snapshot.status != 'connected') {
            quit = 0
            blinded.delete(provider)
            const leaving = leavingOf.get(provider)
            if (leaving) for (const call of leaving) {
              if (previous.op != 'restore' && previous.op != 'reconnect') {
                call.before = 1
                before.add(call)
              } else if (call.answered) leaving.delete(call)
            }
          }
          // Every subscriber is called; one that throws or rejects is reported and the others still run
          // (C16). Guarded here, as `isolate` does, without an argument list and a spread call for each
          // one: those made a notification of many subscribers about 1.5 times as slow.
          // One that an earlier one removed is not called (a component it unmounted), as for `on`
          // handlers; none once one destroyed the store, which removed them all (C14). The set is
          // asked only once the list changed: a lookup per subscriber doubled the cost of each.
          const list = (listenerList ??= [...listeners])
          for (const listener of list) {
            if (list == listenerList || listeners.has(listener)) try {
              void (listener(next.snapshot, previous.snapshot) as Partial<Promise<unknown>> | undefined)?.catch?.(report)
            } catch (error) {
              report(error)
            }
          }
        }
        // A listener that destroys the store midway drops the rest of the step: no wallet request,
        // callback, broadcast or write after destroy(). The persisted entry keeps the session as it
        // was before the step, as if destroy() had come first, for the next restore to reconcile
        // (C10, C14). A disconnect (disconnect(), or another tab's) is the exception: asked for
        // before destroy(), it still leaves the wallet and removes the entry, as it does when
        // destroy() comes right after it (C6, M3).
        behind = false
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a listener may have destroyed the store meanwhile
        for (const effect of result[1]) if (!destroyed || input.type == 'disconnect') perform(effect, previous.op)
        // A call settles with the state its own op ended in, as soon as it ended: not with that of
        // an op a listener started meanwhile, e.g. a restore() as the connect failed (C3, C4, C9).
        // no iterator for the usual step that no call waits for
        if (waiters.size) for (const waiter of waiters) {
          if (!inputs.includes(waiter[2]) && !(waiter[0] ? waiter[0].includes(model.op) : model.op)) {
            waiters.delete(waiter)
            waiter[1](model.snapshot)
          }
        }
      }
    } finally {
      busy = false
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a listener may have destroyed the store meanwhile
      if (destroyed) tellHeld(1)
    }
  }


  const destroyedError = () => new SessionError('The store was destroyed', 'DESTROYED')
  const until = (input: Input, ops?: readonly Op[]): Promise<SessionState> =>
    destroyed
      ? Promise.reject(destroyedError())
      : new Promise((resolve) => {
          waiters.add([ops, resolve, input])
          dispatch(input)
        })

  /** The wallet listeners added, for destroy() to remove (C14). */
  const walletListeners: [event: (typeof WALLET_EVENTS)[number], listener: (...args: unknown[]) => void][] = []

  const touch = () => {
    // only while the expiry is armed: a subscriber's activity as the session connects is no late
    // check of the time before it (the timer, and the activity it counts from, come right after)
    due()
    lastActive = clock.now()
    // At most one message per quarter of the idle timeout, but the last activity is never left
    // out: the other tabs would expire before this one, and end its session too (C12). Never later
    // than that quarter either: a clock set back since the last message would hold it back by as
    // much, and once put right the other tabs end the session the user is active in. Weak, as the
    // expiry: telling of activity is no work under way, it keeps no Node process alive (§1).
    if (idle < Infinity && channel?.isLive && !timers.has(activityTimer)) {
      activityTimer = later(postActivity, idle / 4 + Math.min(0, lastActivityPost - lastActive), 1)
    }
  }
  const postActivity = () => {
    lastActivityPost = clock.now()
    channel?.post('activity', { ago: lastActivityPost - lastActive })
  }
  /**
   * The latest activity, not told yet, is told now: the other tabs would expire too early (C12).
   * Once: the message it waited for is not sent again (the page goes on after it was hidden).
   */
  const tellActivity = () => {
    if (cancelTimer(activityTimer)) postActivity()
  }
  // The page's window; none on a server, also one whose global takes listeners (Deno): a store made
  // for a request and never destroyed would stay referenced from there (C14).
  const win: Partial<Pick<Window, 'addEventListener' | 'removeEventListener'>> = (globalThis as { document?: unknown }).document ? globalThis : {}
  // A tab the user closes runs no destroy(): its latest activity is told as the page goes (C12).
  const page = idle < Infinity && channel?.isLive ? win : null
  /**
   * The page's visibility changed (its document's visibilitychange reaches the window). Hidden, it
   * may be frozen next, its timers stopped, or closed with no pagehide (mobile): its latest
   * activity is told now. Shown again, e.g. as the user comes back after a system sleep whose time
   * the timers do not count: the deadline is checked at once, and the check re-armed for what is
   * really left, not up to a minute late (C12).
   */
  const wake = () => {
    tellActivity()
    if (due()) arm()
  }

  // Called by onReauthRequired, it answers at once: the re-auth waits for the hook (C12). Called
  // while a connect() or a reconnect runs, it tells how that ends, never the `connecting` or
  // `reconnecting` state on the way (C7, C9).
  const restore = () => ((bound &&= 2), model.hook && !destroyed ? Promise.resolve(model.snapshot) : until({ type: 'restore' }))

  const internals: StoreInternals = {
    ended: {},
    // a destroyed store hands out no access, whatever it last knew, nor one for another network;
    // asked by the app (`check`), none of a session past its deadline, whose timer a system sleep
    // held back: it expires first (C12, L1)
    live: (check) => (check && due(), model.snapshot.status == 'connected' && !destroyed && liveNet === model.snapshot.networkId ? live : null),
    // A destroyed store no longer talks to the wallet (C14), nor asks it for the token of a session
    // that ended meanwhile, e.g. while the refresh waited for another tab's under Web Locks (C6) —
    // nor in the next session, once the refresh was dropped with its own (`gone`).
    // `stale`: the token in hand is the rejected one, `status` is read for a new one.
    refresh: async (stale, gone, again, asked = ++asks) => {
      if (destroyed || gone?.aborted || model.snapshot.status != 'connected') return null
      try {
        // A token in hand told before a party switch the store heard since (maybe and back, A→B→A)
        // may be the other party's (a wallet tells the new one's token before the switch): status
        // is read for it too, rather than take it as fresh (C11, L2).
        if (stale || switchTold > heard) {
          const value = await request('status')
          // An answer that something newer overtook is of the past: one asked before a disconnect
          // neither brings that session back nor hands its token to the next one, and a status
          // event that came first has the last word (C6, C17, L1). One that cannot be read, or is no
          // status, is a refresh that failed: the token in hand is the one just refused (C18, L2).
          if (asked > heard) {
            const input = answerInput('status', value, 'local')
            noteLive(input)
            dispatch(aged(input, asked))
            if (input.type == 'fail') throw input.failure
          }
          // A session that ended while status was read (its refresh dropped) is asked nothing more:
          // the accounts read would be the next session's, and its failure would drop that one's token (C6, L1).
          if (gone?.aborted) return null
        }
        // Whose token it is: a wallet may hand out the token of the party the user switched to
        // before it tells of the switch (accountsChanged), and no status says which party it is
        // for. The accounts are read again, so that the store knows the party by now (C11, L2).
        // Not for a token an account read of an earlier refresh told that of already (another call's 401
        // refreshed it; one a status or event tells since is a new one): a 401 of the token before it,
        // come late, is retried with it at once. Read again, each late 401 would ask the wallet once
        // more, and wait for that read and fail with it — a good token dropped for a busy wallet (L2).
        const held = internals.live()
        if (held) {
          const accounts = held != known ? (call('listAccounts', 'local'), await latest.get('listAccounts')) : null
          // A party switch heard since status was asked, maybe and back (A→B→A): the store shows the
          // party of before, but the token may be that of the one the wallet was on as it answered.
          // Status is read once more. A switch heard (again), or an account read that failed, leaves
          // no token in hand whose party none can tell (4100; the next call reads status anew), also
          // when that status read fails — the one it read only: not one the wallet told since, nor
          // the next session's (C6, C11, L2).
          const failed = accounts?.type == 'fail'
          if (switchTold > asked || failed) {
            if (live == held) live = null
            if (failed) throw accounts.failure
            return again ? null : await internals.refresh(true, gone, 1)
          }
          known = held
        }
        return internals.live()
      } catch (error) {
        // a failing wallet is a SessionError with its code, as everywhere else (C4)
        throw toSessionError(error)
      }
    },
    // a refresh holds the lock for a status and an accounts read, each bounded, and both once more
    // after a party switch heard meanwhile (C11, C17, L2); the bound ends with the refresh, or it would
    // hold a Node process (C14). A destroyed store arms no timer:
    // its wait is over at once, or a lock another tab holds for good would hold the call for ever.
    wait: (fn) => cancelTimer.bind(0, later(fn, 4 * requestTimeoutMs) ?? fn()),
    aborts,
    locks,
    key,
  }

  const store: SessionStore & { [INTERNALS]: StoreInternals } = {
    [INTERNALS]: internals,
    getSnapshot: () => (bound && destroyed ? DISCONNECTED_STATE : bound == 1 && model.snapshot == DISCONNECTED_STATE ? RECONNECTING_STATE : model.snapshot),
    subscribe(listener) {
      // A destroyed store registers nothing (C14): a subscriber that destroys it and subscribes a
      // later one again brings it back for no change, and the store holds no subscriber after destroy().
      if (destroyed) return noop
      listeners.add(listener)
      listenerList = null
      return () => {
        listeners.delete(listener)
        listenerList = null
      }
    },
    async connect(params) {
      if (destroyed) throw destroyedError()
      // JSON-RPC params are an object or an array. Not sent: anything else, nor an event — what a
      // `connect` bound straight to a button (`@click="connect"`, `onClick={connect}`) is given (C3).
      connectParams = params && typeof params == 'object' && !('preventDefault' in params) ? params : undefined
      if (!model.hook) return until({ type: 'connect' }, ['connect', 'pending', 'reauth'])
      // Called by onReauthRequired: the re-auth completes once the hook returns.
      dispatch({ type: 'connect' })
      // Called by a listener, the input waits for the one being processed: what to wait for is
      // read after it, not an earlier connect's answer (C3, C12), as disconnect() does.
      const answer = await Promise.resolve().then(() => latest.get('connect'))
      // An asynchronous wallet asks its user first: wait for the answer, as connect() does (C3),
      // unless it came before this one (the machine no longer waits for it). The end of the
      // re-auth ends the wait too: the hook's bound, connectTimeoutMs, is this one's (C17).
      // (`asked` is only ever set while the hook runs, and ends with it.)
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the re-auth may have ended, the store been destroyed, while this awaited
      if (answer?.type == 'status' && !answer.connected && model.asked && !destroyed) {
        await new Promise<void>((resolve) => {
          userAnswered.add(resolve)
        })
      }
      // The re-auth ended meanwhile, and the user connects (a sign-out, then Connect): this call
      // settles as that connect does, never with its `connecting` on the way (C3, C4).
      // (A tick during a connect is none: it only queues the wait behind the inputs before it.)
      return model.op == 'connect' || model.op == 'pending' ? until({ type: 'tick' }, ['connect', 'pending']) : model.snapshot
    },
    async disconnect() {
      if (destroyed) throw destroyedError()
      const call: Leaving = {}
      // Only the sign-out of a connection (this store's, its re-auth's) has a word of the wallet to
      // wait for: one the wallet had none for, it only answers (C3, C6).
      let accepted: unknown = model.snapshot.status == 'connected' || model.op == 'reauth'
      let ok: unknown
      const leaving = leavingOf.get(provider) ?? new Set()
      leavingOf.set(provider, leaving.add(call))
      try {
        dispatch({ type: 'disconnect', origin: 'local' })
        // destroy() ends both waits, as it settles the wallet requests (its timeouts are gone), and a
        // listener's destroy() leaves nothing to wait for: also no request it left without its timeout.
        // The wait is let go once what it waits for ended, not held by the store until destroy(); one
        // that destroy() ended first is held no longer than the destroyed store (C14).
        // Called by a listener, the input waits for the one being processed, and its request starts
        // only as that ends, in this same turn: what to wait for is read after it (C6).
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a listener may have destroyed the store meanwhile
        if (!destroyed) {
          await new Promise((resolve) => {
            aborts.add(resolve)
            void Promise.resolve()
              .then(() => latest.get('disconnect'))
              .then((input) => {
                ok = input?.type == 'left'
                accepted &&= ok
                // as the wallet answers, not once the storage is done: its events may come meanwhile
                if (ok && !accepted) blinded.add(provider)
                return io
              })
              .then(resolve)
              .finally(() => aborts.delete(resolve))
          })
        }
      } finally {
        // from the set it joined: one that a session connected since ended (see `dispatch`) holds no
        // later sign-out's calls. One the wallet accepted stays until the wallet's word of it comes,
        // which a gateway sends after its answer (see the wallet listener).
        if (accepted && !call.heard) call.answered = 1
        else leaving.delete(call)
      }
    },
    restore,
    init: restore,
    getProvider: () => provider,
    on(type, handler) {
      // A destroyed store registers nothing (C14): a handler that destroys it and listens again
      // brings back no later handler of the event under way, and one added after destroy() hears
      // nothing the teardown still tells (a subscriber's late rejection), nor is held by the store.
      if (destroyed) return noop
      const set = handlers.get(type) ?? new Set()
      handlers.set(type, set.add(handler))
      return () => {
        set.delete(handler)
      }
    },
    enqueue<T>(op: () => T | Promise<T>): Promise<T> {
      if (destroyed) return Promise.reject(destroyedError())
      // misuse from JavaScript: told at once, with JSON-RPC's "invalid params" code and the kind given
      // (a promise, from calling the op instead of passing it, is an object), and never held (C13)
      if (typeof op != 'function') return Promise.reject(new SessionError(`enqueue needs a function: got ${typeof op}`, -32602))
      touch()
      const late = model.op != 'reauth'
      // As a re-authentication ends, subscribers hear of it before the held ops are taken: an op
      // enqueued then goes behind them, not before (C13).
      if (late && !held.length) return attempt(op)
      // held until the re-authentication ends; over the bound, rejected at once (C13)
      return late || held.length < queueSize
        ? new Promise<T>((resolve, reject) => held.push([op, resolve as (value: unknown) => void, reject, late]))
        : Promise.reject(new SessionError('expiry.pendingQueueSize operations already wait', 'QUEUE_FULL'))
    },
    touch,
    cancelReconnect() {
      dispatch({ type: 'cancel' })
    },
    destroy() {
      if (destroyed) return
      // An expiry that still reads the entry before it leaves the wallet leaves it now, as it did
      // before that read: the tab will not hear what it finds, and the wallet left keeps a reload
      // from bringing the expired session back (C12, C14, M3). Also while a restore() begun since
      // reads it too: its read answers for both, and never comes now (C9). The machine leaves alone
      // what went on meanwhile (a connect, another tab's session taken up).
      if (model.check) dispatch({ type: 'loaded', saved: null })
      destroyed = internals.gone = true
      gen++
      tellActivity()
      page?.removeEventListener?.('pagehide', tellActivity)
      win.removeEventListener?.('visibilitychange', wake)
      timers.forEach((_, token) => cancelTimer(token))
      // settled here, whatever the wallet does later; the set goes away with the store
      aborts.forEach((abort) => abort(destroyedError()))
      // What is held behind a write that lands after this, or never, would not reach the other
      // tabs: an expiry, which must end the session there too, a connect they take up, a switch
      // they apply (C12, M3-M5). Their receivers ask their own wallets, not the storage.
      // Destroyed by a listener, the store sends them and closes the channel once the step is done:
      // the disconnect it runs still tells the other tabs before the wallet leaves, and drops what
      // is held of the session it ends, as always (C6, M3).
      if (!busy) tellHeld(1)
      resign()
      answerAll()
      hookAbort?.abort()
      // also those a re-auth released that wait their turn behind an op that may never settle (C13)
      held.unshift(...rest.splice(0))
      rejectHeld(destroyedError())
      for (const waiter of waiters) waiter[1](model.snapshot)
      waiters.clear()
      listeners.clear()
      listenerList = null
      // A provider whose removeListener throws stops neither the rest of the teardown nor the
      // other removals: its failure is an error event, and the listener it kept is inert (C14). The
      // failure is the wallet's, told as a SessionError, as its other failures are: without a token
      // it may quote (C4, C15).
      for (const [event, listener] of walletListeners) isolate((error) => report(toSessionError(error)), () => provider.removeListener(event, listener))
      // after the failures above are told: a delivery under way, of the event whose handler
      // destroyed the store, ends with this (see `emit`)
      handlers.clear()
    },
  }
  // closing the channel (destroy()) ends this subscription
  channel?.subscribe(({ kind, data, tabId, at }) => {
    if (kind == 'disconnected' || kind == 'expired') {
      out = 1
      dispatch({ type: 'disconnect', origin: 'remote', expired: kind == 'expired', at: data.expiredAt })
    } else if (kind == 'party' || kind == 'network') {
      if (typeof data.current == 'string' || data.current === null) {
        // After this tab's read of it that is on its way, if any: that read may answer with what the
        // wallet said before this switch, and must not have the last word (M5). The message's data is
        // frozen: `current` is the same then.
        void Promise.resolve(latest.get(kind == 'party' ? 'listAccounts' : 'getActiveNetwork')).then(() => dispatch({ type: 'remote', kind, current: data.current as string | null, teller: tabId }))
      }
    } else if (kind == 'activity') {
      // the sender's activity, which may be older than its message, and the message older than
      // its arrival: the time it took on its way, by the wall clock the tabs share (`at`), not by
      // this tab's, which may be another (C12). None when that clock was set back meanwhile.
      lastActive = Math.max(lastActive, clock.now() - positive(data.ago) - positive(Date.now() - at))
    }
    // `connected`, `gaveup`, `expiry`, `attempt`: the machine validates the data, and ignores a kind it does not know
    else {
      if (kind == 'attempt') {
        beats++
        // Two tabs whose watchdogs took over at once (each one's word on its way as the other took
        // over) both run the attempts. Where the lock manager takes no `steal` (an older shim), no
        // lock tells them apart: the one of the greater tab id follows the other, as a tab whose
        // lock was taken does. With such a shim the frozen leader wakes still holding the lock, and
        // runs its attempts: a tab that took them over without it follows that one, whatever its id (M6).
        if (leadership?.[2] == 1 && (data.leads == 2 || tabId < channel.tabId)) lost(1)
      }
      dispatch({ type: 'remote', kind, data } as Input)
    }
  })

  // the page's events (see `page` and `wake`)
  page?.addEventListener?.('pagehide', tellActivity)
  win.addEventListener?.('visibilitychange', wake)
  /**
   * Connected, or a connect reading its accounts: a sign-out word of before that connect is checked
   * then, and one that comes as it is checked waits for that check (see `check`) (C3, C6, C7).
   */
  const kept = () => model.snapshot.status == 'connected' || (model.op == 'connect' && model.said)
  // Wallet events: validated payloads only, and never a throw into the wallet's emitter (C18).
  // Listened to last, once the store is whole: a wallet may call a listener as soon as it is added.
  // A provider whose on() throws for one of them is no provider the store can follow: as for one
  // without on(), the caller is told, and what was already started is undone — the listeners
  // added before, the tab channel, and what those listeners set going (C14).
  for (const event of WALLET_EVENTS) {
    /**
     * Checks a sign-out word (`args`, a `statusChanged(false)`) that may be older than the session
     * with a silent `status` read: the wallet says it is not connected, or cannot tell within
     * requestTimeoutMs, and the word ends the session as it came. Its answer is dropped once the
     * session moved on or the wallet told its status since; one that says it is connected while
     * such a word came meanwhile is asked again. A word held so, the answer dropped, is taken as it
     * came, unless a status event came after it (C6, C7, C17).
     * An op under way (a connect reading its accounts: a sign-out the wallet never told keeps
     * its mark until such a word) may settle before the answer: that is no newer session. Still
     * reading, the wallet's answer that it is out fails that connect, as a drop there does, and so
     * does the word itself with no answer within requestTimeoutMs, or one that cannot be read (C3, C7).
     */
    const check = (args: unknown[]) => {
      const tag = (checkIn = gen + (model.op ? 1 : 0))
      const asked = ++asks
      checking = 1
      own = 0
      void request('status')
        .then((value) => answerInput('status', value, 'local'))
        .catch(noop)
        .then((answer) => {
          if (checkIn != tag) return
          const again: typeof checking = checking
          checking = 0
          const late = told.status > asked
          // A status event since the read was asked drops its answer — unless it is a word that the wallet
          // is connected (a negative one is held, see above): a connection made after the sign-out word,
          // as a wallet that says it is connected tells (C3, C19)
          if (tag == gen + (model.op ? 1 : 0) && (!late || again == 1)) {
            if ((answer?.type == 'status' && answer.connected) || late) {
              // The next word may be late too: the same sign-out told twice (the decline of a connect it
              // ended, then its statusChanged(false)), the second one after this answer (see `own`) (C3, C6).
              own = asked
              if (typeof again == 'object' && kept()) check(again[1])
              // The word is late: the wallet connected since it sent it, so what it told before it is
              // of before that connection, and a wallet tells its accounts to no dApp that is out.
              // Accounts or a network an event told then, no read of them asked since, are read again (C2, C11).
              else if (model.snapshot.status == 'connected') {
                if (told.accounts < asked && !(sent.listAccounts > told.accounts)) call('listAccounts', 'local')
                if (told.network < asked && !(sent.getActiveNetwork > told.network)) call('getActiveNetwork', 'local')
              }
            }
            // Connected, or no answer to tell the connect reading its accounts: the word as it came
            else if (kept() && (model.snapshot.status == 'connected' || answer?.type != 'status')) listener(...args)
            else if (model.op && model.said && answer?.type == 'status') {
              noteLive(answer, asked)
              dispatch(aged(answer, asked))
            }
          }
          // A dropped answer drops no word held behind it: the latest one, no status event since it,
          // is taken as it came (C6, C7).
          else if (typeof again == 'object' && !(told.status > again[0])) listener(...again[1])
        })
    }
    const listener = (...args: unknown[]) => {
      // as `isolate` does, without a closure made for every payload
      try {
        // an account list may come as one argument per account (the official remote provider's
        // event stream): read from all of them (C18)
        let input = eventInput(event, event == 'accountsChanged' ? args : args.at(0))
        const leaving = leavingOf.get(provider)
        // The wallet says it is not connected: the word of the sign-out `out` or `quit` waits for —
        // not of this store's own before the wallet answered it: that word may be of before it (the
        // wallet out of reach, or signing out on its own), and so may the words that it is connected
        // after it. (A wallet that tells it before its answer keeps the mark until the next
        // connection: a connection it tells meanwhile is one read later.) (C6, C19)
        if (input?.type == 'status' && !input.connected) {
          out = 0
          if (quit == 1) quit = 0
        }
        // The wallet's word of a sign-out that a store of the provider connected after (see `before`):
        // of no session of this store if it was that one, its access included — if the wallet, asked
        // silently, says it is connected. One that says it is not, or cannot tell within
        // requestTimeoutMs, dropped: a wallet that tells no sign-out ends no call, and its drop is a
        // drop, not a stale `connected`. Its answer is dropped once
        // the session moved on or the wallet told its status since (C6, C7, C17). Another store still
        // ends with it, as a sign-out the wallet told, with no disconnect of its own: the wallet is
        // connected again (their listeners run in this turn). A positive event ends no call: the
        // late statusChanged(true) and connected of the connection the sign-out ended come before its
        // word, and the new connection's own after it (C6, C7, C19, M3).
        let word = 0
        // A word that the wallet is not connected while a sign-out word is checked waits for that
        // check's answer (see `check`) — one of the session that check was asked in: the word of a
        // later session is not held behind a read of an earlier one, which may take requestTimeoutMs
        if (checking && checkIn == gen + (model.op ? 1 : 0) && input?.type == 'status' && !input.connected && kept()) {
          checking = [++asks, args]
          return
        }
        if (input?.type == 'status' && !input.connected && leaving?.size) {
          for (const call of leaving) if (call.before) word |= before.has(call) ? 2 : 1
          if (word) {
            queueMicrotask(() => {
              for (const call of leaving) if (call.before) leaving.delete(call)
            })
            if (word > 1) {
              check(args)
              return
            }
          }
        }
        // The first sign-out or drop word since this store's connect, no status word of the wallet
        // since, once connected or as that connect reads its accounts: it may be of before that
        // connect (see `own`), and is checked as the word of a sign-out the session began after
        // is, unless it is one of those (C3, C6, C7). After a status word of the wallet, it is
        // handled at once: that status word may be as old as it, or not, and only a read tells, so
        // the wallet is asked afterwards (see `verify`) — once that connect was answered: a connect
        // the word ends before its answer is checked when that answer comes (C3, C6, C7, C19).
        let verifying
        if (!word && input?.type == 'status' && !input.connected && own && kept()) {
          if (!(told.status > own)) {
            check(args)
            return
          }
          verifying = model.snapshot.status == 'connected' || replied == sent.connect
        }
        noteLive(input)
        if (!input) return
        // access a status gave on a network none told while connecting is of the one before this
        // switch; once connected on none, the first network told is no switch (C11, L1)
        if (input.type == 'network' && liveNet == null && model.snapshot.status != 'connected') live = null
        // a word that the wallet is connected, once a check found a word late or while another tab's
        // sign-out has no word yet (see `out`), keeps the next one checked (see `own`)
        if (own && (own != sent.connect || out) && input.type == 'status' && input.connected && !(told.status > own)) own = asks
        // a status event that carries the network tells of both
        told[input.type] = told[(input as { networkId?: unknown }).networkId === undefined ? input.type : 'network'] = asks
        if (input.type == 'accounts' && primaryAccount(input.accounts)?.partyId != model.snapshot.account?.partyId) switchTold = asks
        // The wallet speaks of a session whose time is up, e.g. as another tab expired it before its
        // message came, or after a system sleep: that is this tab's expiry, not a drop or a
        // reconnect (C7, C12, M3).
        due()
        // Another store of this provider signs out: this one ends with it, as the channel will tell
        // (M3) — also a re-auth under way, whose hook waits for a user who signed out (C12, C13).
        if (input.type == 'status' && !input.connected && leaving?.size && !word) {
          if (model.snapshot.status == 'connected' || model.op == 'reauth') dispatch({ type: 'disconnect', origin: 'remote' })
          // the wallet's word of those sign-outs: one it answered already ends with it, once every
          // store of the provider heard it (its listeners run in this turn); that word is no decline
          // of a connect asked since (C3)
          for (const call of leaving) {
            if (call.answered) input = { ...input, late: true }
            call.heard = 1
          }
          queueMicrotask(() => {
            for (const call of leaving) if (call.answered) leaving.delete(call)
          })
        }
        // A connection told while a sign-out the wallet accepted has no word yet may be of before it:
        // the events lag behind the answers, and a wallet that tells nothing of a dApp's own calls
        // never sends that word. Out, with no op (or a sync asking already), the store asks the wallet
        // first — also after the sign-out it asked for as another tab signed out (see `quit`), or one
        // of this provider while out (see `blinded`) (C6, C19, M3).
        else if (input.type == 'status' && input.connected && (model.op ?? 'sync') == 'sync' && model.snapshot.status == 'disconnected') {
          if (quit || blinded.has(provider) || [...(leaving ?? [])].some((call) => call.answered && !call.before)) input = { ...input, overtaken: true }
        }
        // So is one told as a connect() runs after this store's own sign-out: the machine checks it (C6, C19).
        if (quit == 1 && input.type == 'status' && input.connected && (model.op == 'connect' || model.op == 'pending')) input = { ...input, overtaken: true }
        dispatch(input)
        if (verifying) verify()
      } catch (error) {
        report(error)
      }
    }
    try {
      provider.on(event, listener)
    } catch (error) {
      store.destroy()
      // the wallet's error is the cause unless it may carry an access token, as its other failures (C4, C15)
      throw new SessionError(`createSessionStore needs a CIP-0103 provider: on('${event}') threw`, 'INVALID_PROVIDER', tokenFree(error))
    }
    walletListeners.push([event, listener])
  }
  return store
}
