import type { SessionStorage } from '@sessionlayer/session-crypto'
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
  | { readonly kind: 'fail'; readonly code: number; readonly http?: boolean }
  | { readonly kind: 'hang' }
  | { readonly kind: 'late'; readonly ms: number }
  | { readonly kind: 'throw' }

/** One run's configuration of the stores. */
export interface SystemConfig {
  readonly reconnect: false | Partial<RetryPolicy>
  readonly ttlMs?: number
  readonly idleTimeoutMs?: number
  /** The re-auth hook: reconnects through `connect()`, just resolves, or declines. */
  readonly reauth?: 'connect' | 'resolve' | 'decline'
  readonly persistSnapshot: boolean
  readonly locks: boolean
  /** `onInvalidate` rejects (reported as `error` events, C11). */
  readonly throwingInvalidate: boolean
  readonly initialTabs: number
  readonly walletConnected: boolean
  /**
   * How late each tab's provider delivers the wallet's events (virtual ms, by tab id modulo 3):
   * a slow tab hears of a party switch from another tab before its own wallet tells it (M5).
   */
  readonly eventDelays: readonly number[]
}

interface Tab {
  readonly id: number
  readonly store: SessionStore
  readonly provider: MockProvider
  readonly clock: OwnedClock
  last: SessionState
  notifications: number
  /** A user disconnect happened in some tab; no `reconnect:*` until this tab connects again. */
  quiet: boolean
  /** A `reconnect:scheduled` whose attempt has not started yet. */
  scheduled: boolean
  readonly unsubscribe: () => void
}

/** A promise the model expects to settle (queued ops, connect/restore/disconnect calls). */
interface Tracked {
  readonly what: string
  settled: boolean
}

const INVALIDATE_ERROR = 'invalidate declined'
const REAUTH_DECLINED = 'reauth declined'

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
  const hub = createChannelHub()
  const wallet = createMockWallet({ connected: config.walletConnected })
  const lockManager = config.locks ? createMockLockManager() : null
  const violations: string[] = []
  const tabs: Tab[] = []
  const closed: Tab[] = []
  const tracked: Tracked[] = []
  let ids = 0
  /** The wallet misbehaved (failed, hung, answered late, lied in an event) during the run. */
  let walletFaulted = false
  /** A raw event contradicted the wallet's own state; its next real events correct it. */
  let lied = false

  // Storage: one map for the origin, behind a switchable fault.
  const entries = new Map<string, string>()
  let storageMode: StorageMode = 'ok'
  const fault = (operation: string) => {
    if (storageMode === 'throws') throw new Error(`storage ${operation} threw`)
    return Promise.reject(
      storageMode === 'quota' && operation === 'set'
        ? new DOMException('quota exceeded', 'QuotaExceededError')
        : new DOMException(`storage unavailable (${operation})`, 'InvalidStateError'),
    )
  }
  const storage: SessionStorage = {
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
  const withFaults = (mock: MockProvider, delay: number): CIP0103Provider => {
    /** The delayed stand-in of each listener, by event. */
    const slow = new Map<string, Map<unknown, (...args: never[]) => void>>()
    return {
      request(args: CIP0103RequestArgs) {
        const f = takeFault(args.method)
        if (!f) return mock.request(args)
        switch (f.kind) {
          case 'throw':
            throw new TypeError(`${args.method} threw synchronously`)
          case 'hang':
            return new Promise(() => undefined)
          case 'fail':
            // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- wallets reject with bare objects
            return Promise.reject(
              f.http
                ? { error: { code: 500, message: 'Internal Server Error', data: JSON.stringify({ jsonrpc: '2.0', id: '1', error: { code: f.code, message: 'x' } }) } }
                : { code: f.code, message: `injected ${f.code}` },
            )
          case 'late':
            return new Promise((resolve, reject) => {
              walletClock.setTimeout(() => {
                mock.request(args).then(resolve, reject)
              }, f.ms)
            })
        }
      },
      on(event, listener) {
        if (!delay) return mock.on(event, listener)
        const byListener = slow.get(event) ?? new Map<unknown, (...args: never[]) => void>()
        slow.set(event, byListener)
        const late = (...args: never[]) => {
          walletClock.setTimeout(() => {
            if (byListener.has(listener)) listener(...args)
          }, delay)
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

  const track = (what: string, promise: Promise<unknown>, mayReject: (error: unknown) => boolean) => {
    const t: Tracked = { what, settled: false }
    tracked.push(t)
    promise.then(
      () => {
        t.settled = true
      },
      (error: unknown) => {
        t.settled = true
        if (!mayReject(error)) violations.push(`${what} rejected: ${String((error as Error | null)?.message ?? error)}`)
      },
    )
  }
  const codeOf = (error: unknown) => (error as { code?: unknown } | null)?.code

  function openTab(): Tab {
    const id = ++ids
    const clock = time.clock(`tab${id}`)
    const provider = createMockProvider({ wallet })
    // the tab, once made: its listeners are attached before it exists
    const ref: { tab?: Tab } = {}
    const wrapped = withFaults(provider, config.eventDelays[id % 3] ?? 0)
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
      storage,
      storageKey: STORAGE_KEY,
      persistSnapshot: config.persistSnapshot,
      reconnect: config.reconnect === false ? false : config.reconnect,
      broadcast: { channelFactory: hub.channelFactory, lockManager },
      clock,
      requestTimeoutMs: REQUEST_TIMEOUT,
      connectTimeoutMs: CONNECT_TIMEOUT,
      onInvalidate: config.throwingInvalidate ? () => Promise.reject(new Error(INVALIDATE_ERROR)) : undefined,
      expiry: {
        ...(config.ttlMs === undefined ? {} : { ttlMs: config.ttlMs }),
        ...(config.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: config.idleTimeoutMs }),
        ...(config.reauth && {
          onReauthRequired: () => {
            if (config.reauth === 'decline') return Promise.reject(new Error(REAUTH_DECLINED))
            if (config.reauth === 'connect') return ref.tab?.store.connect()
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
      tab.notifications++
      see(`${previous.status} → ${state.status}`)
      if (state.status === 'connected') tab.quiet = false
      if (state.status !== 'reconnecting') tab.scheduled = false
    })
    const reconnectEvent = (type: string) => () => {
      if (ref.tab?.quiet) violations.push(`tab${id}: ${type} after a user disconnect`)
    }
    store.on('reconnect:scheduled', () => {
      reconnectEvent('reconnect:scheduled')()
      if (ref.tab?.scheduled) violations.push(`tab${id}: a second reconnect schedule`)
      if (ref.tab) ref.tab.scheduled = true
    })
    store.on('reconnect:attempt', () => {
      reconnectEvent('reconnect:attempt')()
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
    const self: Tab = { id, store, provider, clock, last: store.getSnapshot(), notifications: 0, quiet: false, scheduled: false, unsubscribe: detach }
    ref.tab = self
    tabs.push(self)
    track(`tab${id}.init`, store.init(), (e) => codeOf(e) === 'DESTROYED')
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
    storage: { entries, set mode(mode: StorageMode) { storageMode = mode } },
    openTab,
    pick,
    closeTab(i: number) {
      const tab = pick(i)
      if (!tab) return
      tabs.splice(tabs.indexOf(tab), 1)
      closed.push(tab)
      tab.unsubscribe()
      tab.store.destroy()
      tab.store.destroy()
    },
    connect(i: number, mode: MockConnectMode) {
      const tab = pick(i)
      if (!tab) return
      wallet.setConnectMode(mode)
      tab.quiet = false
      track(`tab${tab.id}.connect`, tab.store.connect(), (e) => codeOf(e) === 'DESTROYED')
    },
    disconnect(i: number) {
      const tab = pick(i)
      if (!tab) return
      for (const t of tabs) t.quiet = true
      track(`tab${tab.id}.disconnect`, tab.store.disconnect(), (e) => codeOf(e) === 'DESTROYED')
    },
    restore(i: number) {
      const tab = pick(i)
      if (!tab) return
      tab.quiet = false
      track(`tab${tab.id}.restore`, tab.store.restore(), (e) => codeOf(e) === 'DESTROYED')
    },
    enqueue(i: number) {
      const tab = pick(i)
      if (!tab) return
      track(`tab${tab.id}.enqueue`, tab.store.enqueue(() => 'done'), (e) =>
        ['QUEUE_FULL', 'REAUTH_FAILED', 'DESTROYED'].includes(codeOf(e) as string),
      )
    },
    touch(i: number) {
      pick(i)?.store.touch()
    },
    cancelReconnect(i: number) {
      pick(i)?.store.cancelReconnect()
    },
    walletFault(method: string, fault: WalletFault, times: number) {
      walletFaulted = true
      faults.push({ method, fault, times })
    },
    /** A hostile or broken wallet event (C18). */
    rawWalletEvent(event: string, payload: unknown) {
      walletFaulted = lied = true
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
      entries.set(STORAGE_KEY, text)
    },

    /** After every step: C5, C1/C2 (frozen, stable, notified once per change), no token at rest or on the channel. */
    checkStep() {
      for (const tab of tabs) {
        const s = tab.store.getSnapshot()
        if (s !== tab.last) violations.push(`tab${tab.id}: snapshot changed without a notification`)
        if (s !== tab.store.getSnapshot()) violations.push(`tab${tab.id}: unstable snapshot`)
        if (!frozen(s)) violations.push(`tab${tab.id}: snapshot not frozen`)
        if (s.status === 'disconnected' && (s.account !== null || s.accounts.length > 0)) violations.push(`tab${tab.id}: C5 disconnected with an account`)
        if (s.account && !s.accounts.some((a) => a.partyId === s.account?.partyId)) violations.push(`tab${tab.id}: active account not among accounts`)
      }
      for (const value of entries.values()) if (value.includes(TOKEN_MARK)) violations.push('an access token in storage')
      for (const { data } of hub.sent) if (JSON.stringify([data]).includes(TOKEN_MARK)) violations.push('an access token on the channel')
      if (hub.openCount() !== tabs.length) violations.push(`${hub.openCount()} channels open for ${tabs.length} tabs`)
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
     * agreement. Every tracked promise has settled.
     */
    async quiesce(approve: boolean) {
      faults.length = 0
      storageMode = 'ok'
      wallet.recover()
      if (lied) {
        const w = wallet.state()
        const up = w.connected && !w.dropped
        wallet.emitRaw('statusChanged', { connection: { isConnected: up, isNetworkConnected: true }, ...(up && { network: { networkId: w.networkId } }) })
        wallet.setAccounts(w.accounts)
      }
      const settle = async () => {
        for (let i = 0; i < 20; i++) await time.advance(30_000)
      }
      // Late answers arrive first; then the user answers the connect requests still open.
      await time.advance(10_000)
      if (wallet.state().pendingConnects > 0) {
        if (approve) wallet.approve()
        else wallet.reject()
      }
      await settle()
      const want = JSON.stringify(expected())
      const view = (tab: Tab) => {
        const s = tab.store.getSnapshot()
        return JSON.stringify({ status: s.status, party: s.account?.partyId ?? null, network: s.networkId })
      }
      const behind = tabs.filter((tab) => view(tab) !== want)
      for (const tab of behind) {
        const s = tab.store.getSnapshot()
        if (!walletFaulted || s.status !== 'disconnected') {
          violations.push(`tab${tab.id}: quiet at ${view(tab)} (${s.lastError?.code ?? 'no error'}), wallet at ${want}`)
        } else this.restore(tabs.indexOf(tab))
      }
      if (behind.length) {
        await settle()
        const again = JSON.stringify(expected())
        for (const tab of behind) if (tabs.includes(tab) && view(tab) !== again) violations.push(`tab${tab.id}: still at ${view(tab)} after restore, wallet at ${again}`)
      }
      for (const t of tracked) if (!t.settled) violations.push(`${t.what} never settled`)
    },

    /** Closes every tab: zero wallet listeners, timers and channels left. */
    async shutdown() {
      while (tabs.length) this.closeTab(0)
      await drain()
      this.checkStep()
      if (hub.openCount() !== 0) violations.push(`${hub.openCount()} channels left open`)
      const locks = lockManager?.query()
      if (locks && locks.held.length + locks.pending.length > 0) violations.push(`locks left: ${JSON.stringify(locks)}`)
    },
  }
}

export type System = ReturnType<typeof createSystem>
