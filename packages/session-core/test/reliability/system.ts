import { decodeSessionEnvelope, type SessionSnapshot, type SessionStorage } from '@sessionlayer/session-crypto'
import {
  createChannelHub,
  createMockLockManager,
  createMockProvider,
  createMockWallet,
  type MockConnectMode,
  type MockProvider,
} from '@sessionlayer/session-testing'
import type { CIP0103Provider, CIP0103RequestArgs } from '../../src/cip0103'
import { createSessionStore } from '../../src/createSessionStore'
import type { RetryPolicy } from '../../src/retry'
import type { SessionState, SessionStore } from '../../src/types'
import { createVirtualTime, drain, type OwnedClock } from './virtualTime'

// The system the model drives: 1–3 tabs of one origin, each a store over its own provider of
// one mock wallet, joined by an in-memory channel hub, sharing one storage, one lock manager and
// one virtual clock. Faults are injected around the wallet and the storage so that they can be
// healed again; invariants are recorded as violations, never thrown into the store.

export const STORAGE_KEY = 'sessionlayer.session'
const CHANNEL = `sessionlayer.session.sync::null::${STORAGE_KEY}`
const TOKEN_MARK = 'mock-token'
/** Silent requests time out after this long (virtual ms); `connect` after CONNECT_TIMEOUT. */
export const REQUEST_TIMEOUT = 1_000
export const CONNECT_TIMEOUT = 5_000

export type StorageMode = 'ok' | 'quota' | 'unavailable' | 'throws'
export type WalletFault =
  /** `leak`: the rejection carries the wallet's status, access token included, as some wallets' errors do (C4, C15). */
  | { readonly kind: 'fail'; readonly code: number; readonly http?: boolean; readonly leak?: boolean }
  | { readonly kind: 'hang' }
  | { readonly kind: 'late'; readonly ms: number }
  | { readonly kind: 'throw' }

/** One run's configuration of the stores. */
export interface SystemConfig {
  readonly reconnect: false | Partial<RetryPolicy>
  readonly ttlMs?: number
  readonly idleTimeoutMs?: number
  /**
   * The re-auth hook: reconnects through `connect()`, re-checks silently with `restore()`, just
   * resolves, or declines — all at once; or, as apps do, shows a prompt and waits for the user
   * (`prompt`): approving calls `connect()`, declining rejects, and the prompt closes when the
   * hook's `signal` aborts (the store stopped waiting for it).
   */
  readonly reauth?: 'connect' | 'restore' | 'resolve' | 'decline' | 'prompt'
  readonly persistSnapshot: boolean
  /** Web Locks: a lock manager, none, or one that refuses every request (a sandboxed frame). */
  readonly locks: boolean | 'refused'
  /** `onInvalidate` rejects (reported as `error` events, C11). */
  readonly throwingInvalidate: boolean
  readonly initialTabs: number
  readonly walletConnected: boolean
  /**
   * How late each tab's provider delivers the wallet's events (virtual ms, by tab id modulo 3):
   * a slow tab hears of a party switch from another tab before its own wallet tells it (M5).
   */
  readonly eventDelays: readonly number[]
  /**
   * Transit time of the wallet's answers (virtual ms) to `connect` and to the silent requests
   * (`status`, `listAccounts`, `getActiveNetwork`, `disconnect`). Not a fault: the wallet handles
   * each request at once, in call order; only its answer arrives later, so that a user's actions
   * and the wallet's events overlap an op still in flight.
   */
  readonly latency: { readonly connect: number; readonly silent: number }
  /**
   * Answers and events travel apart, as over HTTP with server-sent events: an event the wallet sends
   * after an answer may arrive before it, e.g. a network switch before a `status` answer of the old
   * network (C3, C9, C11). Else the tab's port is ordered, like an extension's.
   */
  readonly apart?: boolean
  /**
   * The wallet tells a tab nothing of that tab's own connect and disconnect: the events its answer
   * to them sends are not delivered to the tab that asked (each other tab still hears them), as a
   * wallet that tells only what the dApp did not ask for. A drop or a sign-out in the wallet after
   * a disconnect() and a connect() then reaches the tab as the first word since (C6, C7).
   */
  readonly silent?: boolean
  /** How long a storage read takes (an encrypted IndexedDB decrypts): a restore overlaps the next steps. */
  readonly storageDelay: number
}

interface Tab {
  readonly id: number
  readonly store: SessionStore
  readonly provider: MockProvider
  readonly clock: OwnedClock
  last: SessionState
  notifications: number
  /** A user disconnect happened in some tab, and this tab heard of it; no `reconnect:*` until it connects again. */
  quiet: boolean
  /**
   * Another tab's user disconnect is on its way here (M3): until the message arrives, this tab
   * may still be busy with a drop it saw before, so it is quiet from its next `disconnected`.
   */
  hushing: boolean
  /** This tab heard of the user disconnect `left` stands for (see there). */
  heard: boolean
  /** A `reconnect:scheduled` whose attempt has not started yet. */
  scheduled: boolean
  /** `connect()` calls in this tab: one during a restore's read makes a new session (no expiry of what it read). */
  connects: number
  /** Bumped when the tab becomes connected or disconnected: a storage read from an older epoch belongs to no op. */
  epoch: number
  /** A restore runs: from `disconnected` to `reconnecting`, until connected or disconnected (C9). */
  restoring: boolean
  /** The unexpired persisted snapshot this tab's restore read: what it reconciles against once connected (C10). */
  read: SessionSnapshot | null
  /**
   * This tab's restore read an expired snapshot (its `connectedAt`; null: none): the expiry path
   * must come before any connection to that session (C10, C12). A newer session, one another tab
   * connected or re-authenticated meanwhile, is none to expire (M4).
   */
  readExpired: number | null
  /** Events the tab owes for its last connection (C10), e.g. `party:changed a → b`; checked after the step. */
  owed: string[]
  /** Its last connection, and the epoch that connection ended: a read still out then comes back too late (C10). */
  early: { readonly epoch: number; readonly party: string | null; readonly network: string | null } | null
  /** The wallet's events reach this tab at once, so before the answer to any later request. */
  readonly ordered: boolean
  /** A re-auth hook runs (`session:expired` while reconnecting, until connected or disconnected). */
  reauthing: boolean
  /** The re-auth prompt of its latest hook (`reauth: 'prompt'`). */
  prompt: Prompt | null
  /** Submission number of the latest `enqueue` op that ran (C13: in submission order). */
  lastRun: number
  /** The grant of the reconnect lock this tab holds (Web Locks), or null (M6). */
  lock: object | null
  /** What the tab showed and emitted during a step that watches it (see `signOutAndIn`), else null. */
  log: string[] | null
  /** An answer or an event of the wallet is still on its way to the tab. */
  readonly busy: () => boolean
  /** Every snapshot the tab showed: what its connect() and restore() may resolve with (C3, C9). */
  readonly shown: WeakSet<SessionState>
  readonly unsubscribe: () => void
}

/** A promise the model expects to settle (queued ops, connect/restore/disconnect calls). */
interface Tracked {
  readonly what: string
  /** A user's `connect()`: bounded by `connectTimeoutMs` even when the user never answers (C17). */
  readonly connect: boolean
  /** An `enqueue` of this tab: settled once the tab is not re-authenticating (C13, C14). */
  readonly enqueued?: Tab
  settled: boolean
}

/**
 * A re-auth prompt (`reauth: 'prompt'`), the way the example apps' `reauthGate` shows one: open
 * until the user answers it or the hook's `signal` aborts (then it closes). Once answered, the
 * hook runs on (an approval awaits `connect()`, and may still be aborted meanwhile) until its
 * promise settles: it has `finished` then.
 */
interface Prompt {
  readonly signal: AbortSignal
  state: 'open' | 'answered' | 'finished' | 'closed'
  readonly approve: () => void
  readonly decline: () => void
}

const INVALIDATE_ERROR = 'invalidate declined'
const REAUTH_DECLINED = 'reauth declined'
const PROMPT_CLOSED = 'The store no longer waits for this prompt'

/** Whether `value` holds an access token anywhere, an Error's message and cause included (C4, C15). */
const holdsToken = (value: unknown, seen = new Set<unknown>()): boolean => {
  if (typeof value === 'string') return value.includes(TOKEN_MARK)
  if (typeof value !== 'object' || value === null || seen.has(value)) return false
  seen.add(value)
  return Object.getOwnPropertyNames(value).some((key) => {
    try {
      return holdsToken((value as Record<string, unknown>)[key], seen)
    } catch {
      return false
    }
  })
}
const partyOf = (s: SessionState) => s.account?.partyId ?? null

const frozen = (s: SessionState) => Object.isFrozen(s) && Object.isFrozen(s.accounts)
const same = (a: SessionState, b: SessionState) =>
  JSON.stringify({ ...a, lastError: null }) === JSON.stringify({ ...b, lastError: null }) && a.lastError === b.lastError

/** How often each event and status was seen, over every run of the process (coverage of the model). */
export const observed = new Map<string, number>()
const see = (what: string) => observed.set(what, (observed.get(what) ?? 0) + 1)
const OBSERVED_EVENTS = [
  'connect:pending',
  'reconnect:scheduled',
  'reconnect:attempt',
  'reconnect:succeeded',
  'reconnect:gaveup',
  'session:expired',
  'party:changed',
  'network:changed',
  'storage:error',
] as const

export function createSystem(config: SystemConfig) {
  const time = createVirtualTime()
  const walletClock = time.clock('wallet')
  // On a microtask: the model's timers run on its virtual clock, and a message on a task of the
  // global setTimeout would land at a real time, outside the sequence being replayed.
  const hub = createChannelHub({ delivery: 'microtask' })
  // At the end of each wallet action, for the same reason: an event on a task of the global
  // setTimeout would land outside the sequence too; the model delays each tab's events itself, on its clock.
  const wallet = createMockWallet({ connected: config.walletConnected, delivery: 'sync' })
  const mockLocks = config.locks === true ? createMockLockManager() : null
  /**
   * The frozen tabs, each with what it hears once woken: a frozen page runs no task, and as it
   * resumes, its timers due meanwhile run before the tasks queued for it (Chromium), e.g. the word
   * that another tab took its lock (M6).
   */
  const frozenTabs = new Map<Tab, (() => void)[]>()
  const refused = { request: () => Promise.reject(new DOMException('The request was denied.', 'SecurityError')) }
  /**
   * The mock's lock manager as tab `ref` uses it, watched: which tab holds the reconnect lock (from
   * its grant until it releases it or another tab takes it), a tab that takes it from a silent
   * leader (steal), and the leader that loses it (its granted request rejects with an AbortError, M6).
   */
  const locksOf = (ref: { tab?: Tab }) =>
    mockLocks && {
      request<T>(name: string, options: Parameters<typeof mockLocks.request>[1], callback: (lock: unknown) => T | Promise<T>) {
        const reconnect = name.startsWith('sessionlayer.reconnect')
        if (reconnect && options.steal) see('reconnect lock stolen')
        const grant = {}
        const end = () => {
          if (ref.tab?.lock === grant) ref.tab.lock = null
        }
        const granted = mockLocks.request(name, options, (lock) => {
          // (an `ifAvailable` request the lock is not free for is called with null: no grant)
          if (reconnect && ref.tab && lock) ref.tab.lock = grant
          return callback(lock)
        })
        return granted.then(
          (value) => (end(), value),
          (error: unknown) => {
            end()
            const stolen = reconnect && options.steal === undefined && (error as Error | null)?.name === 'AbortError' && !options.signal?.aborted
            if (stolen) see('reconnect lock lost to a steal')
            // A tab that hears its lock was taken drops the attempt it scheduled (its timer goes) and
            // follows the tab that took it: a schedule of its own once it leads again is no second
            // one at a time (C8, M6). Its attempt, were it run all the same, is one without the lock.
            const told = () => {
              if (stolen && ref.tab) ref.tab.scheduled = false
            }
            const held = reconnect && ref.tab && frozenTabs.get(ref.tab)
            if (!held) {
              told()
              throw error
            }
            see('reconnect lock word held by a frozen tab')
            return new Promise<T>((_, reject) =>
              held.push(() => {
                told()
                reject(error instanceof Error ? error : new Error(String(error)))
              }),
            )
          },
        )
      },
    }
  const violations: string[] = []
  const tabs: Tab[] = []
  const closed: Tab[] = []
  const tracked: Tracked[] = []
  let ids = 0
  /** The wallet misbehaved (failed, hung, answered late, lied in an event) during the run. */
  let walletFaulted = false
  /** A raw event contradicted the wallet's own state; its next real events correct it. */
  let lied = false
  /**
   * A user's `disconnect()` left a healthy wallet (no fault pending, no late request in flight),
   * and nothing since could have connected it again (a `connect()` in any tab, the wallet or its
   * user connecting, a fault, a lie): no tab may emit `reconnect:*` (C6, M3), and the tabs that
   * called `disconnect()` may not become connected (C6). Unlike `Tab.quiet`, a tab becoming
   * connected does not end it: that is the defect (late connect events taken for a connection).
   * A tab is held to it once it has heard of the disconnect (`Tab.heard`).
   * Checked in the tabs whose wallet events are not delayed: where events may arrive after the
   * answer to `disconnect`, events the wallet sent before it cannot be told from a wallet that
   * connected again on its own (C19), and a store can only follow them.
   */
  let left = false
  const leftBy = new Set<Tab>()
  const mayConnect = () => {
    left = false
    leftBy.clear()
    for (const tab of tabs) tab.heard = false
  }
  /** `late` faults whose request the wallet has not handled yet: it may still connect the wallet. */
  let lateInFlight = 0
  /**
   * A silent wallet handled a tab's disconnect() only after that request timed out: the sign-out
   * it made then is told to no one, asked by no one, and a tab connected since cannot know of it.
   */
  let untold = false
  /** While the system quiesces, the user answers every re-auth prompt as soon as it shows: approves, or declines. */
  let autoAnswer: boolean | null = null
  /** Submission numbers of `enqueue` ops. */
  let enqueues = 0

  /**
   * The hook of `reauth: 'prompt'`: shows `tab`'s prompt and waits for the user. Invariants (C12):
   * the store aborts the signal whenever it stops waiting for the hook, so a prompt is never left
   * open on a tab that is no longer re-authenticating (checked where the tab's status changes, on
   * destroy and after each step); and never after the hook finished.
   */
  const openPrompt = (tab: Tab, signal: AbortSignal): Promise<void> => {
    if (tab.prompt?.state === 'open') violations.push(`tab${tab.id}: a second re-auth prompt while the first is still open (C12)`)
    if (signal.aborted) violations.push(`tab${tab.id}: re-auth hook called with its signal already aborted, a prompt closing on 'abort' never closes (C12)`)
    let prompt: Prompt | undefined
    const hook = new Promise<void>((resolve, reject) => {
      const answer = (then: () => void) => () => {
        if (prompt?.state !== 'open') return
        prompt.state = 'answered'
        then()
      }
      prompt = {
        signal,
        state: 'open',
        approve: answer(() => {
          mayConnect()
          const connected = tab.store.connect()
          track(`tab${tab.id}.reauth connect`, connected, isDestroyed)
          resolve(connected.then(() => undefined))
        }),
        decline: answer(() => {
          reject(new Error(REAUTH_DECLINED))
        }),
      }
      signal.addEventListener('abort', () => {
        const p = prompt
        if (!p) return
        see(`re-auth prompt aborted (${p.state})`)
        if (p.state === 'finished') violations.push(`tab${tab.id}: re-auth hook's signal aborted after the hook finished (C12)`)
        if (p.state !== 'open') return
        p.state = 'closed'
        reject(new DOMException(PROMPT_CLOSED, 'AbortError'))
      })
    })
    // Registered before the store's own reaction to the hook's promise, so it runs first.
    const finished = () => {
      if (prompt?.state === 'answered') prompt.state = 'finished'
    }
    hook.then(finished, finished)
    tab.prompt = prompt ?? null
    see(`re-auth prompt shown${autoAnswer === null ? '' : ' (quiesce)'}`)
    if (autoAnswer !== null) {
      const auto = autoAnswer
      queueMicrotask(() => (auto ? prompt?.approve() : prompt?.decline()))
    }
    return hook
  }
  /** A tab that no longer re-authenticates (or is closed) shows no prompt: the store aborted its signal (C12). */
  const promptClosed = (tab: Tab, why: string) => {
    if (tab.prompt?.state === 'open') violations.push(`tab${tab.id}: re-auth prompt still open ${why}, its signal not aborted (C12)`)
  }

  // Storage: one map for the origin, behind a switchable fault.
  const entries = new Map<string, string>()
  let storageMode: StorageMode = 'ok'
  /** The storage failed, or its entry was overwritten, during the run: the entry may lag the tabs. */
  let storageFaulted = false
  /**
   * The entry was kept on purpose, for a restore to check with the wallet (C8, C9): a tab closed on its
   * session (the next page load restores it), a reconnect was cancelled, or a connect() failed that did not end a session of its tab's own (another tab may
   * live on the entry, C4, M4), as a give-up after the wallet failed (rather than said it is not
   * connected) keeps it.
   */
  let kept = false
  const fault = (operation: string) => {
    if (storageMode === 'throws') throw new Error(`storage ${operation} threw`)
    return Promise.reject(
      storageMode === 'quota' && operation === 'set'
        ? new DOMException('quota exceeded', 'QuotaExceededError')
        : new DOMException(`storage unavailable (${operation})`, 'InvalidStateError'),
    )
  }
  const shared: SessionStorage = {
    getItem: (key) => (storageMode === 'ok' || storageMode === 'quota' ? Promise.resolve(entries.get(key) ?? null) : fault('get')),
    setItem: (key, value) => {
      if (storageMode !== 'ok') return fault('set')
      entries.set(key, value)
      return Promise.resolve()
    },
    removeItem: (key) => {
      if (storageMode !== 'ok' && storageMode !== 'quota') return fault('remove')
      entries.delete(key)
      return Promise.resolve()
    },
  }

  // Wallet faults: the next calls of a method (any tab) fail, hang, answer late or throw.
  const faults: { method: string; fault: WalletFault; times: number }[] = []
  const takeFault = (method: string) => {
    const i = faults.findIndex((f) => f.method === method || f.method === '*')
    const f = faults[i]
    if (f && --f.times <= 0) faults.splice(i, 1)
    return f?.fault
  }
  const latencyOf = (method: string) =>
    method === 'connect' ? config.latency.connect : ['status', 'listAccounts', 'getActiveNetwork', 'disconnect'].includes(method) ? config.latency.silent : 0
  /** `port.busy`: an answer or an event of the wallet is still on its way to the tab. */
  const withFaults = (mock: MockProvider, delay: number, port: { busy?: () => boolean }): CIP0103Provider => {
    /** The delayed stand-in of each listener, by event. */
    const slow = new Map<string, Map<unknown, (...args: never[]) => void>>()
    /**
     * Until when this tab's answers are in transit. The tab's port is ordered, like an extension's:
     * neither a later answer nor an event the wallet sends after an answer overtakes it (events
     * may still lag behind answers by `delay`, as before) — unless answers and events travel
     * `apart`: then only answers keep their order.
     */
    let inTransit = 0
    /** Until when its events are in transit: they stay in order. */
    let eventsUntil = 0
    port.busy = () => Math.max(inTransit, eventsUntil) > time.now()
    /**
     * The wallet handles this tab's own connect or disconnect (`silent`): the events it sends meanwhile
     * are of that call. The mock handles a request on the microtask queued as it is made, and sends its
     * events at the end of it: the flag is up on the microtask before that one, down on the one after.
     */
    let own = false
    const handle = (args: CIP0103RequestArgs): Promise<unknown> => {
      if (!config.silent || (args.method !== 'connect' && args.method !== 'disconnect')) return mock.request(args)
      queueMicrotask(() => (own = true))
      const answer = mock.request(args)
      queueMicrotask(() => (own = false))
      return answer
    }
    /** Virtual ms from now until a message sent now, `ms` on its way, arrives. */
    const arrival = (ms: number, after = 0, port = inTransit) => Math.max(time.now() + ms, port, after) - time.now()
    /** The answer: handled by the wallet at once, in call order, and delivered `ms` later. */
    const transit = (answer: Promise<unknown>, ms: number): Promise<unknown> => {
      const arrive = () => {
        const wait = arrival(ms)
        inTransit = time.now() + wait
        return wait === 0 ? Promise.resolve() : new Promise<void>((resolve) => walletClock.setTimeout(resolve, wait))
      }
      return answer.then(
        (value) => arrive().then(() => value),
        (error: unknown) => arrive().then(() => Promise.reject(error as Error)),
      )
    }
    const ask = (args: CIP0103RequestArgs): Promise<unknown> => {
      const f = takeFault(args.method)
      if (!f) return transit(handle(args), latencyOf(args.method))
      switch (f.kind) {
        case 'throw':
          throw new TypeError(`${args.method} threw synchronously`)
        case 'hang':
          return new Promise(() => undefined)
        case 'fail':
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- wallets reject with bare objects
          return Promise.reject(
            f.leak
              ? { code: f.code, message: `injected ${f.code}`, data: { session: { accessToken: wallet.state().accessToken } } }
              : f.http
              ? { error: { code: 500, message: 'Internal Server Error', data: JSON.stringify({ jsonrpc: '2.0', id: '1', error: { code: f.code, message: 'x' } }) } }
              : { code: f.code, message: `injected ${f.code}` },
          )
        case 'late':
          lateInFlight++
          return new Promise((resolve, reject) => {
            walletClock.setTimeout(() => {
              lateInFlight--
              untold ||= config.silent === true && args.method === 'disconnect' && f.ms >= REQUEST_TIMEOUT
              handle(args).then(resolve, reject)
            }, f.ms)
          })
      }
    }
    return {
      request: ask,
      on(event, listener) {
        const byListener = slow.get(event) ?? new Map<unknown, (...args: never[]) => void>()
        slow.set(event, byListener)
        const late = (...args: never[]) => {
          if (own) {
            see(`${event} of the tab's own call not told (silent wallet)`)
            return
          }
          const wait = arrival(delay, eventsUntil, config.apart ? 0 : inTransit)
          eventsUntil = time.now() + wait
          if (wait === 0) listener(...args)
          else
            walletClock.setTimeout(() => {
              if (byListener.has(listener)) listener(...args)
            }, wait)
        }
        byListener.set(listener, late)
        return mock.on(event, late)
      },
      removeListener(event, listener) {
        const late = slow.get(event)?.get(listener)
        slow.get(event)?.delete(listener)
        return mock.removeListener(event, late ?? listener)
      },
      emit: (event, ...args) => mock.emit(event, ...args),
    }
  }

  /** Tracks a promise that must settle; `mustReject`: it must reject, and only as `mayReject` allows. */
  const track = (
    what: string,
    promise: Promise<unknown>,
    mayReject: (error: unknown) => boolean,
    { connect = false, mustReject = false, enqueued, resolves }: { connect?: boolean; mustReject?: boolean; enqueued?: Tab; resolves?: (value: unknown) => void } = {},
  ) => {
    const t: Tracked = { what, connect, settled: false, ...(enqueued && { enqueued }) }
    tracked.push(t)
    promise.then(
      (value) => {
        t.settled = true
        if (mustReject) violations.push(`${what} resolved instead of rejecting`)
        resolves?.(value)
      },
      (error: unknown) => {
        t.settled = true
        if (!mayReject(error)) violations.push(`${what} rejected: ${String((error as Error | null)?.message ?? error)}`)
      },
    )
  }
  /**
   * connect() and restore() resolve with a snapshot the tab showed (C3, C9), the one their op ended
   * in: never `connecting`, nor `reconnecting` but during a re-auth (restore() then answers at once,
   * connect() waits for it to end). A tab closed meanwhile resolves its calls as they stood (C14).
   */
  const settledWith = (tab: Tab, what: string, allowed: readonly string[]) => (value: unknown) => {
    if (closed.includes(tab)) return
    const state = value as SessionState
    if (!tab.shown.has(state)) violations.push(`${what} resolved with a snapshot the tab never showed (${JSON.stringify(state).slice(0, 80)})`)
    else if (!allowed.includes(state.status)) violations.push(`${what} resolved while ${state.status}`)
  }
  const codeOf = (error: unknown) => (error as { code?: unknown } | null)?.code
  const isDestroyed = (error: unknown) => codeOf(error) === 'DESTROYED'

  /**
   * One tab's view of the shared storage. Its reads take `storageDelay` (the value is the one at
   * call time) and are noted when they come back within the same epoch, i.e. for the op that
   * asked: a restore's reads, made while it is not disconnected; a disconnected tab reads only to
   * check the entry it removes.
   */
  const storageClock = time.clock('storage')
  const storageOf = (ref: { readonly tab?: Tab }): SessionStorage => ({
    ...shared,
    getItem(key) {
      const tab = ref.tab
      // Only a read during a restore is a restore's. Another is the check the store makes before it
      // removes the entry (C9, M4), also one that waited behind a slow read and comes once the tab
      // is connected again, or reconnecting after a drop.
      const epoch = tab?.restoring ? tab.epoch : undefined
      const connects = tab?.connects
      const value = shared.getItem(key) // may throw at once (storage mode 'throws')
      const later = config.storageDelay
        ? value.then((text) => new Promise<string | null>((resolve) => storageClock.setTimeout(() => resolve(text), config.storageDelay)))
        : value
      return later.then((text) => {
        if (!tab || epoch === undefined || !config.persistSnapshot) return text
        const saved = decodeSessionEnvelope(text)
        const userConnected = connects !== tab.connects
        if (tab.epoch === epoch) noteRead(tab, saved, userConnected)
        // it became connected (and nothing else) while its restore was still reading
        else if (tab.epoch === epoch + 1 && tab.early?.epoch === epoch && saved) {
          if (!expired(saved)) for (const owed of owing(saved, tab.early)) violations.push(`tab${tab.id}: connected before its restore read the persisted snapshot, without ${owed} (C10)`)
          else if (!userConnected) violations.push(`tab${tab.id}: connected before its restore read an expired persisted session (C10, C12)`)
        }
        return text
      })
    },
  })
  const expired = (saved: SessionSnapshot) => saved.expiresAt !== undefined && saved.expiresAt <= time.wall()
  /** A restore read `saved`; `userConnected`: the user called connect() meanwhile (a new session, C3). */
  const noteRead = (tab: Tab, saved: SessionSnapshot | null, userConnected: boolean) => {
    const old = saved !== null && expired(saved)
    tab.read = old ? null : saved
    tab.readExpired = old && !userConnected ? saved.connectedAt : null
  }
  /** The change events a connection to `live` owes against the persisted snapshot `saved` (C10, C11). */
  const owing = (saved: SessionSnapshot, live: { readonly party: string | null; readonly network: string | null }) => {
    const party = saved.account?.partyId ?? null
    return [
      ...(party !== null && party !== live.party ? [`party:changed ${party} → ${live.party}`] : []),
      ...(saved.networkId !== null && saved.networkId !== live.network ? [`network:changed ${saved.networkId} → ${live.network}`] : []),
    ]
  }

  /** A tab just became connected: not after its own disconnect, and reconciled with what its restore read. */
  const connected = (tab: Tab, state: SessionState) => {
    if (leftBy.has(tab) && tab.ordered) violations.push(`tab${tab.id}: connected after its own disconnect() (C6)`)
    if (tab.readExpired !== null && (state.connectedAt ?? -Infinity) <= tab.readExpired) {
      violations.push(`tab${tab.id}: connected on an expired persisted session, no session:expired (C10, C12)`)
    }
    const live = { party: state.account?.partyId ?? null, network: state.networkId }
    tab.early = { epoch: tab.epoch, ...live }
    if (tab.read) tab.owed.push(...owing(tab.read, live))
  }

  function openTab(): Tab {
    const id = ++ids
    const clock = time.clock(`tab${id}`, true)
    const provider = createMockProvider({ wallet })
    // the tab, once made: its listeners are attached before it exists
    const ref: { tab?: Tab } = {}
    const eventDelay = config.eventDelays[id % 3] ?? 0
    const port: { busy?: () => boolean } = {}
    const wrapped = withFaults(provider, eventDelay, port)
    // A wallet that reports itself connected cancels a pending attempt (C8): a later schedule
    // is the next one, not a second one. Registered before the store's own listeners, so that
    // it runs first.
    const recovered = (payload: unknown) => {
      const p = payload as { connection?: { isConnected?: unknown }; isConnected?: unknown } | null
      if (ref.tab && (p?.connection?.isConnected === true || p?.isConnected === true)) ref.tab.scheduled = false
    }
    wrapped.on('statusChanged', recovered)
    wrapped.on('connected', recovered)
    const store = createSessionStore(wrapped, {
      storage: storageOf(ref),
      storageKey: STORAGE_KEY,
      persistSnapshot: config.persistSnapshot,
      reconnect: config.reconnect === false ? false : config.reconnect,
      broadcast: { channelFactory: hub.channelFactory, lockManager: config.locks === 'refused' ? refused : locksOf(ref) },
      clock,
      requestTimeoutMs: REQUEST_TIMEOUT,
      connectTimeoutMs: CONNECT_TIMEOUT,
      onInvalidate: config.throwingInvalidate ? () => Promise.reject(new Error(INVALIDATE_ERROR)) : undefined,
      expiry: {
        ...(config.ttlMs === undefined ? {} : { ttlMs: config.ttlMs }),
        ...(config.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: config.idleTimeoutMs }),
        ...(config.reauth && {
          onReauthRequired: ({ signal }) => {
            if (config.reauth === 'prompt') return ref.tab ? openPrompt(ref.tab, signal) : Promise.reject(new Error('no tab'))
            if (config.reauth === 'decline') return Promise.reject(new Error(REAUTH_DECLINED))
            if (config.reauth === 'connect') {
              mayConnect()
              return ref.tab?.store.connect()
            }
            // the hook re-checks the live session silently; the re-auth must not wait on itself (C12)
            if (config.reauth === 'restore' && ref.tab) {
              const restored = ref.tab.store.restore()
              track(`tab${id}.reauth restore`, restored, isDestroyed)
              return restored
            }
            return undefined
          },
        }),
        pendingQueueSize: 4,
      },
    })
    const unsubscribe = store.subscribe((state, previous) => {
      const tab = ref.tab
      if (!tab) return
      if (previous !== tab.last) violations.push(`tab${id}: notified from a snapshot it never saw`)
      if (same(state, previous)) violations.push(`tab${id}: notified for a no-op (${state.status})`)
      if (!frozen(state)) violations.push(`tab${id}: snapshot not frozen`)
      tab.last = state
      tab.shown.add(state)
      tab.notifications++
      see(`${previous.status} → ${state.status}`)
      tab.log?.push(`${previous.status} → ${state.status}`)
      if (state.status === 'connected' && previous.status !== 'connected') connected(tab, state)
      if (state.status === 'connected') tab.quiet = false
      // a session is never shown connected past its TTL, also after a system sleep (C7, C12)
      if (state.status === 'connected' && state.expiresAt !== null && state.expiresAt <= time.wall()) violations.push(`tab${id}: connected past its expiresAt (C12)`)
      if (state.status === 'disconnected' && tab.hushing) {
        tab.hushing = false
        tab.quiet = true
        tab.heard = left
      }
      if (state.status !== 'reconnecting') tab.scheduled = false
      if (previous.status === 'disconnected' && state.status === 'reconnecting') tab.restoring = true
      if (state.status !== previous.status && (state.status === 'connected' || state.status === 'disconnected')) {
        tab.restoring = false
        promptClosed(tab, `once ${state.status}`)
        tab.reauthing = false
        tab.epoch++
        tab.read = null
        tab.readExpired = null
      }
    })
    const reconnectEvent = (type: string) => () => {
      if (ref.tab?.quiet) violations.push(`tab${id}: ${type} after a user disconnect`)
      else if (left && ref.tab?.heard && ref.tab.ordered) violations.push(`tab${id}: ${type} after a user disconnect that nothing undid (C6, M3)`)
    }
    // What a connection owes (C10): the events are emitted right after the notification (C11).
    const pay = (type: string) => (event: { previous: string | null; current: string | null }) => {
      const tab = ref.tab
      const i = tab?.owed.indexOf(`${type} ${event.previous} → ${event.current}`) ?? -1
      if (tab && i >= 0) tab.owed.splice(i, 1)
    }
    store.on('party:changed', pay('party:changed'))
    store.on('network:changed', pay('network:changed'))
    // Events sit after the snapshot they tell of (C11): they agree with it (C2, C7, C11, C12).
    const agrees = (type: string, ok: (s: SessionState) => boolean) => {
      store.on(type as 'error', (event: unknown) => {
        const s = store.getSnapshot()
        if (!ok(s)) violations.push(`tab${id}: ${type} ${JSON.stringify(event).slice(0, 120)} while ${s.status} (${partyOf(s)}, ${s.networkId})`)
        if (holdsToken(event)) violations.push(`tab${id}: an access token in a ${type} event (C15)`)
      })
    }
    type Change = { previous: string | null; current: string | null }
    const changed = (e: Change) => e.previous !== null && e.previous !== e.current
    const last = (type: string, ok: (e: Change, s: SessionState) => boolean) => {
      let event: Change | undefined
      store.on(type as 'party:changed', (e) => (event = e))
      agrees(type, (s) => event !== undefined && changed(event) && ok(event, s))
    }
    last('party:changed', (e, s) => s.status === 'connected' && e.current === partyOf(s))
    last('network:changed', (e, s) => s.status === 'connected' && e.current === s.networkId)
    agrees('reconnect:scheduled', (s) => s.status === 'reconnecting')
    agrees('reconnect:attempt', (s) => s.status === 'reconnecting')
    agrees('reconnect:succeeded', (s) => s.status === 'connected')
    agrees('reconnect:gaveup', (s) => s.status === 'disconnected' && s.lastError !== null)
    agrees('session:expired', (s) => s.status === 'disconnected' || s.status === 'reconnecting')
    agrees('connect:pending', (s) => s.status === 'connecting' || s.status === 'reconnecting')
    let invalidated: { type: string; current: string | null } | undefined
    store.on('invalidate', (e) => (invalidated = e))
    // a session that ended is shown no more; a switch is shown as it is told
    agrees('invalidate', (s) =>
      invalidated?.type === 'party:changed'
        ? partyOf(s) === invalidated.current
        : invalidated?.type === 'network:changed'
          ? s.networkId === invalidated.current
          : invalidated?.current === null && s.status !== 'connected' && s.status !== 'reconnecting')
    store.on('session:expired', () => {
      if (!ref.tab) return
      ref.tab.log?.push('session:expired')
      ref.tab.readExpired = null
      ref.tab.reauthing = store.getSnapshot().status === 'reconnecting'
    })
    store.on('reconnect:scheduled', () => {
      ref.tab?.log?.push('reconnect:scheduled')
      reconnectEvent('reconnect:scheduled')()
      if (ref.tab?.scheduled) violations.push(`tab${id}: a second reconnect schedule`)
      if (ref.tab) ref.tab.scheduled = true
    })
    store.on('reconnect:attempt', () => {
      reconnectEvent('reconnect:attempt')()
      // With Web Locks, one tab at a time runs the reconnect attempts: the one holding the lock (M6).
      // (A restore's probes are no reconnect of a session this tab held: they take no lock, C9.)
      if (mockLocks && ref.tab && !ref.tab.restoring && !ref.tab.lock) violations.push(`tab${id}: a reconnect attempt without the reconnect lock (M6)`)
      if (ref.tab) ref.tab.scheduled = false
    })
    store.on('reconnect:succeeded', reconnectEvent('reconnect:succeeded'))
    store.on('reconnect:gaveup', reconnectEvent('reconnect:gaveup'))
    for (const type of OBSERVED_EVENTS) {
      store.on(type, (event) => {
        see('source' in event ? `${type} (${event.source})` : type)
      })
    }
    store.on('error', ({ error }) => {
      if ((error as Error | null)?.message !== INVALIDATE_ERROR) violations.push(`tab${id}: error event ${String(error)}`)
    })
    const detach = () => {
      unsubscribe()
      wrapped.removeListener('statusChanged', recovered)
      wrapped.removeListener('connected', recovered)
    }
    const self: Tab = {
      id,
      store,
      provider,
      clock,
      last: store.getSnapshot(),
      notifications: 0,
      quiet: false,
      hushing: false,
      heard: false,
      scheduled: false,
      connects: 0,
      epoch: 0,
      restoring: false,
      read: null,
      readExpired: null,
      owed: [],
      early: null,
      ordered: eventDelay === 0,
      reauthing: false,
      prompt: null,
      lastRun: -1,
      lock: null,
      log: null,
      busy: () => port.busy?.() ?? false,
      shown: new WeakSet([store.getSnapshot()]),
      unsubscribe: detach,
    }
    ref.tab = self
    tabs.push(self)
    track(`tab${id}.init`, store.init(), isDestroyed)
    return self
  }

  for (let i = 0; i < config.initialTabs; i++) openTab()

  const pick = (i: number): Tab | undefined => tabs[i % Math.max(1, tabs.length)]

  /** What every live tab should show once nothing is in flight: the wallet's own view. */
  const expected = () => {
    const w = wallet.state()
    const up = w.connected && !w.dropped
    const primary = w.accounts.find((a) => a.primary) ?? w.accounts[0] ?? null
    return up ? { status: 'connected', party: primary?.partyId ?? null, network: w.networkId } : { status: 'disconnected', party: null, network: null }
  }

  return {
    time,
    wallet,
    hub,
    violations,
    tabs,
    storage: {
      entries,
      set mode(mode: StorageMode) {
        storageMode = mode
        if (mode !== 'ok') storageFaulted = true
      },
    },
    openTab,
    pick,
    /** The shorter of the configured TTL and idle timeout (0 without expiry). */
    expiresIn: () => Math.min(config.ttlMs ?? Infinity, config.idleTimeoutMs ?? Infinity) % Infinity || 0,
    closeTab(i: number) {
      const tab = pick(i)
      if (!tab) return
      frozenTabs.delete(tab)
      tabs.splice(tabs.indexOf(tab), 1)
      closed.push(tab)
      kept ||= tab.store.getSnapshot().status !== 'disconnected'
      tab.unsubscribe()
      tab.store.destroy()
      promptClosed(tab, 'after destroy()')
      tab.store.destroy()
      // C14: whatever was in flight (a re-auth hook, a connect), every later call rejects DESTROYED
      const { store } = tab
      const { init } = store // safe to destructure
      const calls: [string, () => Promise<unknown>][] = [
        ['connect', () => store.connect()],
        ['restore', () => store.restore()],
        ['init', () => init()],
        ['disconnect', () => store.disconnect()],
        ['enqueue', () => store.enqueue(() => 'ran')],
      ]
      for (const [name, call] of calls) {
        track(`destroyed tab${tab.id}.${name}()`, new Promise((resolve) => resolve(call())), isDestroyed, { mustReject: true })
      }
    },
    connect(i: number, mode: MockConnectMode) {
      const tab = pick(i)
      if (!tab) return
      wallet.setConnectMode(mode)
      tab.quiet = tab.hushing = false
      tab.connects++
      mayConnect()
      // during a re-auth, connect() answers once the wallet did, as the hook's own must: the re-auth waits for the hook (C12)
      const during = tab.reauthing ? ['reconnecting'] : []
      // a connect that ends a reconnect ends that session, entry included (C7); any other that fails keeps it
      const own = tab.store.getSnapshot().status === 'reconnecting' && !tab.restoring && !tab.reauthing
      const check = settledWith(tab, `tab${tab.id}.connect`, ['connected', 'disconnected', ...during])
      track(`tab${tab.id}.connect`, tab.store.connect(), isDestroyed, {
        connect: true,
        resolves: (state) => {
          check(state)
          kept ||= !own && (state as SessionState).status === 'disconnected'
        },
      })
    },
    disconnect(i: number) {
      const tab = pick(i)
      if (!tab) return
      // only a healthy wallet is sure to end disconnected: a fault may fail the disconnect or connect it late
      const healthy = faults.length === 0 && lateInFlight === 0
      if (healthy) {
        left = true
        leftBy.add(tab)
      }
      for (const t of tabs) {
        if (t === tab || t.store.getSnapshot().status === 'disconnected') {
          t.quiet = true
          t.heard = left
        } else t.hushing = true
      }
      track(`tab${tab.id}.disconnect`, tab.store.disconnect(), isDestroyed)
    },
    restore(i: number) {
      const tab = pick(i)
      if (!tab) return
      tab.quiet = tab.hushing = false
      // during a re-auth, restore() answers at once (C12)
      const during = tab.reauthing ? ['reconnecting'] : []
      track(`tab${tab.id}.restore`, tab.store.restore(), isDestroyed, { resolves: settledWith(tab, `tab${tab.id}.restore`, ['connected', 'disconnected', ...during]) })
    },
    /**
     * The user signs out and in again at once in tab `i` (`disconnect()`, then `connect()`, nothing
     * awaited between), the wallet approving; `ms` later the wallet drops, its user signs out in it,
     * or nothing happens; then time passes until every answer, event and status check is in. The
     * wallet's word of that sign-out may come after the new session began (`statusChanged(false)`
     * of a gateway or a lagging port), or never (a silent wallet): the store asks the wallet's status
     * then, silently (C6, C7). Judged where the wallet was healthy (no fault pending or late request
     * in flight, no lie told), the tab neither frozen nor closed, the session not expired meanwhile,
     * nothing of the wallet from before the step still on its way to the tab (a lagging `statusChanged`
     * sent before the sign-out cannot be told from the new session's events, C19, and the store only
     * follows them), and the wallet as the tab knows it: connected where the tab is, no connect
     * waiting for its user. Else the disconnect() has a word the store does not wait for (the wallet
     * still connected to a tab that is not, its leave at an expiry having failed; the decline of that
     * waiting connect), which comes after the new session began when the events lag, and ends it:
     * - nothing happens: a tab that became connected stays connected, with no reconnect (the late
     *   word is of before its session);
     * - the wallet drops: the tab is not connected at the end; if it was connected at the drop, the
     *   wallet's events keep their order with its answers, and no word of the sign-out can come after
     *   the drop (a silent wallet tells none; a tab whose events do not lag hears it before the
     *   connect's answer), it goes reconnecting under a policy, else it is disconnected with 4900 (C7).
     *   Where that word lags, the store, finding the wallet not connected as it checks it, ends the
     *   session as that sign-out (no reconnect, no error) before the drop's own word comes: not judged;
     * - its user signs out in the wallet: the tab is disconnected at the end, no reconnect (C6, C7).
     */
    async signOutAndIn(i: number, then: 'stays' | 'drops' | 'signs out', ms: number) {
      const tab = pick(i)
      if (!tab) return
      const healthy = faults.length === 0 && lateInFlight === 0 && !lied && !frozenTabs.has(tab)
      // the wallet's words of before, still on their way, cannot be told from the new session's (C19)
      const busy = tab.busy()
      // the wallet as the tab knows it: connected where the tab is, and no connect waiting for its user
      const known = wallet.state()
      const agreed = known.pendingConnects === 0 && (tab.store.getSnapshot().status === 'connected') === (known.connected && !known.dropped)
      const log: string[] = (tab.log = [])
      this.disconnect(i)
      this.connect(i, 'approve')
      await time.advance(ms)
      const at = log.length
      const was = tab.store.getSnapshot().status
      if (then === 'drops') wallet.drop()
      else if (then === 'signs out') wallet.disconnectFromWallet()
      // the answers, the events behind them, a status check and its answer, a storage read
      await time.advance(config.latency.connect + 2 * config.latency.silent + Math.max(...config.eventDelays) + config.storageDelay + 100)
      tab.log = null
      if (!healthy || busy || !agreed || closed.includes(tab) || log.includes('session:expired')) return
      const s = tab.store.getSnapshot()
      const w = wallet.state()
      const told = `tab${tab.id}: signed out and in, then the wallet ${then} after ${ms} ms: ${log.join(', ') || 'nothing'}`
      if (then === 'stays') {
        const from = log.findIndex((what) => what.endsWith('→ connected'))
        const after = from < 0 ? [] : log.slice(from + 1)
        see(`signed out and in, the wallet stays (${from < 0 ? 'not connected' : 'connected'})`)
        if (w.connected && !w.dropped && after.length > 0) violations.push(`${told} (the late word of the sign-out taken for a drop, C6, C7)`)
        return
      }
      see(`signed out and in, then the wallet ${then} (${was} at it)`)
      if (s.status === 'connected') violations.push(`${told}; connected at the end (C7)`)
      else if (then === 'signs out' && (s.status !== 'disconnected' || log.slice(at).includes('reconnect:scheduled'))) {
        violations.push(`${told} (a sign-out in the wallet taken for a drop, C6, C7)`)
      } else if (then === 'drops' && was === 'connected' && !config.apart && (config.silent || tab.ordered)) {
        if (config.reconnect !== false && !log.slice(at).includes('connected → reconnecting')) violations.push(`${told} (a drop, no reconnect, C7)`)
        if (config.reconnect === false && (s.status !== 'disconnected' || s.lastError?.code !== 4900)) violations.push(`${told}; ${s.status}, ${s.lastError?.code ?? 'no error'} (a drop, not 4900, C7)`)
      }
    },
    /** The user answers the wallet's prompt: approving may connect the wallet. */
    answer(approve: boolean) {
      if (approve) {
        if (wallet.state().pendingConnects > 0) mayConnect()
        wallet.approve()
      } else wallet.reject()
    },
    connectFromWallet() {
      mayConnect()
      wallet.connectFromWallet()
    },
    enqueue(i: number) {
      const tab = pick(i)
      if (!tab) return
      const n = enqueues++
      const op = () => {
        if (n < tab.lastRun) violations.push(`tab${tab.id}: enqueued op #${n} ran after op #${tab.lastRun}, submitted later (C13)`)
        tab.lastRun = Math.max(tab.lastRun, n)
        return 'done'
      }
      track(`tab${tab.id}.enqueue #${n}`, tab.store.enqueue(op), (e) => ['QUEUE_FULL', 'REAUTH_FAILED', 'DESTROYED'].includes(codeOf(e) as string), { enqueued: tab })
    },
    /** The user answers the re-auth prompt of tab `i`, if it shows one (`reauth: 'prompt'`). */
    answerPrompt(i: number, approve: boolean) {
      const prompt = pick(i)?.prompt
      if (prompt?.state !== 'open') return
      see(`re-auth prompt ${approve ? 'approved' : 'declined'}`)
      if (approve) prompt.approve()
      else prompt.decline()
    },
    touch(i: number) {
      pick(i)?.store.touch()
    },
    /**
     * Tab `i`'s timers stand still (`stop`: a page the browser froze or throttles in the
     * background), or run again, late: a leading tab goes silent, another takes its reconnect
     * lock over (M6, C17). Its wallet events and channel messages still come; the word that it
     * lost the lock comes once it is woken, after its timers due meanwhile.
     */
    freeze(i: number, stop: boolean) {
      const tab = pick(i)
      if (!tab) return
      time.freeze(`tab${tab.id}`, stop)
      const held = frozenTabs.get(tab)
      if (stop) frozenTabs.set(tab, held ?? [])
      else {
        frozenTabs.delete(tab)
        // a task for each, behind the tab's timers that came due meanwhile (their due time is past)
        for (const hear of held ?? []) walletClock.setTimeout(hear, 0)
      }
    },
    cancelReconnect(i: number) {
      kept ||= pick(i)?.store.getSnapshot().status === 'reconnecting'
      pick(i)?.store.cancelReconnect()
    },
    walletFault(method: string, fault: WalletFault, times: number) {
      walletFaulted = true
      mayConnect()
      faults.push({ method, fault, times })
    },
    /** A hostile or broken wallet event (C18). */
    rawWalletEvent(event: string, payload: unknown) {
      walletFaulted = lied = true
      mayConnect()
      wallet.emitRaw(event, payload)
    },
    /** A hostile message on the tab channel (M2). */
    rawChannelMessage(message: unknown) {
      const channel = hub.channelFactory(CHANNEL)
      try {
        channel.postMessage(message)
      } catch {
        // not cloneable: a real channel would refuse to post it too
      }
      channel.close()
    },
    corruptEntry(text: string) {
      storageFaulted = true
      entries.set(STORAGE_KEY, text)
    },

    /**
     * After every step: C5, C1/C2 (frozen, stable, notified once per change), C10 (a connection
     * after a restore read reported the change from the persisted party and network), no token
     * at rest or on the channel.
     */
    checkStep() {
      for (const tab of [...tabs, ...closed]) {
        for (const owed of tab.owed.splice(0)) violations.push(`tab${tab.id}: connected after a restore read without ${owed} (C10)`)
      }
      for (const tab of tabs) {
        const s = tab.store.getSnapshot()
        if (s !== tab.last) violations.push(`tab${tab.id}: snapshot changed without a notification`)
        if (s !== tab.store.getSnapshot()) violations.push(`tab${tab.id}: unstable snapshot`)
        if (!frozen(s)) violations.push(`tab${tab.id}: snapshot not frozen`)
        if (s.status === 'disconnected' && (s.account !== null || s.accounts.length > 0)) violations.push(`tab${tab.id}: C5 disconnected with an account`)
        if (s.account && !s.accounts.some((a) => a.partyId === s.account?.partyId)) violations.push(`tab${tab.id}: active account not among accounts`)
        // §2.1: the account flagged primary, else the first, else null
        const primary = s.accounts.find((a) => a.primary === true) ?? s.accounts[0] ?? null
        if (JSON.stringify(s.account) !== JSON.stringify(primary)) violations.push(`tab${tab.id}: active account ${partyOf(s)} is not the primary one ${primary?.partyId ?? null} (§2.1)`)
        if (s.status === 'disconnected' && (s.networkId !== null || s.connectedAt !== null || s.expiresAt !== null)) violations.push(`tab${tab.id}: disconnected on network ${s.networkId}, connectedAt ${s.connectedAt}, expiresAt ${s.expiresAt} (C1, C5)`)
        if (s.status === 'connected' && (s.connectedAt === null || (config.ttlMs !== undefined && (s.expiresAt === null || s.expiresAt > s.connectedAt + config.ttlMs)))) {
          violations.push(`tab${tab.id}: connected at ${s.connectedAt}, expiring at ${s.expiresAt}, TTL ${config.ttlMs} (C12)`)
        }
        if (holdsToken(s.lastError)) violations.push(`tab${tab.id}: an access token in lastError (C4, C15)`)
      }
      for (const value of entries.values()) if (value.includes(TOKEN_MARK)) violations.push('an access token in storage')
      for (const { data } of hub.sent) if (JSON.stringify([data]).includes(TOKEN_MARK)) violations.push('an access token on the channel')
      if (hub.openCount() !== tabs.length) violations.push(`${hub.openCount()} channels open for ${tabs.length} tabs`)
      // C12: the store stopped waiting for a hook → its prompt closed; C13, C14: a tab not
      // re-authenticating (or closed) holds no queued op, every one ran or was rejected.
      for (const tab of tabs) if (tab.store.getSnapshot().status !== 'reconnecting') promptClosed(tab, `while ${tab.store.getSnapshot().status}`)
      for (const tab of closed) promptClosed(tab, 'on a closed tab')
      for (const t of tracked) {
        const tab = t.enqueued
        if (tab && !t.settled && (closed.includes(tab) || tab.store.getSnapshot().status !== 'reconnecting')) {
          violations.push(`${t.what} still pending on a ${closed.includes(tab) ? 'closed' : tab.store.getSnapshot().status} tab (C13, C14)`)
        }
      }
      for (const tab of closed) {
        if (tab.provider.listenerCount() !== 0) violations.push(`closed tab${tab.id}: ${tab.provider.listenerCount()} wallet listeners`)
        if (tab.clock.pending() !== 0) violations.push(`closed tab${tab.id}: ${tab.clock.pending()} timers`)
      }
    },

    /**
     * Heals every fault, lets the user finish a pending connect, and lets time pass until nothing
     * is in flight. Then every live tab agrees with the wallet on status, party and network. The
     * one allowed exception follows a misbehaving wallet: a tab that gave up (its calls failed, the
     * wallet lied about its status, or refused a user's disconnect) is disconnected, and a silent
     * `restore()` — what a retry button or a focus handler does — then brings it back into
     * agreement; and a tab whose `getActiveNetwork` failed is connected with the network unknown
     * (C17). The user answers every re-auth prompt, those still open and those that show later,
     * as `approve` says. Every tracked promise has settled, and no tab is left re-authenticating
     * or showing a prompt (C12).
     */
    async quiesce(approve: boolean) {
      for (let i = 0; i < tabs.length; i++) this.freeze(i, false)
      faults.length = 0
      storageMode = 'ok'
      wallet.recover()
      autoAnswer = approve
      for (let i = 0; i < tabs.length; i++) this.answerPrompt(i, approve)
      if (lied) {
        mayConnect()
        const w = wallet.state()
        const up = w.connected && !w.dropped
        wallet.emitRaw('statusChanged', { connection: { isConnected: up, isNetworkConnected: true }, ...(up && { network: { networkId: w.networkId } }) })
        wallet.setAccounts(w.accounts)
      }
      // An idle session whose hook re-authenticates expires again every idle period, for ever
      // (C12): the check waits for a moment between two re-auths, which take a few wallet answers.
      const settle = async () => {
        for (let i = 0; i < 20; i++) await time.advance(30_000)
        for (let i = 0; i < 100 && tabs.some((tab) => tab.reauthing); i++) await time.advance(50)
      }
      // Late answers arrive first; then the user answers the connect requests still open. By
      // then every connect() has settled: connectTimeoutMs bounds the user's answer too (C17).
      await time.advance(10_000)
      for (const t of tracked) if (t.connect && !t.settled) violations.push(`${t.what} still pending 10 s on, its prompt unanswered (C17: connectTimeoutMs ${CONNECT_TIMEOUT})`)
      if (wallet.state().pendingConnects > 0) this.answer(approve)
      await settle()
      const want = JSON.stringify(expected())
      const view = (tab: Tab) => {
        const s = tab.store.getSnapshot()
        return JSON.stringify({ status: s.status, party: s.account?.partyId ?? null, network: s.networkId })
      }
      // A getActiveNetwork that failed leaves the network unknown until the wallet reports one (C17).
      const networkUnknown = JSON.stringify({ ...expected(), network: null })
      const excused = new Set<Tab>()
      /** The tabs restored here: the others are only given more time, and said to be (no restore ran in them). */
      const restored = new Set<Tab>()
      const behind = tabs.filter((tab) => view(tab) !== want && !(walletFaulted && view(tab) === networkUnknown))
      for (const tab of behind) {
        const s = tab.store.getSnapshot()
        if (untold && s.status === 'connected' && expected().status === 'disconnected') {
          see('a tab connected, its sign-out untold (silent wallet, after a timeout)')
          excused.add(tab)
        } else if (!walletFaulted || s.status !== 'disconnected') {
          violations.push(`tab${tab.id}: quiet at ${view(tab)} (${s.lastError?.code ?? 'no error'}), wallet at ${want}`)
        } else {
          restored.add(tab)
          this.restore(tabs.indexOf(tab))
        }
      }
      if (behind.length) {
        await settle()
        const again = JSON.stringify(expected())
        for (const tab of behind) if (tabs.includes(tab) && !excused.has(tab) && view(tab) !== again) violations.push(`tab${tab.id}: still at ${view(tab)} ${restored.has(tab) ? 'after restore' : 'later (no restore)'}, wallet at ${again}`)
      }
      for (const t of tracked) if (!t.settled) violations.push(`${t.what} never settled`)
      // The persisted entry follows the quiet tabs (C6, C9, C15, M3, M4): a connected session is
      // persisted, with their party and network, and a session every tab ended is not.
      const views = new Set(tabs.map(view))
      const [agreed] = views
      if (views.size === 1 && agreed !== undefined && !storageFaulted) {
        const { status, party, network } = JSON.parse(agreed) as { status: string; party: string | null; network: string | null }
        const entry = entries.get(STORAGE_KEY)
        see(`persisted entry checked (${status}${config.persistSnapshot ? ', snapshot' : ''})`)
        if (status === 'disconnected' && entry !== undefined && !walletFaulted && !kept) violations.push(`every tab disconnected, an entry persisted (C6, C9)`)
        if (status === 'connected') {
          const saved = config.persistSnapshot ? decodeSessionEnvelope(entry ?? null) : null
          if (entry === undefined) violations.push(`every tab connected, no entry persisted (C15)`)
          else if (config.persistSnapshot && (saved?.account?.partyId ?? null) !== party) violations.push(`persisted party ${saved?.account?.partyId} while the tabs show ${party} (C15)`)
          else if (config.persistSnapshot && saved?.networkId !== network) violations.push(`persisted network ${saved?.networkId} while the tabs show ${network} (C15)`)
        }
      }
      for (const tab of tabs) {
        const open = tab.prompt?.state === 'open'
        if (open) violations.push(`tab${tab.id}: re-auth prompt still open at the end (C12)`)
        if (tab.store.getSnapshot().status === 'reconnecting') violations.push(`tab${tab.id}: still reconnecting at the end, ${open ? 'its prompt unanswered' : 'no prompt open'} (C12)`)
      }
      // what time did while the system quiesced is held to the invariants of every step too
      this.checkStep()
    },

    /** Closes every tab: zero wallet listeners, timers and channels left. */
    async shutdown() {
      while (tabs.length) this.closeTab(0)
      await drain()
      this.checkStep()
      if (hub.openCount() !== 0) violations.push(`${hub.openCount()} channels left open`)
      const locks = mockLocks?.query()
      if (locks && locks.held.length + locks.pending.length > 0) violations.push(`locks left: ${JSON.stringify(locks)}`)
    },
  }
}

export type System = ReturnType<typeof createSystem>
