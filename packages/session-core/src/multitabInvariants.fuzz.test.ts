import { createChannelHub, createMockLockManager, createMockProvider, createMockWallet, type MockProvider } from '@sessionlayer/session-testing'
import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { seeded } from '../test/reliability/commands'
import { createMemoryStorage } from './createMemoryStorage'
import { createSessionStore } from './createSessionStore'
import { sameState } from './machine'
import type { SessionState, SessionStore, SessionStoreOptions } from './types'

// Random sequences of what the user does in several tabs of one origin (broadcast and Web Locks on,
// one wallet behind every tab) and of what the wallet does, at any time (fake timers), checked
// against the multi-tab rules (M3–M6) and the rules every tab keeps on its own (C1, C2, C5, C6,
// C9, C14, C15).

const runs = Number(process.env.SESSIONLAYER_FUZZ_RUNS ?? 120)
const partyOf = (s: SessionState) => s.account?.partyId ?? null
const primaryOf = (accounts: readonly { partyId: string; primary?: boolean }[]) => (accounts.find((a) => a.primary) ?? accounts[0])?.partyId ?? null
const TOKEN = 'mock-token'

interface Tab {
  readonly id: number
  readonly store: SessionStore
  readonly provider: MockProvider
  /** The reconnect attempt this tab runs now (between `reconnect:attempt` and its outcome), else 0. */
  attempt: number
  /** This tab reconnects a session that dropped (not a restore that retries its probe). */
  dropped: boolean
  /** A party or network switch this tab showed and has not told of yet (C11, M5). */
  untold: string
  /** The timers of this tab wait while the browser has frozen it (a hidden page), and run as it wakes. */
  frozen: (() => void)[] | null
  /** The state this tab last notified of (C2: `getSnapshot()` returns it until the next notification). */
  seen: SessionState
  /** `party:changed` and `network:changed` events, less the onInvalidate calls for them (C11, M5). */
  uninvalidated: number
  /** The ops of this tab's enqueue() calls, by number, as they ran, and how many were given. */
  ran?: number[]
  given?: number
  /** A re-auth (onReauthRequired) runs in this tab: from session:expired to connected or disconnected. */
  reauth?: boolean
  /** This tab woke in the current step. */
  woke?: boolean
}

// weighted toward sessions that live through drops and switches, where the tabs must keep in step
const act = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('drop', 'recover', 'switchParty', 'switchNetwork', 'settle') },
  { weight: 2, arbitrary: fc.constantFrom('connect', 'restore', 'reload', 'approve', 'touch', 'enqueue') },
  { weight: 1, arbitrary: fc.constantFrom('freeze', 'wake', 'disconnect', 'cancelReconnect', 'walletSignsOut', 'walletSignsIn', 'failStatus', 'failAccounts', 'hangStatus', 'reject') },
)
const step = fc.record({ act, tab: fc.nat(2), pick: fc.nat(5), waitMs: fc.constantFrom(0, 0, 300, 1_000, 5_000, 15_000) })

const random = Math.random
afterEach(() => {
  vi.useRealTimers()
  Math.random = random
})

describe('multi-tab invariants under random app and wallet sequences', { timeout: 60_000 }, () => {
  it('M3, M4, M5, M6, C2, C5, C6, C14, C15 (fuzz): tabs agree with the wallet, an explicit sign-out is never reconnected, one reconnecting tab at a time, no token shared, nothing left behind', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 3 }),
        fc.boolean(),
        fc.constantFrom<'none' | 'ttl' | 'idle' | 'reauth' | 'reauthFails'>('none', 'ttl', 'idle', 'reauth', 'reauthFails'),
        fc.constantFrom<'approve' | 'async' | 'manual'>('approve', 'approve', 'async', 'manual'),
        fc.array(step, { maxLength: Number(process.env.SESSIONLAYER_FUZZ_STEPS ?? 25), size: 'max' }),
        fc.boolean(),
        // [channel delay, wallet latency] in ms. A channel that delivers in a task (as BroadcastChannel
        // does) comes with a wallet slower than it: a wallet whose answer and events reach every tab
        // on a microtask (latency 0) would tell another tab of a sign-out before any channel could,
        // which no wallet in another process can do (the sign-out is told to the tabs first, M3).
        fc.constantFrom([0, 0], [0, 0], [0, 40], [1, 40]),
        fc.constantFrom(true, true, false),
        // the seed of the stores' Math.random (how long a tab waits for a silent leader, M6): drawn
        // with the run, so that a run replays exactly (given back after the test, see afterEach)
        fc.nat(),
        async (tabCount, retry, expiryKind, connectMode, steps, startConnected, [channelDelay, latencyMs], withLocks, randomSeed) => {
          Math.random = seeded(randomSeed)
          vi.useFakeTimers({ now: 0 })
          const problems: string[] = []
          const hub = createChannelHub()
          // A real BroadcastChannel delivers in a task of its own, after the sender's (none once
          // closed); a frozen page gets its messages as it wakes.
          const channelFactoryOf = (tab: () => Tab) => (name: string) => {
            const channel = hub.channelFactory(name)
            let closed = false
            let receive: ((event: { data: unknown }) => void) | null = null
            const close = channel.close.bind(channel)
            channel.close = () => {
              closed = true
              close()
            }
            const deliver = (event: { data: unknown }) => {
              if (closed) return
              const frozen = tab().frozen
              if (frozen) frozen.push(() => closed || receive?.(event))
              else receive?.(event)
            }
            Object.defineProperty(channel, 'onmessage', {
              get: () => receive && ((event: { data: unknown }) => (channelDelay ? void setTimeout(() => deliver(event), channelDelay) : deliver(event))),
              set: (handler: typeof receive) => {
                receive = handler
              },
            })
            return channel
          }
          const locks = createMockLockManager()
          const wallet = createMockWallet({ connectMode, latencyMs })
          const shared = createMemoryStorage()
          const storage = {
            ...shared,
            setItem: (key: string, value: string) => {
              if (value.includes(TOKEN)) problems.push('C15: an access token persisted')
              return shared.setItem(key, value)
            },
          }
          // a re-auth hook that the user answers 200 ms later (C12, C13)
          const onReauthRequired = () => new Promise((resolve, reject) => setTimeout(() => (expiryKind === 'reauth' ? resolve(null) : reject(new Error('declined'))), 200))
          const expiry =
            expiryKind === 'ttl' ? { ttlMs: 120_000 } : expiryKind === 'idle' ? { idleTimeoutMs: 90_000 } : expiryKind === 'none' ? undefined : { idleTimeoutMs: 20_000, onReauthRequired, pendingQueueSize: 2 }
          // every op handed to enqueue() settles, and the ops of a tab run in the order they were given (C13)
          let unsettled = 0
          const providers: MockProvider[] = []
          const live: Tab[] = []
          let opened = 0
          /** When a tab last told of an expiry: its sign-out may still be on its way to the wallet. */
          let expiredAt = -Infinity
          /** The last reconnect attempt run in the current outage, in any tab (M6). */
          let outage = 0
          /** The timers the tabs armed through their clocks and that are still to run (C14). */
          const armed = new Set<ReturnType<typeof setTimeout>>()
          let signedOut = false
          const open = () => {
            const id = ++opened
            const inner = createMockProvider({ wallet })
            providers.push(inner)
            // eslint-disable-next-line prefer-const -- the clock, the channel and the wallet events read the tab made below
            let tab: Tab
            // a frozen page hears the wallet's events as it wakes
            const wrapped = new Map<unknown, (...args: unknown[]) => void>()
            const provider: MockProvider = {
              ...inner,
              on: (event: string, listener: (...args: unknown[]) => void) => {
                const later = (...args: unknown[]) => (tab.frozen ? tab.frozen.push(() => listener(...args)) : listener(...args))
                wrapped.set(listener, later)
                inner.on(event, later)
                return provider
              },
              removeListener: (event: string, listener: (...args: unknown[]) => void) => {
                inner.removeListener(event, wrapped.get(listener) ?? listener)
                return provider
              },
            } as MockProvider
            const clock = {
              now: () => Date.now(),
              setTimeout: (fn: () => void, ms: number) => {
                const handle = setTimeout(() => {
                  armed.delete(handle)
                  if (tab.frozen) tab.frozen.push(fn)
                  else fn()
                }, ms)
                armed.add(handle)
                return handle
              },
              clearTimeout: (handle: unknown) => {
                armed.delete(handle as ReturnType<typeof setTimeout>)
                clearTimeout(handle as ReturnType<typeof setTimeout>)
              },
            }
            const options: SessionStoreOptions = {
              storage,
              clock,
              broadcast: { channelFactory: channelFactoryOf(() => tab), lockManager: withLocks ? locks.client(`tab-${id}`) : null },
              reconnect: retry && { maxAttempts: 3 },
              ...(expiry && { expiry }),
            }
            const store = createSessionStore(provider, {
              ...options,
              onInvalidate: (e) => {
                if (e.type === 'party:changed' || e.type === 'network:changed') tab.uninvalidated--
              },
            })
            tab = { id, store, provider: inner, attempt: 0, dropped: false, untold: '', frozen: null, seen: store.getSnapshot(), uninvalidated: 0 }
            store.subscribe((state, previous) => {
              if (previous !== tab.seen) problems.push(`C2: tab ${id} notified with a previous state it never told of`)
              tab.seen = state
              if (sameState(state, previous)) problems.push(`C2: tab ${id} notified without a change (${state.status})`)
              if (!Object.isFrozen(state) || !Object.isFrozen(state.accounts)) problems.push(`C1: tab ${id} snapshot not frozen`)
              if ((state.status === 'disconnected' || state.status === 'connecting') && (state.account || state.accounts.length)) problems.push(`C5: tab ${id} has an account while ${state.status}`)
              // A tab that leaves the reconnect while its attempt is under way (the user connects in
              // it) leaves that attempt's outcome untold: the tab that takes over runs it again (M6).
              if (state.status !== 'reconnecting' && tab.attempt) outage = Math.min(outage, tab.attempt - 1)
              if (state.status !== 'reconnecting') tab.attempt = 0
              if (state.status !== 'reconnecting') tab.dropped = tab.reauth = false
              // the outage ends once no tab reconnects
              if (live.every((t) => t.store.getSnapshot().status !== 'reconnecting' || (t === tab && state.status !== 'reconnecting'))) outage = 0
              else if (previous.status === 'connected') tab.dropped = true
              if (state.status === 'connected' && (previous.status === 'connected' || previous.status === 'reconnecting')) {
                if (partyOf(previous) !== null && partyOf(previous) !== partyOf(state)) tab.untold += ` party ${partyOf(previous)}->${partyOf(state)}`
                if (previous.networkId !== null && previous.networkId !== state.networkId) tab.untold += ` network ${previous.networkId}->${state.networkId}`
              }
            })
            store.on('party:changed', () => {
              tab.uninvalidated++
              tab.untold = tab.untold.replace(/ party \S+/, '')
            })
            store.on('network:changed', () => {
              tab.uninvalidated++
              tab.untold = tab.untold.replace(/ network \S+/, '')
            })
            // A tab that hears the wallet drop (or is granted the reconnect lock the signing-out tab let
            // go) in the moment before the sign-out reaches it over a channel that delivers a task
            // later may schedule an attempt, which the sign-out then cancels: no attempt may run.
            store.on('reconnect:scheduled', () => {
              tab.attempt = 0
              // (nor can the order be told in which a frozen tab finds what it missed: here Web Locks
              // grant it the lock while it is frozen, before it reads the sign-out)
              if (signedOut && !channelDelay && !tab.woke && !tab.frozen) problems.push(`M3, C6: tab ${id} schedules a reconnect after an explicit sign-out`)
            })
            // M6 is about a dropped session: a restore retries its own probe in its tab (C9), whose
            // wallet may not be injected yet where another tab's is, so each tab's restore does
            store.on('reconnect:attempt', (e) => {
              // (a frozen leader that wakes may run its overdue attempt before it reads the sign-out it
              // missed: one silent status probe, accepted)
              if (signedOut && !tab.woke) problems.push(`M3, C6: tab ${id} runs reconnect attempt ${e.attempt} after an explicit sign-out`)
              // (without Web Locks each tab reconnects on its own, M6)
              if (!tab.dropped || !withLocks) return
              // each attempt of an outage runs once, in one tab (a frozen leader that wakes may run
              // one silent attempt more: accepted)
              if (e.attempt <= outage && !steps.some((x) => x.act === 'freeze')) problems.push(`M6: tab ${id} runs attempt ${e.attempt}, attempt ${outage} ran already`)
              outage = Math.max(outage, e.attempt)
              // (a frozen tab runs nothing: its attempt stopped as it froze, and a tab took over from it)
              const other = live.find((t) => t !== tab && t.attempt !== 0 && !t.frozen)
              if (other) problems.push(`M6: tab ${id} runs attempt ${e.attempt} while tab ${other.id} runs attempt ${other.attempt}`)
              tab.attempt = e.attempt
            })
            store.on('session:expired', () => {
              expiredAt = Date.now()
              tab.reauth = !!expiry && 'onReauthRequired' in expiry
            })
            store.on('reconnect:succeeded', () => {
              tab.attempt = 0
            })
            store.on('reconnect:gaveup', () => {
              tab.attempt = 0
            })
            live.push(tab)
            return tab
          }
          // A call still under way when its tab closes resolves with the state at destroy(), as
          // documented for SessionStore.restore: only the calls of live tabs must end settled.
          // A connect() during a re-auth is the hook's: it resolves at once, the re-auth going on (C12).
          /** What the frozen tab missed runs as it wakes, in the order it came. */
          const wake = (tab: Tab) => {
            const due = tab.frozen
            if (!due) return
            tab.frozen = null
            tab.woke = true
            for (const fn of due) fn()
          }
          const settled = (tab: Tab, what: string) => (state: SessionState) => {
            if (live.includes(tab) && !(tab.reauth && state.status === 'reconnecting') && state.status !== 'connected' && state.status !== 'disconnected') problems.push(`C4, C9: tab ${tab.id} ${what}() resolved ${state.status}`)
          }
          const rejected = (tab: Tab, what: string) => (error: unknown) => {
            if (live.includes(tab)) problems.push(`C4: tab ${tab.id} ${what}() rejected: ${String(error)}`)
          }
          const call = (tab: Tab, what: 'connect' | 'restore') => void tab.store[what]().then(settled(tab, what), rejected(tab, what))

          const agree = (when: string, strict: boolean) => {
            const w = wallet.state()
            // a frozen tab shows what it knew as it froze: it is checked once it woke
            for (const t of live.filter((x) => !x.frozen)) {
              const s = t.store.getSnapshot()
              if (!when.startsWith('after step') && (s.status === 'connecting' || (s.status === 'reconnecting' && !t.reauth))) problems.push(`C7, C17 ${when}: tab ${t.id} still ${s.status}`)
              if (s.status === 'connected' && !w.connected) problems.push(`M3 ${when}: tab ${t.id} connected, the wallet is not`)
              if (s.status === 'connected' && (partyOf(s) !== primaryOf(w.accounts) || s.networkId !== w.networkId))
                problems.push(`M5 ${when}: tab ${t.id} on ${partyOf(s)} ${s.networkId}, the wallet on ${primaryOf(w.accounts)} ${w.networkId}`)
              if (strict && s.status === 'disconnected' && w.connected) problems.push(`M4, C19 ${when}: tab ${t.id} disconnected, the wallet is connected`)
            }
          }
          // the first tab signs in, the others (opened before or after) restore
          if (startConnected) call(open(), 'connect')
          wallet.approve()
          while (live.length < tabCount) call(open(), 'restore')
          await vi.advanceTimersByTimeAsync(0)

          for (const current of steps) {
            const { act, tab: index, pick, waitMs } = current
            const tab = live[index % live.length]!
            // a new connection (a connect, a restore, the wallet's own) may be reconnected again
            if (act === 'connect' || act === 'restore' || act === 'reload' || act === 'walletSignsIn') signedOut = false
            // a frozen page runs nothing: the user acts in a tab once it woke (closing it needs no wake)
            if (act !== 'reload' && act !== 'freeze') wake(tab)
            switch (act) {
              case 'connect':
              case 'restore':
                call(tab, act)
                break
              case 'disconnect':
                signedOut = true
                void tab.store.disconnect().catch(rejected(tab, 'disconnect'))
                break
              case 'reload': {
                // (a tab closed during its attempt leaves that attempt to the tab that takes over, M6)
                if (tab.attempt) outage = Math.min(outage, tab.attempt - 1)
                tab.store.destroy()
                live.splice(live.indexOf(tab), 1)
                if (tab.provider.listenerCount() !== 0) problems.push(`C14: a closed tab keeps ${tab.provider.listenerCount()} wallet listeners`)
                call(open(), 'restore')
                break
              }
              case 'cancelReconnect':
                tab.store.cancelReconnect()
                break
              case 'freeze':
                tab.frozen ??= []
                break
              case 'wake':
                break
              case 'enqueue': {
                const ran = (tab.ran ??= [])
                const n = (tab.given = (tab.given ?? 0) + 1)
                unsettled++
                void tab.store
                  .enqueue(() => {
                    if (ran.length && ran[ran.length - 1]! > n) problems.push(`C13: tab ${tab.id} ran op ${n} after op ${ran[ran.length - 1]}`)
                    ran.push(n)
                  })
                  .catch(() => undefined)
                  .finally(() => unsettled--)
                break
              }
              case 'touch':
                tab.store.touch()
                break
              case 'drop':
                wallet.drop()
                break
              case 'recover':
                wallet.recover()
                break
              case 'switchParty':
                wallet.switchParty(pick % 2 ? 'bob::1220bb' : 'alice::1220aa')
                break
              case 'switchNetwork':
                wallet.switchNetwork(pick % 2 ? 'canton:testnet' : 'canton:devnet')
                break
              case 'walletSignsOut':
                wallet.disconnectFromWallet()
                break
              case 'walletSignsIn':
                wallet.connectFromWallet()
                break
              case 'failStatus':
                wallet.failNext('status', { code: [4900, 4100, -32603][pick % 3]! })
                break
              case 'failAccounts':
                wallet.failNext('listAccounts', { code: [4900, 4100, -32603][pick % 3]! })
                break
              case 'hangStatus':
                wallet.hangNext('status')
                break
              case 'approve':
                wallet.approve()
                break
              case 'reject':
                wallet.reject(4001)
                break
              case 'settle':
                await vi.advanceTimersByTimeAsync(40_000)
                // an expiry just now may still be leaving the wallet (which answers 40 ms later)
                if (Date.now() - expiredAt < 1_000) await vi.advanceTimersByTimeAsync(1_000)
                // with no wallet failure so far, the wallet reachable and no connect waiting for the
                // user, 40 s of quiet bring every awake tab to where the wallet is (M3, M4, C19)
                agree(
                  `after step ${steps.indexOf(current)}`,
                  !steps.slice(0, steps.indexOf(current)).some((x) => x.act === 'failStatus' || x.act === 'failAccounts' || x.act === 'hangStatus') && !wallet.state().dropped && !wallet.state().pendingConnects && Date.now() - expiredAt >= 1_000,
                )
                break
            }
            await vi.advanceTimersByTimeAsync(waitMs)
            for (const t of live) {
              if (t.store.getSnapshot() !== t.seen) problems.push(`C2: tab ${t.id} changed its snapshot without a notification`)
              if (t.uninvalidated) problems.push(`C11, M5: tab ${t.id} told of a switch without onInvalidate (${t.uninvalidated})`)
              t.uninvalidated = 0
              t.woke = false
              if (t.untold) problems.push(`C11, M5: tab ${t.id} switched without its event:${t.untold}`)
              t.untold = ''
            }
          }

          // every tab awake
          live.forEach(wake)
          // the wallet back and every bound passed: a connected tab is connected as the wallet is (M5)
          wallet.recover()
          const spare = createMockProvider({ wallet })
          // the failures still waiting for a call are used up here, so they fail none of the checks below
          for (const method of ['status', 'listAccounts']) steps.forEach(() => void spare.request({ method }).catch(() => undefined))
          spare.detach()
          // the user answers a connect still waiting for them, and every reconnect has run its course
          await vi.advanceTimersByTimeAsync(1_000)
          wallet.reject(4001)
          await vi.advanceTimersByTimeAsync(40_000)
          // an expiry just now may still be leaving the wallet, as at a settle step
          if (Date.now() - expiredAt < 1_000) await vi.advanceTimersByTimeAsync(1_000)
          // without wallet failures, every tab follows the others and the wallet at rest (M3, M4, C19)
          const clean = !steps.some((x) => x.act === 'failStatus' || x.act === 'failAccounts' || x.act === 'hangStatus')
          agree('at rest', clean)
          // what is persisted is the session the tabs show: none once every tab ended it (C7, C9, M3)
          const entry = await shared.getItem('sessionlayer.session')
          const ends = live.map((t) => t.store.getSnapshot())
          // (cancelReconnect() is no sign-out: its entry stays for a restore to check with the wallet, C8, C9)
          if (clean && !steps.some((x) => x.act === 'cancelReconnect') && ends.every((e) => e.status === 'disconnected') && entry !== null) problems.push('C6, C7, C9: every tab disconnected, a session still persisted')
          if (clean && ends.every((e) => e.status === 'connected')) {
            const saved = entry && (JSON.parse(entry) as { account?: { partyId?: string } | null; networkId?: string | null })
            if (!saved || saved.account?.partyId !== partyOf(ends[0]!) || saved.networkId !== ends[0]!.networkId) problems.push(`C15: the tabs show ${partyOf(ends[0]!)} ${ends[0]!.networkId}, persisted: ${entry}`)
          }
          // the wallet tells every tab where it stands: every tab follows it (C19, M4)
          wallet.drop()
          wallet.recover()
          await vi.advanceTimersByTimeAsync(30_000)
          if (Date.now() - expiredAt < 1_000) await vi.advanceTimersByTimeAsync(1_000)
          agree('after the wallet told its status', true)

          if (hub.sent.some(({ data }) => JSON.stringify(data).includes(TOKEN))) problems.push('C15: an access token broadcast')

          // every tab closed: nothing is left behind (C14)
          for (const t of live.splice(0)) t.store.destroy()
          await vi.advanceTimersByTimeAsync(0)
          for (const p of providers) if (p.listenerCount() !== 0) problems.push(`C14: ${p.listenerCount()} wallet listeners left`)
          if (armed.size) problems.push(`C14: ${armed.size} timers left`)
          // what the wallet and the hooks still had under way ends: then nothing at all is left
          await vi.advanceTimersByTimeAsync(1_000)
          if (vi.getTimerCount() !== 0) problems.push(`C14: ${vi.getTimerCount()} timers left`)
          const held = locks.query()
          if (held.held.length || held.pending.length) problems.push(`C14: locks left: ${JSON.stringify(held)}`)
          if (unsettled) problems.push(`C13, C14: ${unsettled} enqueued ops never settled`)
          if (hub.openCount() !== 0) problems.push(`C14: ${hub.openCount()} channels left open`)
          vi.useRealTimers()
          expect(problems).toEqual([])
        },
      ),
      { numRuns: runs, seed: Number(process.env.SESSIONLAYER_FUZZ_SEED ?? 20261205) },
    )
  })
})
