/**
 * The session state machine: a pure function `transition(model, input, config, now)` that
 * returns the next model and the effects to run, as data. It never touches the wallet, the
 * storage, the channel or a timer; `createSessionStore` runs the effects and feeds their
 * outcomes back in as inputs.
 *
 * Statuses: disconnected → connecting → connected ⇄ reconnecting → disconnected.
 * `op` says what the store is waiting for:
 * - `connect`  the `connect` request is in flight
 * - `pending`  an asynchronous wallet accepted `connect` and waits for the user
 * - `restore`  a silent probe of a live session (status `reconnecting`; never calls `connect`)
 * - `reconnect` backoff after a drop (`attempt` 0: waiting for reconnect leadership)
 * - `reauth`   an expired session being re-authenticated (`hook`: the hook still runs)
 * - `sync`     the wallet connected on its own, or another tab connected, or the wallet said it
 *              is connected while this tab left and is asked again (status unchanged)
 * Whenever the wallet reports it is connected during an op, the machine asks for what it does
 * not know yet (`listAccounts`, `getActiveNetwork`) and settles to `connected` once it knows both.
 */
import type { SessionSnapshot } from '@sessionlayer/session-crypto'
import type { CIP0103Account } from './cip0103'
import { computeBackoffDelay, type RetryPolicy } from './retry'
import { SessionError, tokenFree } from './SessionError'
import type { ChangeSource, InvalidateEvent, SessionEventMap, SessionEventType, SessionState } from './types'
import { primaryAccount } from './primaryAccount'
import type { WalletStatus } from './wallet'

/** What the store is waiting for. @internal */
export type Op = 'connect' | 'pending' | 'restore' | 'reconnect' | 'reauth' | 'sync' | null

/** The wallet requests the machine asks for. @internal */
export type Method = 'connect' | 'status' | 'listAccounts' | 'getActiveNetwork' | 'disconnect'

/** Who asked: this tab, or a message from another tab. @internal */
export type Origin = 'local' | 'remote'

/**
 * The machine's working record. Its fields are named apart from the public API's (`snapshot`, not
 * `state`), so that the build shortens them (`INTERNAL_PROPS` in tsup.config.ts).
 * @internal
 */
export interface Model {
  /** The public snapshot. */
  readonly snapshot: SessionState
  readonly op: Op
  /** Reconnect attempt scheduled or running (0: none yet). */
  readonly tries: number
  /**
   * Attempt `tries` ran (true: its probe was asked), waits for its backoff delay (false), or was
   * cancelled before it ran as the wallet came back (undefined, as before any attempt): such an
   * attempt is no failure (C7, C8). A new schedule (false) is a new period of the op, as a new
   * `tries` is: the answers asked before it are dropped.
   */
  readonly probed?: boolean
  /**
   * The latest reconnect attempt the tab that runs them scheduled, for a tab that follows it (M6);
   * in a restore, 1 once it asked the wallet again as another tab connected, or the wallet while
   * this tab left (C9, C19, M4).
   */
  readonly followed: number
  /** `onReauthRequired` is running. */
  readonly hook: boolean
  /** A connect() of the running hook waits for the user's answer in an asynchronous wallet (only ever with `hook`: it ends with it). */
  readonly asked: boolean
  /** The wallet said it is connected during the current op. */
  readonly said: boolean
  /** Accounts the wallet announced, not yet exposed; null: unknown. */
  readonly accounts: readonly CIP0103Account[] | null
  /** The network the wallet announced; undefined: unknown. */
  readonly networkId: string | null | undefined
  /** The persisted snapshot a restore reconciles against. */
  readonly saved: SessionSnapshot | null
  /** The session times of the latest `connected` message of another tab, for a tab that follows it. */
  readonly times: SessionTimes | null
  /**
   * The `connectedAt` of the connected session when its times are firm: this tab told them to the
   * other tabs, or took them from another tab's message, the persisted entry or the session it
   * reconnected; 0 for the guess (now) of a tab that followed its wallet. Firm times give way only
   * to those of a later start (C12, M4).
   */
  readonly firm: number
  /** A restore is still reading the persisted snapshot: it cannot settle before it has it (C10). */
  readonly loading: boolean
  /**
   * This tab asked the wallet to disconnect and has no answer yet (2: it was a real change, 1: a
   * repeat). Meanwhile the wallet's late events of an earlier connect are not a connection of
   * its own (C19), and its `statusChanged(false)` is no drop (C6, M3).
   */
  readonly leaving: 0 | 1 | 2
  /**
   * What the wallet said last while this tab left (1: disconnected, 2: connected). A connection
   * then may be an event of before the disconnect, a re-announcement or a network switch of a
   * wallet that is not leaving (it may refuse the disconnect) — or the user connecting again from
   * the wallet (C19), also where its events overtake the answer to `disconnect`, and it told of
   * no `statusChanged(false)` (it left without one, or was not connected). So the wallet is asked
   * where it stands once it accepted the disconnect, unless it said it is disconnected after that
   * connection; an op that runs then keeps it (see `left`). 2 also once a connection told after it
   * accepted the disconnect, which may be of before it, is checked: an answer older than such a
   * word is asked again (see `overtaken`).
   */
  readonly missed: 0 | 1 | 2
  /**
   * This tab asked the wallet to disconnect, and has been disconnected with no op since (a sync
   * keeps it: the connection it follows may be the late word of the one that ended): another
   * tab's word of that session's expiry needs no second disconnect, nor a second check of the
   * entry (M3, C12).
   */
  readonly gone: boolean
  /**
   * This tab's session expired at this time, and the tab reads the persisted entry before it leaves
   * the wallet: a tab that could run nothing for a while (a page the system suspended)
   * may run its overdue timer before the messages other tabs sent meanwhile, and a session another
   * tab began since is not its to end (C12, M3, M4).
   */
  readonly check?: number
  /**
   * The wallet's `connected` event told the user's decline, and no event of its status since: the
   * statusChanged(false) a wallet sends after it is of that decline, not of a connect asked since
   * (its answer may come first, as from a gateway) (C3).
   */
  readonly declined?: boolean
  /**
   * A `connected` event told a decline while the connect's request was still on its way: its answer
   * tells whose decline it was. Not connected (an asynchronous wallet's prompt), the user declined
   * this connect; connected, the word was of an earlier prompt (one a closed page asked, answered
   * as the wallet came back), and the connect goes on (C3, C4). A word since that the wallet is
   * connected (its own connection) makes it of no connection since (C19).
   */
  readonly refusal?: SessionError
  /**
   * The connect's answer said the wallet is connected, but a newer word that it is not overtook it:
   * the user approved, and the wallet is asked where it stands. Its later words of a connection are
   * of that approval, no prompt still open: a check that finds the wallet out fails the connect
   * (4900), as a sign-out before the accounts were read does, not waiting for a user who answered (C3, C17).
   */
  readonly approved?: boolean
  /**
   * A disconnect ended a connect under way — one that waited for the user in an asynchronous
   * wallet, or whose request was still on its way (the wallet may hold it for its user by the time
   * it handles the disconnect; one unreachable meanwhile tells, as it comes back, where a connection
   * it made on its own stands, which that disconnect undid) — and no `connected` event came since:
   * the next one's "not connected" is that word, not a decline of a connect asked since, nor a drop
   * of the session that connect began (its answer, and its reads, may come first, as from a
   * gateway) (C3, C6). 2: that word came while the connect asked since is unanswered: the wallet
   * may have more of them (an unreachable one, back, tells each connection it owes), and they all
   * come before that connect's answer, which ends them (C3).
   */
  readonly ended?: 0 | 1 | 2
  /**
   * The latest party switch another tab told of (its value) that this tab re-read its wallet for,
   * and each tab that told it, a line each, since this tab last switched or connected, heard a word
   * of the party it shows, or had such a re-read fail. The same word again, from a third tab, costs
   * no second read meanwhile: its wallet tells of its own switch when it makes it. From a tab that
   * told it already, it is a new switch of that tab, which left that party since unseen (a party
   * regained, or found as it reconnected, is told to no tab): read again (M5).
   */
  readonly reread?: string | false
  /** As `reread`, of a network switch. */
  readonly renet?: string | false
  /**
   * Another tab's switch told while an op runs, not connected yet (1: of the party, 2: of the
   * network, both: 3): the wallet may have told this tab the one of before, so it is read once
   * connected (M5).
   */
  readonly words: number
  /**
   * The latest word of another tab's reconnect attempt (when it came, and the attempt), until a word
   * that its attempts ended (`remote connected` or `gaveup`, which a stop tells too), or an end of
   * the session it came in (a sign-out in any tab, an expiry, a re-auth, a new connect): a drop of
   * this tab's own that comes after it (its wallet's events came later) follows that attempt (M6).
   */
  readonly heard?: readonly [at: number, attempt: number]
  /**
   * A connect() under way asked the wallet where it stands, as the wallet told of a connection
   * while a sign-out of this tab it accepted has no word yet: that word may be older than the
   * sign-out (its events keep their order; a wallet that tells nothing of a dApp's own calls never
   * sends it). Connected, the connect takes it; not, it waits on for its user, not failed (C3, C6, C19).
   */
  readonly vetting?: boolean
}

/** When a session became connected and when it expires (C12); a type, so that it is channel data. @internal */
export type SessionTimes = { readonly connectedAt: number; readonly expiresAt: number | null }

/** @internal */
export interface MachineConfig {
  readonly retry: RetryPolicy | null
  readonly ttlMs?: number
  /** An `onReauthRequired` hook exists. */
  readonly reauth: boolean
  /** Reconnect attempts run in one tab at a time (Web Locks and a live channel). */
  readonly lead: boolean
  /** `requestTimeoutMs`, the bound of a wallet request: the most a reconnect attempt's probe takes. */
  readonly bound?: number
  readonly random?: () => number
}

/**
 * An answer (or a failure) that a newer wallet event of its kind (accounts, network, status)
 * overtook on its way: it is older than that event, whose word stands (C3, C9, C11). Also a
 * connection the wallet told while a sign-out it accepted has no word yet: it may be older than
 * that sign-out (C6, C19). @internal
 */
export interface Overtaken {
  readonly overtaken?: boolean
}

/** A wallet status (an event, or the answer to `status` / `connect`), validated. @internal */
export interface StatusInput extends WalletStatus, Overtaken {
  readonly type: 'status'
  /**
   * How it came: a wallet event (`statusChanged`), the `connected` event (the user's answer to a
   * connect), the answer to a `status` probe, or the answer to `connect`.
   */
  readonly via: 'statusChanged' | 'connected' | 'probe' | 'connect'
  /**
   * A statusChanged(false) that is the wallet's word of a `disconnect()` it answered already, of
   * this store or another of its provider: a gateway tells its events after its answers (C3, C6).
   */
  readonly late?: boolean
}

/** @internal */
export type Input =
  | { readonly type: 'connect' }
  /** `at`: from another tab's message of a session that expired, its expiry time (untrusted). */
  | { readonly type: 'disconnect'; readonly origin: Origin; readonly expired?: boolean; readonly at?: unknown }
  | { readonly type: 'restore' }
  | { readonly type: 'loaded'; readonly saved: SessionSnapshot | null }
  | { readonly type: 'cancel' }
  | { readonly type: 'expire'; readonly reason: 'ttl' | 'idle'; readonly at: number }
  | StatusInput
  | ({ readonly type: 'accounts'; readonly accounts: readonly CIP0103Account[]; readonly origin: Origin } & Overtaken)
  | ({ readonly type: 'network'; readonly networkId: string | null; readonly origin: Origin } & Overtaken)
  /** A request that failed: `verb`, `failure`, not `method`, `error` (public names): the build shortens them. */
  | ({ readonly type: 'fail'; readonly verb: Method; readonly failure: SessionError; readonly origin: Origin } & Overtaken)
  | { readonly type: 'tick' }
  /** Reconnect leadership came to this tab; `lost`: another tab took its lock from it (M6). */
  | { readonly type: 'lead'; readonly lost?: boolean }
  /** The wallet answered this tab's `disconnect`. */
  | { readonly type: 'left' }
  | { readonly type: 'reauth'; readonly error?: unknown }
  /**
   * `data`: the message's, not validated yet (a `connected` message carries the session times, an
   * `expiry` one the `session:expired` event, a `gaveup` one the attempts and the last failure, an
   * `attempt` one the reconnect attempt the leading tab scheduled).
   */
  | { readonly type: 'remote'; readonly kind: 'connected' | 'gaveup' | 'expiry' | 'attempt'; readonly data?: Readonly<Record<string, unknown>> }
  /** `teller`: the tab that told it. */
  | { readonly type: 'remote'; readonly kind: 'party' | 'network'; readonly current: string | null; readonly teller?: string }

/** An effect, run by the store after the new snapshot is in place, in order. @internal */
export type Effect =
  | readonly ['call', Method, Origin]
  | { [T in SessionEventType]: readonly ['emit', T, SessionEventMap[T]] }[SessionEventType]
  | readonly ['invalidate', InvalidateEvent]
  /** `disarm`: a session ends — its reconnect schedule is cleared too, as `schedule-clear` does. */
  | readonly ['save' | 'schedule-clear' | 'arm' | 'disarm' | 'load' | 'lead' | 'flush']
  /** 1: only if the entry is still the one this tab last read or wrote (or that read failed). */
  | readonly ['remove', 1?]
  | readonly ['schedule', number]
  | readonly ['post', 'disconnected' | 'expired' | 'gaveup']
  | readonly ['post', 'expired', { readonly expiredAt: number }]
  /** The leader gave up: how many attempts, and the last one's failure as plain data (its message's first 1,000 characters), never its `cause` (C15). */
  | readonly ['post', 'gaveup', { readonly attempts: number; readonly code: SessionError['code']; readonly message: string; readonly keep: unknown }]
  | readonly ['post', 'connected', SessionTimes]
  | readonly ['post', 'expiry', SessionEventMap['session:expired']]
  | readonly ['post', 'attempt', SessionEventMap['reconnect:attempt']]
  | readonly ['post', 'party' | 'network', { readonly current: string | null }]
  | readonly ['reauth', { readonly reason: 'ttl' | 'idle'; readonly expiredAt: number }]
  | readonly ['reject', SessionError]

/**
 * The disconnected state: the store's initial snapshot and a stable server snapshot for
 * `useSyncExternalStore` (SPEC C1).
 * @public
 */
export const DISCONNECTED_STATE: SessionState = Object.freeze({
  status: 'disconnected',
  account: null,
  accounts: Object.freeze([]),
  networkId: null,
  lastError: null,
  connectedAt: null,
  expiresAt: null,
})

/**
 * The state `init()` (a restore) shows at once on a store with no session yet: `reconnecting`, no
 * account, no error — the same object every time, until the restore learns more. A stable snapshot
 * for what renders before its store restores, such as a binding's first render of a store it
 * restores on mount: the restore under way, not a Connect button (C9).
 * @public
 */
export const RECONNECTING_STATE: SessionState = Object.freeze({ ...DISCONNECTED_STATE, status: 'reconnecting' })

/** @internal */
export const INITIAL_MODEL: Model = {
  snapshot: DISCONNECTED_STATE,
  op: null,
  tries: 0,
  followed: 0,
  hook: false,
  asked: false,
  said: false,
  accounts: null,
  networkId: undefined,
  saved: null,
  times: null,
  firm: 0,
  loading: false,
  leaving: 0,
  missed: 0,
  gone: false,
  words: 0,
}

/** Equal by reference, else by value (a wallet sends a new copy of the same accounts). */
const same = (a: unknown, b: unknown) => a == b || JSON.stringify(a) == JSON.stringify(b)

/** Equal by value, field by field (errors by reference). @internal */
export const sameState = (a: SessionState, b: SessionState): boolean =>
  a.status === b.status &&
  a.networkId === b.networkId &&
  a.lastError === b.lastError &&
  a.connectedAt === b.connectedAt &&
  a.expiresAt === b.expiresAt &&
  same(a.account, b.account) &&
  same(a.accounts, b.accounts)

const partyOf = (s: { readonly account: { readonly partyId: string } | null } | null) => s?.account?.partyId ?? null

/**
 * Makes a {@link transition} function for one store. Its helpers, and the working set they share,
 * are made here once, not anew for every input: as closures of each call they were most of what a
 * wallet event cost (C2). The function calls nothing that calls it back, so one working set
 * serves every call.
 * @internal
 */
export const createTransition = (): typeof transition => {
  // What the input finds: the model, the store's configuration, the time, the snapshot, the op,
  // its reconnect attempt, whether the re-auth hook runs, and whether the session is connected.
  let m: Model
  let c: MachineConfig
  let now: number
  let st: SessionState
  let op: Op
  let attempt: number
  let hook: boolean
  let party: string | null
  let connected: boolean
  /** This tab's own connect() is in flight, or waits for the user. */
  let asking: boolean
  /** The next model, and the effects. */
  let n: { -readonly [K in keyof Model]: Model[K] }
  let fx: Effect[]
  /** A new snapshot with the fields of `s`, to change: copied field by field, as a spread of a frozen one takes V8's slow path. */
  const copy = (s: SessionState): { -readonly [K in keyof SessionState]: SessionState[K] } => ({ status: s.status, account: s.account, accounts: s.accounts, networkId: s.networkId, lastError: s.lastError, connectedAt: s.connectedAt, expiresAt: s.expiresAt })
  // assigned, not spread: a spread after the fields takes a generic copy for every change
  const set = (patch: Partial<SessionState>) => (n.snapshot = Object.assign(copy(n.snapshot), patch))
  /** Forgets what the wallet said during the op, and the hook's part in it. */
  const forget = () => {
    n.hook = n.asked = n.said = false
    n.missed = 0
    n.accounts = null
    n.networkId = undefined
  }
  const clear = () => {
    forget()
    n.op = null
    n.tries = n.followed = 0
    n.loading = false
    n.saved = n.times = null
  }
  /** Tells of a switch of party or network, from a non-null one (C11); returns whether it was one. */
  const change = (kind: 'party' | 'network', previous: string | null, current: string | null, source: ChangeSource) => {
    const type = `${kind}:changed` as const
    const changed = previous !== null && previous !== current
    if (changed) fx.push(['emit', type, { previous, current, source }], ['invalidate', { type, previous, current, source }])
    return changed
  }
  /**
   * The snapshot changed while connected: persist it. A switch of party or network is told here
   * first, and to the other tabs after, when this tab saw it.
   */
  const switched = (kind: 'party' | 'network', previous: string | null, current: string | null, origin: Origin) => {
    const changed = change(kind, previous, current, origin)
    n.reread = n.renet = false
    fx.push(['save'])
    if (changed && origin == 'local') fx.push(['post', kind, { current }])
  }
  /**
   * A session's expiry as this tab keeps it: never beyond its own `ttlMs` from `connectedAt`, also
   * for a session another tab with a longer TTL (or none) started and persisted (C12, M2).
   */
  const capped = (connectedAt: number, expiresAt?: number | null) =>
    c.ttlMs ? Math.min(expiresAt ?? Infinity, connectedAt + c.ttlMs) : (expiresAt ?? null)
  /**
   * A session's start as this tab takes it: never after now — but a start this tab showed already,
   * of the session it continues (a reconnect, its own or another tab's), stays as it was after a
   * clock set back since: the session keeps its expiry, and does not end early once the clock is
   * put right (C7, C12).
   */
  const started = (at: number) => Math.min(at, Math.max(now, st.connectedAt ?? 0))
  /**
   * To `disconnected`; the caller adds what else the way down needs. `keep`: the persisted entry,
   * when the session did not provably end (a failure that may be passing, a connect that failed):
   * another tab may still live on it, and restore trusts only the wallet, never the entry (C9, M4).
   * Else only the entry this tab last read or wrote goes: a session that ended by itself (a drop, a
   * give-up, an expiry) is this tab's, and another tab may have connected and persisted its own
   * since, with `broadcast` off or its message still on its way (C7, C12, M4).
   */
  const down = (lastError: SessionError | null, keep?: unknown) => {
    set({ ...DISCONNECTED_STATE, lastError })
    clear()
    // a word of another tab's attempt heard in it was of its outage: a session begun since is led afresh (see `heard`)
    n.heard = undefined
    fx.push(['disarm'])
    if (!keep) fx.push(['remove', 1])
  }
  const invalidate = (type: 'disconnected' | 'expired', source: ChangeSource) => {
    const previous = party ?? partyOf(m.saved)
    if (previous !== null || connected || op == 'reconnect' || op == 'reauth') fx.push(['invalidate', { type, previous, current: null, source }])
  }
  /** To `disconnected`, and the app told so: the session it knew ended. */
  const endSession = (error: SessionError | null, keep?: unknown, source: ChangeSource = 'local') => {
    down(error, keep)
    invalidate('disconnected', source)
  }
  /**
   * Expired, or re-authentication failed: leave the wallet too, in every tab — unless another
   * tab's message told of a session that lives on there (e.g. it re-authenticated), or of an
   * expiry that tab handles (it leaves the wallet, or re-authenticates): only this tab's session
   * ends, and what that tab persisted stays (C12, C15, M4). Not a session that began before the
   * expiry at `at`: that tab takes this tab's `session:expired` message for its own session's end,
   * as one another tab handles, and leaves the wallet to this tab (C12, M3).
   */
  const expireDown = (error: SessionError, source: ChangeSource = 'local', at = 0) => {
    const keep = source == 'remote' || (m.times && m.times.connectedAt >= at)
    down(error, keep)
    if (!keep) {
      n.leaving = 2
      n.gone = true
      // This tab's own expiry (not a restore's, which read the entry twice, nor a failed re-auth,
      // whose hook ran here): the entry is read first (see `check`).
      if (source == 'local' && at) {
        n.check = at
        fx.push(['load'])
      } else leave(at)
    }
    invalidate('expired', source)
    fx.push(['reject', error])
  }
  /**
   * This tab's session, expired at `at` (0: a re-auth that failed), leaves the wallet. The other
   * tabs hear it before the wallet is asked, as for disconnect() (M3), and of when it expired: a
   * session begun since is not the one that ended (C12).
   */
  const leave = (at: number) => {
    fx.push(at ? ['post', 'expired', { expiredAt: at }] : ['post', 'expired'])
    query('disconnect')
  }
  /** Schedules reconnect attempt `next` after its backoff delay. */
  const schedule = (next: number) => {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- only a reconnect or a restore schedules, and only under a retry policy
    const delayMs = computeBackoffDelay(c.retry!, next, c.random)
    n.tries = next
    n.probed = false
    fx.push(['emit', 'reconnect:scheduled', { attempt: next, delayMs }], ['schedule', delayMs])
    // the tabs that follow hear of it: the attempt that succeeds is theirs to tell too (M6)
    if (c.lead && n.op == 'reconnect') fx.push(['post', 'attempt', { attempt: next }])
  }
  const settle = () => {
    // The wallet telling the accounts of the session it continues again (a reconnect, a re-auth):
    // the same objects, so that a selector or a watcher of the account sees no change (C2).
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- settled only once the accounts are known (see gather)
    const accounts = same(n.accounts, st.accounts) ? st.accounts : n.accounts!
    const account = primaryAccount(accounts)
    const networkId = n.networkId ?? null
    const settling = n.op
    // The persisted snapshot a restore read (also when the user connected meanwhile): what the
    // user saw before. A tab that follows another tab's connection (a sync, a remote lead, a
    // re-auth done there, a restore still retrying when it came) takes the times its message
    // carried, else a restore those it read and a reconnect those it had: one session, one expiry
    // in every tab (C12). A connect starts a new session.
    const saved = n.saved
    const kept = asking ? null : (n.times ?? (settling == 'restore' ? saved : settling == 'reconnect' ? st : null))
    // Never after now, wherever the times come from: a persisted snapshot (a clock set back since
    // it was written, a forged entry) is no more trusted than another tab's message (C12).
    const connectedAt = started(kept?.connectedAt ?? now)
    const expiresAt = capped(connectedAt, kept?.expiresAt)
    // Compare with what the user saw before: the restored snapshot, or the account kept
    // visible while reconnecting / re-authenticating (C10, C11).
    const before = saved ?? (st.status == 'reconnecting' ? st : null)
    const source = saved ? 'restore' : 'local'
    // Tell the other tabs, unless this tab is only following (a restore, a sync, a remote lead).
    const told = asking || settling == 'reauth' || (settling == 'reconnect' && attempt)
    // A session that expired while the wallet was asked (a slow answer, a system sleep) is not shown
    // connected: a restored one follows the expiry path (C10, C12); another tab's that this tab
    // only followed is that tab's to end, this one stays as it was (C12, M4).
    if (expiresAt !== null && expiresAt <= now) {
      if (settling == 'sync') clear()
      else expire('ttl', expiresAt, settling == 'restore' ? 'restore' : undefined)
      return
    }
    set({ status: 'connected', account, accounts, networkId, lastError: null, connectedAt, expiresAt })
    // Also a restore whose probe was retried: its reconnect:scheduled and reconnect:attempt end
    // here, as the ones of a reconnect do (an attempt is only ever a reconnect's or a restore's) (C7, C9).
    // A tab that followed another tab's attempts tells of the one that succeeded there (M6).
    if (settling == 'reconnect' || attempt) fx.push(['emit', 'reconnect:succeeded', { attempt: attempt || m.followed }])
    change('party', partyOf(before), partyOf(n.snapshot), source)
    change('network', before?.networkId ?? null, networkId, source)
    fx.push(['save'], ['arm'])
    if (told) fx.push(['post', 'connected', { connectedAt, expiresAt }])
    if (settling == 'reauth') fx.push(['flush'])
    // another tab's switch told meanwhile, which what the wallet told this op may be older than (M5)
    if (n.words & 1) fx.push(['call', 'listAccounts', 'remote'])
    if (n.words & 2) fx.push(['call', 'getActiveNetwork', 'remote'])
    clear()
    n.said = true
    n.firm = told || kept ? connectedAt : 0
  }
  /** The wallet is connected: settle once accounts and network are known; `ask` for the rest. */
  const gather = (ask?: boolean) => {
    if (n.accounts !== null && n.networkId !== undefined && !n.loading) settle()
    else if (ask) {
      if (n.accounts === null) query('listAccounts')
      if (n.networkId === undefined) query('getActiveNetwork')
    }
  }
  const onNetwork = (networkId: string | null, origin: Origin = 'local') => {
    if (!connected) {
      n.networkId = networkId
      if (m.said && op && !hook) gather()
    } else if (networkId != st.networkId) {
      // the field written, not through set(): Object.assign's generic path was some 5% of what a switch cost
      ;(n.snapshot = copy(n.snapshot)).networkId = networkId
      switched('network', st.networkId, networkId, origin)
    }
  }
  /** The session expired; `source` 'remote': another tab's message told so (it told the others). */
  const expire = (reason: 'ttl' | 'idle', expiredAt: number, source?: ChangeSource) => {
    const event = { expiredAt, reason }
    fx.push(['emit', 'session:expired', event])
    // The other tabs tell of it too, once, as this tab does — before an end of the session, or a
    // re-auth's outcome, reaches them (C12, M3, M4).
    if (source != 'remote') fx.push(['post', 'expiry', event])
    if (!c.reauth) {
      expireDown(new SessionError('The session expired', 'SESSION_EXPIRED'), source, expiredAt)
      return
    }
    // A reconnect's failed attempt is no error of the re-auth: a decline during the hook is told (C4, C12).
    set({ status: 'reconnecting', lastError: null })
    n.op = 'reauth'
    n.tries = 0
    n.hook = true
    n.said = false
    // a re-authenticated session is a new one (see `heard`)
    n.times = null
    n.heard = undefined
    fx.push(['disarm'], ['reauth', { reason, expiredAt }])
  }
  /** Asks the wallet, for this tab. */
  const query = (method: Method) => fx.push(['call', method, 'local'])
  /** Asks the wallet where it stands. */
  const probe = () => query('status')
  /** Asks the wallet where it stands, silently, as a `sync` unless an op runs (C19, M4). */
  const sync = () => {
    n.op ??= 'sync'
    probe()
  }
  /** The re-auth hook is done: the store re-reads the wallet and settles, or fails, as it says. */
  const recheck = () => {
    forget()
    probe()
  }
  /**
   * The wallet answered this tab's disconnect (`ok`), or failed to. It accepted it, and said last
   * that it is connected (see `missed`): it is asked where it stands now, silently; connected,
   * the store follows it (C19), else it stays out. One that failed the disconnect stays out: an
   * explicit disconnect stays one (C6), in every tab (M3). A restore that runs keeps what it said:
   * its probe's answer may be older than that connection (C9, C19). One that accepted it as a
   * connection made since (a connect() of the app) holds is asked too: it may have handled the
   * disconnect after that connect, and tell nothing of it (C6, C19).
   */
  const left = (ok?: unknown) => {
    n.leaving = 0
    if (!op) {
      n.missed = 0
      if (ok && connected) probe()
      else if (ok && m.missed > 1) sync()
    }
    // A sync under way read the wallet before it handled the sign-out, maybe: it asks again,
    // what it heard forgotten (C6, C19).
    else if (ok && op == 'sync') {
      n.said = false
      n.accounts = null
      probe()
    }
  }
  /** The current op failed; `keep`: a request failed, the wallet did not say it is not connected. */
  const fail = (error: SessionError, keep?: unknown) => {
    // any entry is another tab's session, or one a restore ends once the wallet says so (C9, M4)
    if (asking) down(error, 1)
    // a restore's probe, or a reconnect attempt: the next attempt, or the end
    // (`keep`: the wallet did not answer (it never said it is not connected): the entry stays)
    else if (op == 'restore' || (op == 'reconnect' && attempt)) {
      // After maxAttempts failures: an attempt the wallet's return cancelled before it ran (C8),
      // whose check then failed (the wallet dropped again), is none of them, and is scheduled again (C7).
      const failed = attempt && !m.probed ? attempt - 1 : attempt
      if (c.retry && failed < c.retry.maxAttempts) {
        set({ lastError: error })
        // the next attempt starts afresh: a "disconnected" heard meanwhile is no second failure
        n.said = false
        schedule(failed + 1)
      } else {
        if (attempt) fx.push(['emit', 'reconnect:gaveup', { attempts: attempt, lastError: error }])
        // the followers tell of it as this tab does (M6), and keep or remove the entry as it does (C7);
        // a message of any length fits the channel's 8 KB (a wallet's may be a whole HTML error page),
        // even if each character is sent as six (`\u0001`)
        if (c.lead && op == 'reconnect') fx.push(['post', 'gaveup', { attempts: attempt, code: error.code, message: error.message.slice(0, 1e3), keep }])
        endSession(error, keep)
      }
    } else if (op == 'reconnect') {
      // A follower's own check failed: it waits for leadership or the leader's outcome again.
      // If it was granted leadership while the wallet was back (or while it checked it as another
      // tab reconnected), its attempts start now (C7, M6). A check after the leader reconnected
      // (its message came) fails in a new outage: its attempts start at 1 (C7, M6).
      // (A reconnect waits for leadership, at attempt 0, only where one tab leads: `c.lead`.)
      if (m.times) n.followed = 0
      n.said = false
      n.times = null
      fx.push(['lead'])
    } else if (op == 'reauth') {
      if (!hook) expireDown(new SessionError('Re-authentication failed', 'REAUTH_FAILED', error))
    } else if (op == 'sync') {
      clear()
      // a connection the wallet (or another tab) told of that could not be read fails as connect() does (C4, C19);
      // a sync runs only while disconnected. After this tab left the wallet (see `gone`), one whose
      // read the wallet refuses as not connected is none: the late events of the connection that
      // ended, which come after the answer to its disconnect (a gateway's event stream), leave the
      // store as it was, its SESSION_EXPIRED kept (C6, C12).
      if (keep || !m.gone) set({ lastError: error })
    }
  }

  return (model, input, config, time) => {
    m = model
    c = config
    now = time
    fx = []
    ;({ snapshot: st, op, tries: attempt, hook } = m)
    party = partyOf(st)
    connected = st.status == 'connected'
    asking = op == 'connect' || op == 'pending'
    // Field by field, not a spread: copying a frozen snapshot (or a model) by spread takes V8's slow
    // path, and this runs for every wallet event. The types keep the lists complete.
    n = { snapshot: st, op, tries: attempt, probed: m.probed, followed: m.followed, hook, asked: m.asked, said: m.said, accounts: m.accounts, networkId: m.networkId, saved: m.saved, times: m.times, firm: m.firm, loading: m.loading, leaving: m.leaving, missed: m.missed, gone: m.gone && (!op || op == 'sync') && st.status == 'disconnected', check: m.check, declined: m.declined, ended: m.ended, reread: connected && m.reread, renet: connected && m.renet, words: op ? m.words : 0, heard: m.heard, vetting: asking && m.vetting, refusal: op == 'connect' ? m.refusal : undefined, approved: op == 'connect' && m.approved }

    switch (input.type) {
      case 'connect':
        // connect() tells how this connect went, not an earlier one of the re-auth (C3, C4)
        if (op == 'reauth') {
          set({ lastError: null })
          query('connect')
        } else if (!connected && !asking) {
          // nothing of a session this connect ends is shown meanwhile, its times neither (C7)
          set({ ...DISCONNECTED_STATE, status: 'connecting', networkId: st.networkId })
          n.op = 'connect'
          n.tries = 0
          n.said = false
          n.leaving = 0
          // a session a reconnect kept ends here (C7): its attempts, the word of another tab's attempt heard in it
          // (see `heard`), its expiry, and the Ledger API calls made in it (L2)
          n.heard = undefined
          fx.push(['disarm'])
          query('connect')
          // The account kept visible while reconnecting goes: that session ended, whoever connects now (C7, C11),
          // and so does the entry this tab wrote of it: a connect the user declines leaves none behind (C4, C7).
          if (op == 'reconnect') {
            invalidate('disconnected', 'local')
            fx.push(['remove', 1])
          }
        }
        break

      case 'disconnect':
        if (input.origin == 'remote' && input.expired && (n.gone || (!m.said && asking) || (typeof input.at == 'number' && ((m.times ?? st).connectedAt ?? 0) >= input.at))) {
          // Another tab's session expired (e.g. a tab reopened on an expired snapshot) while this tab's
          // user is still at a connect prompt: that connect is no part of the session that ended, so it
          // goes on, and the wallet tells how it ends (a decline, a drop). Leaving the wallet here would
          // end the prompt; no session was shown here to end, and the connect persists its own (C3, C12).
          // A connection the wallet confirmed before the message came ends with it. A sign-out, the
          // user's own word, ends every tab's connect too (M3).
          // Nor does a tab that left the wallet as that session ended, and did nothing since: tabs whose
          // session expired at once each tell of it, and each word would cost every tab a disconnect
          // request and a read of the entry (M3, C12).
          // Nor a session begun after that expiry, shown here or followed (a tab suspended past the
          // expiry takes up one another tab began meanwhile): the word of an earlier one is late (C12, M3).
        } else {
          n.gone = true
          // the wallet is left here: an expiry's check of the entry is of no use any more
          n.check = 0
          const error = input.expired ? new SessionError('The session expired', 'SESSION_EXPIRED') : null
          if (st.status != 'disconnected' || op) {
            // the wallet tells the decline of a connect under way as it ends it (see `ended`)
            if (asking || m.asked) n.ended = 1
            down(error, 1)
            n.leaving = 2
          } else n.leaving ||= 1
          // This tab's sign-out removes the entry, whoever wrote it (C6). Another tab's removes only
          // what this tab read or wrote: that tab removes its own, and may connect again before a
          // removal here lands (M3).
          // The other tabs hear it before the wallet is asked: the wallet's own statusChanged(false)
          // must find them disconnected already, not looking like a drop to reconnect from (M3).
          if (input.origin == 'local') fx.push(['remove'], ['post', 'disconnected'])
          else fx.push(['remove', 1])
          fx.push(['call', 'disconnect', input.origin])
          invalidate(input.expired ? 'expired' : 'disconnected', input.origin)
          fx.push(['reject', new SessionError('The session ended before the operation ran', 'REAUTH_FAILED', error)])
        }
        break

      case 'restore':
        if (!connected && !op) {
          set({ status: 'reconnecting', lastError: null })
          n.op = 'restore'
          n.loading = true
          fx.push(['load'])
        }
        break

      case 'loaded':
        if (m.check) {
          // The entry holds a session begun since this tab's expired: another tab's (a connect, a
          // re-auth), whose message has yet to come. It lives on, and this tab takes it up as its
          // wallet confirms it. Else this tab leaves the wallet — unless it went on meanwhile (its
          // user's connect, another tab's connected message): a wallet left now would end that. A
          // restore begun meanwhile is no such new session: the wallet is left before its probe,
          // which then finds the expired session gone (C10, C12, M3, M4).
          // One begun since that expired too (its tab was closed before its expiry) is none: no tab
          // lives on it, and a wallet left connected would bring it back, as a new session, on the
          // wallet's next word (C12, C19). A restore that reads it ends it itself, and leaves the
          // wallet then: once (C10).
          const s = input.saved
          n.check = 0
          if (s && s.connectedAt >= m.check && (op || (capped(s.connectedAt, s.expiresAt) ?? Infinity) > now)) {
            n.leaving = 0
            // Not once connected: the tab took that session up already (another tab's message came,
            // or its user connected), and a sync now would be an op that never ends, which a restore()
            // would wait for for good (C9, M4).
            if (!op && !connected) {
              // its times, as a restore takes those it read (an expiresAt left out is none)
              n.times = s as SessionTimes
              sync()
            }
          } else if (asking || op == 'sync' || connected) n.leaving = 0
          else leave(m.check)
        }
        if (m.loading) {
          // A second read (below) that finds no entry keeps the expired session the first one found.
          n.saved = input.saved ?? n.saved
          // The session the restore takes up: the one another tab's message told of, e.g. a re-auth
          // there while the read was on its way, else the persisted one (C10, C12, M4).
          const end = (n.times ?? n.saved)?.expiresAt ?? Infinity
          n.loading = false
          // The user connected while the restore read the snapshot: the connect settles against it.
          if (op != 'restore') {
            if (m.said && !hook) gather()
          } else if (end > now) {
            // The wallet said it is connected during the read: settle, or ask what is missing.
            if (n.said) gather(true)
            // Else the probe, unless a failure during the read already scheduled the next one (C7).
            else if (!attempt) probe()
          }
          // Expired: read once more before ending it, unless this is that second read or the first found
          // no entry (the session another tab's message told of expired). Another tab may have connected
          // anew meanwhile and persisted before its message comes: that newer session is taken up as the
          // wallet confirms it (C9), not ended in every tab, that tab's included (C10, C12, M4).
          else if (m.saved || !input.saved) expire('ttl', end, 'restore')
          else {
            n.loading = true
            fx.push(['load'])
          }
        }
        break

      case 'status':
        if (input.connected) {
          // the connect's answer tells the connection: no word before it is checked any more (see `vetting`)
          if (input.via == 'connect') n.vetting = false
          // a decline told before the wallet said it is connected is of no connection since (see `refusal`)
          n.refusal = undefined
        }
        if (input.via == 'statusChanged') n.declined = false
        // the decline of a connect a disconnect ended, which came after a connect asked since began: no
        // decline of it, no drop; nor are the words after it until that connect's answer (see `ended`) (C3, C6)
        else if (input.via == 'connected' && m.ended) {
          n.ended = !input.connected && op == 'connect' ? 2 : 0
          if (!input.connected) break
        } else if (input.via == 'connect' && m.ended == 2) n.ended = 0
        if (input.connected) {
          if (input.via == 'connect' && op != 'connect') {
            // the answer to a connect that is no longer this tab's op tells nothing
          }
          // Connected (again, e.g. by a restore whose probe found the wallet connected while the
          // disconnect is still unanswered), such an event only reports the network: it counts,
          // as accounts events do, or a switch meanwhile would be missed for good (C11).
          else if (connected) {
            if (input.networkId !== undefined) onNetwork(input.networkId)
          }
          // While this tab leaves, the wallet's events of before its disconnect are no connection
          // (a user connect ends `leaving`); a probe's answer still counts.
          else if (m.leaving && input.via != 'probe') n.missed = 2
          // An answer that a newer statusChanged(false) overtook is no connection: the wallet is asked
          // again. Not a failed connect at once: a wallet may say so as it opens its prompt, and
          // answer once the user approved (C3, C7, C9, C19). Nor is an event that may be older than
          // a sign-out the wallet accepted: with no op, or a sync asking already, a sync asks it — and
          // asks again if that answer is older than such an event, as after a connection told while
          // this tab left (see `missed`); during a connect, a probe checks it, whose "not connected"
          // leaves the connect waiting (see `vetting`) (C6, C19).
          else if (input.overtaken && !m.said) {
            if ((op ?? 'sync') == 'sync') n.missed = 2
            // (a probe's answer keeps what it checks, a connect's is no such word: see `approved`)
            if (input.via == 'connect') n.approved = true
            else if (asking && input.via != 'probe' && !m.approved) n.vetting = true
            sync()
          }
          else {
            n.said = true
            n.asked = false
            if (input.networkId !== undefined) n.networkId = input.networkId
            // The user approved during the re-auth: a connect() waiting for it tells so, not an earlier
            // one's failure, e.g. a decline or a wallet that refused the request (C3, C4, C12).
            if (hook) set({ lastError: null })
            else {
              if (op == 'reconnect' || op == 'restore') {
                fx.push(['schedule-clear'])
                // an attempt cancelled before it ran (see `probed`)
                if (!m.probed) n.probed = undefined
              }
              n.op ??= 'sync'
              // While `connect` is in flight its answer comes next, and with it the accounts the
              // wallet announces meanwhile: only then ask for what is still unknown (C3). A probe's
              // answer asks at once, also one that checked the wallet's word (see `vetting`): the
              // connect's answer may have come before it, overtaken, and none other comes (C3, C19).
              gather(op != 'connect' || input.via == 'connect' || input.via == 'probe')
            }
          }
        } else if (input.via == 'connect') {
          // The wallet said meanwhile that it is connected (its user approved before this answer
          // came): its word stands, and the connect settles once the rest is known (C3).
          // During a re-auth, such an approval is all the hook's connect() waits for (C3, C12).
          if (op == 'connect' && m.said) gather(true)
          // the decline its `connected` event told before this answer (see `refusal`)
          else if (m.refusal) down(m.refusal, 1)
          // an asynchronous wallet waits for the user, also when a re-auth hook asked it, or the app
          // as the re-auth checks the wallet after its hook (C3, C12) — the answer of a connect that
          // is no longer the op never comes here — unless the user declined before this answer came
          // (the hook's connect() tells so)
          else if (!m.said && !st.lastError) {
            fx.push(['emit', 'connect:pending', input.userUrl === undefined ? {} : { userUrl: input.userUrl }])
            if (op == 'connect') n.op = 'pending'
            n.asked = hook
          }
        }
        // A wallet that says its session ended (`reason: 'disconnect'`: its user disconnected the dApp
        // in it, or another tab did) is no drop: no attempt could bring it back, and the party the
        // user left must not stay on screen while attempts fail. It is a sign-out, as disconnect()
        // is: no error, also where its word comes before another tab's — and during a reconnect, or
        // a restore whose wallet said it is connected: no attempt, no 4900 — also where an attempt's
        // probe is the first to tell it (its event was sent while the wallet was out of reach) (C6, C7, C9, M3).
        else if (input.reason == 'disconnect' && (connected || op == 'reconnect' || (op == 'restore' && m.said)))
          endSession(null, 0, op == 'restore' ? op : 'local')
        else if (connected) {
          // A drop (C7): the explicit disconnect() path never gets here, it is already disconnected.
          if (!c.retry || c.retry.maxAttempts < 1) {
            // the wallet's reason, when it gives one, says more than ours (C4)
            const error = new SessionError(input.reason ?? 'The wallet disconnected', 4900)
            if (c.retry) fx.push(['emit', 'reconnect:gaveup', { attempts: 0, lastError: error }])
            endSession(error)
          } else {
            set({ status: 'reconnecting' })
            clear()
            n.op = 'reconnect'
            if (c.lead) {
              // Another tab that runs the attempts told of one before this drop came (this tab's
              // wallet tells it later): this tab follows that attempt, as if the word came after its
              // drop. It waits for it, its backoff delay and probe, before it takes the attempts
              // over, and tells of it as that tab does. A word older than that, whose attempt should
              // have run, is of no outage still under way (C7, M6).
              const h = m.heard
              if (h && now <= h[0] + computeBackoffDelay(c.retry, h[1], () => 1) + (c.bound ?? 0)) n.followed = h[1]
              fx.push(['lead'])
            } else schedule(1)
          }
        }
        // A probe's "not connected" that a newer statusChanged(true) overtook: that event's word
        // stands, and the op reads what it still needs (C7, C9).
        else if (input.overtaken && m.said) gather(true)
        else {
          // Accounts announced before the wallet said it is not connected are of a session that
          // ended (a late switch, a logout): the next connection reads its own (C3, C5).
          n.said = false
          n.accounts = null
          // A sync's answer asked before a connection the wallet told while this tab left, which
          // accepted that disconnect since: the wallet is asked again, as `left` would (C19, M4).
          if (op == 'sync') {
            if (input.overtaken && m.missed > 1 && !m.leaving) probe()
            else clear()
          }
          // The user declined: after an asynchronous wallet's answer, any event that says so; before
          // it (the events and the answer may come in either order), only the `connected` event.
          // A statusChanged(false) then may just tell the wallet's state as it opens its prompt (C3).
          // A re-auth's connect the wallet already said was declined (both events, or the event and
          // the refused request, tell it) is declined once: one error, one change (C2, C4).
          // Nor is the word of a sign-out the wallet answered before it (see `late`), or the
          // statusChanged after a decline the `connected` event told (see `declined`): a gateway
          // tells them after the answer to the next connect (C3, C6).
          else if ((op == 'pending' || m.asked || (input.via == 'connected' && (op == 'connect' || (hook && !st.lastError)))) && (input.via == 'connected' || (input.via == 'statusChanged' && !input.late && !m.declined))) {
            n.declined = input.via == 'connected'
            const error = new SessionError(input.reason ?? 'The wallet declined the connection', 4001)
            // The user declined the hook's connect: the re-auth goes on as the hook decides, but
            // connect() tells, as for a wallet that refuses at once (C4, C12).
            if (hook) {
              n.asked = false
              set({ lastError: error })
            } else if (op == 'connect') n.refusal = error
            else down(error, 1) // a failed connect ends no session: any entry stays (C4, M4)
          }
          // It said connected, then disconnected before the accounts and network were read:
          // the op failed (a reconnect attempt retries), it must not wait for answers forever.
          else if (m.said && op && !hook) fail(new SessionError(input.reason ?? 'The wallet disconnected', 4900))
          // A connect's check of a connection told after a sign-out the wallet accepted: that was
          // of before it, and the connect waits on for its user, the accounts told with it forgotten
          // (above). An answer a newer status word overtook is asked again: that word is checked
          // too (see `vetting`) (C3, C6, C19).
          else if (n.vetting && input.via == 'probe') {
            if (input.overtaken) probe()
            else n.vetting = false
          } else if (input.via == 'probe') {
            if (op == 'restore') {
              // Another tab connected while the probe was on its way, whose answer may be older than
              // that: the wallet is asked once more, the restore going on (it reconciles against its
              // snapshot, C10); still not connected, the entry is that tab's, and stays (C9, M4).
              // So is it once the wallet connected again while this tab left (see `left`) (C9, C19).
              if ((m.times || m.missed > 1) && !m.followed) {
                n.followed = 1
                probe()
              }
              // The entry it read goes, but only that one: another tab may have connected and
              // persisted since, its message still on its way, and its answer be older (C9, M4).
              else endSession(null, m.times, 'restore')
            } else fail(new SessionError(input.reason ?? 'The wallet is not connected', 4900))
          }
          // the wallet left, as this tab asked: a connection now is the user's (see `missed`). An
          // answer asked before the wallet's latest word tells nothing of after it: a connection
          // told meanwhile is still checked, also once a sync this answer ends is over (C19, M4).
          if (m.leaving) n.missed = input.overtaken ? m.missed : 1
        }
        break

      case 'accounts':
        if (input.overtaken && (connected || m.accounts)) {
          // An answer that a newer accountsChanged overtook only tells accounts not known yet, e.g.
          // after an empty list that was not remembered (C3, C5, C11).
        } else if (!connected) {
          // An empty list before the wallet says it is connected (its own logout, while idle or during
          // the reconnect that its statusChanged(false) started) is no account to remember (C5): the
          // next connection reads the accounts rather than exposing none (C3, C7).
          n.accounts = input.accounts.length || m.said ? input.accounts : null
          if (m.said && op && !hook) gather()
        } else if (!same(input.accounts, st.accounts)) {
          set({ accounts: input.accounts, account: primaryAccount(input.accounts) })
          switched('party', party, partyOf(n.snapshot), input.origin)
        }
        break

      case 'network':
        // as for the accounts: a network event's word stands over an answer it overtook (C3, C11)
        if (!input.overtaken || (!connected && m.networkId === undefined)) onNetwork(input.networkId, input.origin)
        break

      case 'fail':
        if (input.verb == 'disconnect') {
          // A failing repeat disconnect is still a no-op (C2), another tab's is ignored (M3), and an
          // expiry keeps its SESSION_EXPIRED.
          if (m.leaving > 1 && input.origin == 'local' && st.status == 'disconnected' && !op && !st.lastError) set({ lastError: input.failure })
          left()
        }
        // another tab's switch, which this tab's wallet could not tell of: the next word of it is read again (M5)
        else if (input.origin == 'remote') n.reread = n.renet = false
        // The wallet said meanwhile that it is connected (its own UI, another prompt): its word
        // stands over the failure of this tab's connect (C19), and over that of a read that a newer
        // wallet event of its kind overtook (accounts, network, status): the op settles once the
        // rest is known (C3, C7, C9).
        else if (m.said && (input.verb == 'connect' ? asking : input.overtaken)) {
          if (op && !hook) gather(true)
        }
        // A wallet that tells no network (no such method, a failure) is connected on none; one that
        // says it is not connected (4100, 4900) is not, as for any other read that fails (C3, C4).
        else if (input.verb == 'getActiveNetwork' && input.failure.code !== 4100 && input.failure.code !== 4900) {
          if (!connected) onNetwork(null)
        }
        // a read the wallet refuses as not connected (4100, 4900) says it is not: the entry goes with the session (C7, C9)
        else if (input.verb != 'connect' || asking) {
          fail(input.failure, input.failure.code !== 4100 && input.failure.code !== 4900)
          // A connect that fails while the wallet's word that it is connected is checked (see
          // `vetting`): that word may be of a connection the wallet made on its own meanwhile, and the
          // check's answer comes after the op: a sync asks again (C19). So does one that ran out of
          // time: its user may have approved as it did, its answer or the check of a word on its way (C17, C19).
          if (m.vetting || (input.verb == 'connect' && input.failure.code == 'TIMEOUT')) sync()
        }
        // A re-auth's connect (the hook's, or the app's meanwhile) the wallet refused: the re-auth
        // goes on as the hook decides, but connect() tells why, as it always does (C4, C12) — unless
        // its `connected` event told the decline already (C2).
        else if (op == 'reauth' && !st.lastError) set({ lastError: input.failure })
        break

      case 'tick':
        // an attempt is only ever a reconnect's or a restore's
        if (attempt) {
          n.probed = true
          fx.push(['emit', 'reconnect:attempt', { attempt }])
          probe()
        }
        break

      case 'lead':
        // A follower whose wallet came back meanwhile is already settling: no attempt needed (C8).
        // Nor for one that checks its wallet as another tab reconnected, which released the lock as
        // it did: an attempt now would drop that check, and tell of an attempt of this tab's (M6).
        // A tab that takes over from one closed meanwhile goes on from the attempt that tab
        // scheduled last, whose outcome never came: maxAttempts bounds the whole outage (C7, M6).
        // One whose check failed after that tab reconnected starts a new outage at 1 (see `fail`).
        // A tab whose lock another tab took, as this one went silent (a frozen page), stops its
        // attempts and follows that tab from the attempt it was at: one tab runs them (M6).
        // One that heard meanwhile that another tab reconnected (a woken page's tasks come in any
        // order) checks its wallet, as a follower told so does: its attempt's probe, which that
        // message ran, is dropped with the attempt, and no lead schedules another (C7, M6).
        if (op == 'reconnect' && !m.said) {
          if (!input.lost) {
            if (!attempt && !m.times) schedule(m.followed || 1)
          } else if (attempt) {
            n.tries = 0
            n.followed = attempt
            fx.push(['schedule-clear'])
            if (m.times) probe()
          }
        }
        break

      case 'left':
        left(1)
        break

      case 'cancel':
        // Once the wallet is back there is no reconnect left to stop, only its answers to wait for:
        // stopping then would leave the store disconnected from a connected wallet for good (C8).
        if (!m.said && (op == 'reconnect' || (op == 'restore' && attempt))) {
          // The tabs that share the reconnect stop too, the leader or its followers: none is left to
          // reconnect what the user stopped (C8, M6).
          if (c.lead && op == 'reconnect') fx.push(['post', 'gaveup'])
          // no sign-out: the entry stays for a restore to check with the wallet (C9)
          endSession(st.lastError ?? new SessionError('Reconnect cancelled', 4900), 1)
        }
        break

      case 'expire':
        if (connected || op == 'reconnect') expire(input.reason, input.at)
        break

      case 'reauth':
        if (hook) {
          if ('error' in input) expireDown(new SessionError('Re-authentication failed', 'REAUTH_FAILED', tokenFree(input.error)))
          else recheck()
        }
        break

      case 'remote':
        // the outcome of another tab's attempts (see `heard`)
        if (input.kind == 'connected' || input.kind == 'gaveup') n.heard = undefined
        if (input.kind == 'connected') {
          // The session times the other tab sent, as untrusted data: finite numbers only, never a
          // connectedAt after now, nor an expiry beyond this tab's own TTL (C12, M2).
          const at = input.data?.connectedAt
          const end = input.data?.expiresAt
          const connectedAt = Number.isFinite(at) ? started(at as number) : now
          const expiresAt = capped(connectedAt, Number.isFinite(end) ? (end as number) : null)
          const times = Number.isFinite(at) ? { connectedAt, expiresAt } : null
          if ((expiresAt ?? Infinity) <= now) {
            // An expired session (a reconnect that came too late) is none to take up: it re-authenticated
            // no one, so it neither ends a re-auth nor connects a tab with a new TTL (C12).
          }
          // Connected already (its wallet said so before the message came, or the other tab
          // re-authenticated): one wallet session, one expiry in every tab. Firm times give way only
          // to a later start: two tabs that connect at once, each hearing the other after it
          // connected, end on the later connect, whatever order the messages come in.
          else if (connected) {
            if (times && connectedAt > m.firm) {
              n.firm = connectedAt
              set(times)
              if (!sameState(n.snapshot, st)) fx.push(['save'], ['arm'])
            }
          } else {
            n.times = times
            if ((st.status == 'disconnected' && !op) || (op == 'reconnect' && !attempt)) sync()
            // A tab that runs the attempts: the lock of a tab closed as it reconnected (one that lives
            // keeps it a second) may reach it before the message does. Its next attempt runs now, not
            // after its backoff (M6).
            // So does the next probe of a restore that waits to retry: another tab connected, this
            // tab restores now, not after its backoff (C9, M4).
            else if (op == 'reconnect' || (op == 'restore' && attempt)) fx.push(['schedule', -1])
            // Another tab re-authenticated (or connected) while this tab's hook still waits, e.g. for
            // its user: the re-auth ends here too once the wallet confirms, as if the hook had resolved (C12).
            else if (hook) recheck()
          }
        } else if (input.kind == 'attempt') {
          const next = input.data?.attempt
          if (Number.isInteger(next) && (next as number) > 0) {
            n.heard = [now, next as number]
            if (op == 'reconnect') n.followed = next as number
          }
        } else if (input.kind == 'expiry') {
          // Another tab's session expired: this tab's too, if it still shows it — and it began before
          // that expiry: an expiry of an earlier session ends none started since, also one another
          // tab told of that this tab's wallet has not confirmed yet (C12, M2), as for a disconnect.
          const reason = input.data?.reason
          const expiredAt = input.data?.expiredAt
          // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- a session connected or reconnecting has its start
          if ((connected || op == 'reconnect') && (reason === 'ttl' || reason === 'idle') && Number.isFinite(expiredAt) && (expiredAt as number) > (m.times ?? st).connectedAt!) {
            expire(reason, expiredAt as number, 'remote')
          }
        } else if (input.kind == 'gaveup') {
          // Also once this tab holds the lock: the lock of a leader closed as it gave up (one that
          // lives keeps it a second) may reach this tab before the message does (M6). Not once this
          // tab's wallet said it is connected again: it settles connected, as the wallet connecting
          // on its own does (C19).
          // Only where one tab leads the attempts: without Web Locks each tab runs its own, which
          // another tab's word does not end (M6).
          if (c.lead && op == 'reconnect' && !m.said) {
            // The leader's give-up, told as the leader tells it: its attempts and its last failure
            // (code and message; the cause stays in that tab). A cancel (or an older tab's message)
            // carries none of it: no give-up to tell (C8, M2, M6). The leader keeps or removes the
            // entry as its wallet said, and so does this tab with the entry it read or wrote: its own
            // connection's may be the last one written, e.g. where its wallet's events came later (C7).
            const attempts = input.data?.attempts
            const code = input.data?.code
            const message = input.data?.message
            const told = Number.isInteger(attempts) && typeof message == 'string' && (typeof code == 'string' || Number.isInteger(code))
            const error = told ? new SessionError(message, code as SessionError['code']) : new SessionError('The wallet did not reconnect', 4900)
            if (told) fx.push(['emit', 'reconnect:gaveup', { attempts: attempts as number, lastError: error }])
            endSession(error, !told || input.data?.keep, 'remote')
          }
        } else if ('current' in input && connected) {
          // Once per switch, of each kind (a network switch that brings another party is told as
          // two words): every tab that makes it tells of it, and a tab whose wallet has yet to
          // switch (its events come later than the other tabs' messages) would re-read for each of
          // them, work growing with the square of the tabs. A word of another value, or the same
          // once this tab shows another, is read again (M5). A word of what this tab shows ends
          // that switch: a tab that switched back tells of it, and its next switch to that value is
          // a new one, read again — also where this tab's wallet tells it nothing (M5). So is the
          // same word from a tab that told it already: each tab tells a switch once, and that one
          // left the value since, unseen here (a party regained from none is no switch it tells (C11),
          // nor one a reconnect found) — a new switch (M5).
          const net = input.kind == 'network'
          // (the memo: the word's line, then each teller's, or none: 'false', which begins no word.
          // The word is JSON: no two values share it, as null and 'null' would, or a value and one
          // that goes on after a line break.) A word not heard yet — another value, or the same from
          // a tab that told it already — is read (the `call` pushed as `next` is built), and starts
          // the memo anew; one heard adds its teller's line.
          const memo = `${net ? m.renet : m.reread}`
          const word = input.current != (net ? st.networkId : party) && `${JSON.stringify(input.current)}\n`
          // A memo of over 10,000 characters (some 250 tellers: more tabs than a person opens, as from a
          // hostile tab that tells the word under ever new ids) is read and started anew: searched in
          // full at each message, it would cost every message more than the last (M2).
          const next = word && `${memo.length < 1e4 && memo.startsWith(word) && !memo.includes(`\n${input.teller}\n`) ? memo : (fx.push(['call', net ? 'getActiveNetwork' : 'listAccounts', 'remote']), word)}${input.teller}\n`
          if (net) n.renet = next
          else n.reread = next
        }
        // Not connected yet: read once it is (see `words`) (M5).
        else if ('current' in input && op) n.words = m.words | (input.kind == 'network' ? 2 : 1)
    }

    n.snapshot = sameState(n.snapshot, st) ? st : sameState(n.snapshot, DISCONNECTED_STATE) ? DISCONNECTED_STATE : sameState(n.snapshot, RECONNECTING_STATE) ? RECONNECTING_STATE : Object.freeze(n.snapshot)
    return [n, fx]
  }
}

let shared: typeof transition | undefined

/**
 * The pure transition of the session state machine (a store has its own, from {@link createTransition}).
 * @param m - the current model
 * @param input - what happened
 * @param c - the store's configuration
 * @param now - the current time
 * @returns the next model (the same `state` reference when nothing visible changed) and the effects
 * @internal
 */
export function transition(m: Model, input: Input, c: MachineConfig, now: number): [Model, Effect[]] {
  return (shared ??= createTransition())(m, input, c, now)
}
