import { createChannelHub, createMockLockManager, createMockProvider, createMockWallet, type MockProvider } from '@sessionlayer/session-testing'
import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMemoryStorage } from './createMemoryStorage'
import { createSessionStore } from './createSessionStore'
import { INTERNALS, type StoreInternals } from './internals'
import { createLedgerFetch, getLedgerAuth } from './ledger'
import { SessionError } from './SessionError'
import type { SessionState, SessionStore } from './types'

// Random sequences of Ledger API calls in one or two tabs of one origin (one wallet behind them,
// broadcast and Web Locks on or off) and of what the wallet does meanwhile — token rotations, party
// and network switches (told with their token first, or not), drops, sign-outs, failing or hanging
// answers, system sleeps, a tab gone silent with the token-refresh lock — at any time (fake timers),
// checked against L1 and L2 and the rules they lean on (C6, C11, C14, M6).

const runs = Number(process.env.SESSIONLAYER_FUZZ_RUNS ?? 200)
const LEDGER = 'http://127.0.0.1:7575'
const REQUEST_TIMEOUT = 1_000
const NETWORKS = ['canton:devnet', 'canton:testnet']
const whose = (s: SessionState) => `${s.account?.partyId ?? null}|${s.networkId}`

interface Tab {
  /**
   * How many tokens the wallet had handed out when the store last showed another party, or heard
   * of one as it reconnected (it shows the party of before until it is connected again).
   */
  switchedAt: number
  readonly store: SessionStore
  readonly provider: MockProvider
  readonly fetch: ReturnType<typeof createLedgerFetch>
}

interface Call {
  /** The tab (slot) it was made in. */
  readonly tab: number
  /** The party and network the store showed as the call was made. */
  readonly sentFor: string
  /** The tab's `switchedAt` as the call was made. */
  readonly switchedAt: number
  readonly connected: boolean
  readonly abort: AbortController
  settled: boolean
  outcome?: unknown
  resolved?: boolean
}

const act = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('call', 'callRequest', 'callSignal', 'callElsewhere', 'abort', 'rotate', 'rotate', 'settle') },
  { weight: 3, arbitrary: fc.constantFrom('switchParty', 'switchNetwork', 'switchPartyAndBack', 'switchNetworkAndBack', 'rotateTold', 'switchPartyToldFirst', 'signIn', 'recover', 'walletSignsIn', 'reopen') },
  { weight: 1, arbitrary: fc.constantFrom('drop', 'signOut', 'walletSignsOut', 'failStatus', 'hangStatus', 'failAccounts', 'hangAccounts', 'hangNetwork', 'sleep', 'holdLock', 'destroy') },
)
const step = fc.record({ act, tab: fc.nat(1), pick: fc.nat(7), waitMs: fc.constantFrom(0, 0, 0, 5, 50, 1_000, 5_000) })

afterEach(() => {
  vi.useRealTimers()
})

describe('Ledger API invariants under random calls and wallet sequences', { timeout: 60_000 }, () => {
  it("L1, L2, C6, C11, C14, M6 (fuzz): no call runs with another party's or network's token, the token stays on its origin, every call settles, one token refresh's status read at a time, nothing left behind", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(1, 2, 2),
        fc.constantFrom<'none' | 'broadcast' | 'locks'>('none', 'broadcast', 'locks', 'locks'),
        fc.constantFrom(0, 0, 20),
        fc.constantFrom(0, 3),
        fc.boolean(),
        fc.boolean(),
        fc.array(step, { maxLength: Number(process.env.SESSIONLAYER_FUZZ_STEPS ?? 30), size: 'max' }),
        async (tabCount, sync, latencyMs, fetchDelay, retry, ttl, steps) => {
          vi.useFakeTimers({ now: 0 })
          const problems: string[] = []
          const hub = createChannelHub()
          const locks = createMockLockManager()
          const wallet = createMockWallet({ latencyMs })
          const primary = () => {
            const accounts = wallet.state().accounts
            return (accounts.find((a) => a.primary) ?? accounts[0])?.partyId ?? null
          }
          // whose each token is: the party and network the wallet was on as it handed it out
          const owners = new Map<string, string>([[wallet.state().accessToken, `${primary()}|${wallet.state().networkId}`]])
          const issued = new Map<string, number>([[wallet.state().accessToken, 0]])
          const rotate = (party = primary(), network = wallet.state().networkId) => {
            wallet.rotateToken()
            owners.set(wallet.state().accessToken, `${party}|${network}`)
            issued.set(wallet.state().accessToken, issued.size)
          }
          // The token is the one of the latest live status (L1), and a wallet tells a party switch by
          // `accountsChanged` alone: the store may hold the token of the party it showed before (a
          // Ledger API token may be the user's, for every party of it; if not, the call's 401 reads
          // status). So another party's token is a defect only when the wallet handed it out after
          // the store last showed another party: the token of a switch the store has not heard of,
          // or of a switch back (A→B→A) — what C11 guards. Another network's token is always one (L1).
          const foreign = (token: string, sentFor: string, switchedAt: number) => {
            const owner = owners.get(token) ?? 'nobody'
            if (owner === sentFor) return null
            const [party, network] = owner.split('|')
            return network !== sentFor.split('|')[1] || party === 'nobody' || (issued.get(token) ?? 0) >= switchedAt ? owner : null
          }
          /** The wallet tells its new token, as a wallet that announces a refresh does. */
          const tell = () => {
            const { connected, dropped, networkId, accessToken } = wallet.state()
            if (connected && !dropped)
              wallet.emitRaw('statusChanged', {
                provider: { id: 'mock:wallet', version: '1.0.0', providerType: 'browser' },
                connection: { isConnected: true },
                network: { networkId, ledgerApi: LEDGER, accessToken },
                session: { accessToken, userId: 'mock-user' },
              })
          }
          const calls = new Map<string, Call>()
          let ids = 0
          const ledger = (async (input: RequestInfo | URL, init?: RequestInit) => {
            const headers = new Headers(init?.headers)
            const authorization = headers.get('Authorization')
            const token = authorization?.replace(/^Bearer /, '') ?? null
            const call = calls.get(headers.get('X-Call') ?? '')
            const url = input instanceof Request ? input.url : input.toString()
            if (token !== null) {
              if (new URL(url).origin !== LEDGER) problems.push(`L2: the token went to ${url}`)
              if (!call?.connected) problems.push('L2: a call made while not connected sent a token')
              else if (foreign(token, call.sentFor, call.switchedAt)) problems.push(`L2, C11: a call made for ${call.sentFor} sent the token of ${owners.get(token)}`)
            }
            if (fetchDelay) await new Promise((resolve) => setTimeout(resolve, fetchDelay))
            init?.signal?.throwIfAborted()
            const ok = token === wallet.state().accessToken && wallet.state().connected
            // a 401 is cause for a status read, and one more of the call's own after a joined refresh (L2)
            if (!ok && call && token !== null) causes[call.tab] = (causes[call.tab] ?? 0) + 2
            return new Response(ok ? '{}' : 'unauthorized', { status: ok ? 200 : 401 })
          }) as typeof fetch
          const providers: MockProvider[] = []
          /** A connected tab's token refreshes' status reads (L2); the tab whose refresh is asking, while it asks. */
          const reads: { tab: number; at: number; done: boolean }[] = []
          let refreshing: number | undefined
          /** Every status read of a connected tab, a refresh's or not. */
          const statusReads: number[] = []
          /** What may make a tab's store read status while connected: 401s, switches, calls with no access in hand. */
          const causes: number[] = []
          /** Lets go of the token-refresh lock a tab gone silent holds. */
          let release: (() => void) | undefined
          const abandon = (tab: number) => reads.forEach((r) => r.tab === tab && (r.done = true))
          const tabs: (Tab | null)[] = []
          const open = async (i: number) => {
            const provider = createMockProvider({ wallet })
            providers.push(provider)
            // the status reads of a connected store's token refreshes, while they are out: one at a
            // time in a tab, and with Web Locks one at a time across tabs (L2, M6). A refresh asks
            // `status` as it starts, before it awaits anything. Other reads (a switch heard, the check
            // of a wallet's word that may be old) are not refreshes: they may travel beside one, and
            // are counted against their causes below.
            const request = provider.request.bind(provider)
            provider.request = (args) => {
              const tab = tabs[i]
              if (args.method !== 'status' || tab?.store.getSnapshot().status !== 'connected') return request(args)
              statusReads[i] = (statusReads[i] ?? 0) + 1
              if (refreshing !== i) return request(args)
              const read = { tab: i, at: Date.now(), done: false }
              // a lock held elsewhere for good: each tab reads on its own once the wait for it is over (L2)
              const clash = reads.find((r) => !r.done && Date.now() - r.at < REQUEST_TIMEOUT && (r.tab === i || (sync === 'locks' && !release)))
              if (clash) problems.push(`L2: tab ${i} reads status at ${read.at} while tab ${clash.tab} reads it since ${clash.at}`)
              reads.push(read)
              const answer = request(args)
              answer.finally(() => (read.done = true)).catch(() => undefined)
              return answer
            }
            const store = createSessionStore(provider, {
              storage: createMemoryStorage(),
              requestTimeoutMs: REQUEST_TIMEOUT,
              reconnect: retry ? { baseDelayMs: 100, maxAttempts: 2 } : false,
              ...(ttl && { expiry: { ttlMs: 60_000 } }),
              broadcast: sync === 'none' ? false : { channelFactory: hub.channelFactory, ...(sync === 'locks' && { lockManager: locks }) },
            })
            const internals = (store as unknown as Record<typeof INTERNALS, StoreInternals>)[INTERNALS]
            const refresh = internals.refresh
            internals.refresh = (...args) => {
              refreshing = i
              try {
                return refresh(...args)
              } finally {
                refreshing = undefined
              }
            }
            const tab: Tab = { store, provider, fetch: createLedgerFetch(store, { fetch: ledger }), switchedAt: 0 }
            let party = store.getSnapshot().account?.partyId
            let network = store.getSnapshot().networkId
            store.subscribe((state) => {
              // a session that ends takes its token refresh along, the wallet's answer unread: the
              // next session's refresh, or another tab's, is no second one beside it
              if (state.status !== 'connected') abandon(i)
              // a switch is cause for a status read once more (A→B→A), and the first access on a new network (C11, L2)
              if (state.account?.partyId !== party || state.networkId !== network) causes[i] = (causes[i] ?? 0) + 2
              network = state.networkId
              if (state.account?.partyId !== party) tab.switchedAt = issued.size
              party = state.account?.partyId
            })
            tabs[i] = tab
            void store.restore()
            await vi.advanceTimersByTimeAsync(latencyMs * 4)
          }
          try {
            for (let i = 0; i < tabCount; i++) await open(i)
            void tabs[0]!.store.connect()
            await vi.advanceTimersByTimeAsync(latencyMs * 10)
            const check = (label: string) => {
              for (const tab of tabs) {
                if (!tab) continue
                const s = tab.store.getSnapshot()
                const auth = getLedgerAuth(tab.store)
                if (s.status !== 'connected' && auth) problems.push(`L1: ${label}: access while ${s.status}`)
                if (auth && foreign(auth.accessToken, whose(s), tab.switchedAt)) problems.push(`L1: ${label}: the store shows ${whose(s)} and hands out the token of ${owners.get(auth.accessToken)}`)
              }
            }
            // A store that reconnects hears the wallet's party, which it does not show until it is
            // connected again: a token the wallet handed out for another party (told as the wallet
            // signed in again, say) is one of a switch it heard. Held after a switch back (A→B→A),
            // it is held as a connected store holds it (L1: the token of the latest live status;
            // its 401 reads status).
            const heardWhileReconnecting = () => {
              const { connected, dropped } = wallet.state()
              for (const tab of tabs) {
                const s = tab?.store.getSnapshot()
                if (tab && s?.status === 'reconnecting' && connected && !dropped && s.account?.partyId !== primary()) tab.switchedAt = issued.size
              }
            }
            for (const { act, tab: t, pick, waitMs } of steps) {
              const tab = tabs[t % tabCount] ?? null
              const other = primary() === 'alice::1220aa' ? 'bob::1220bb' : 'alice::1220aa'
              switch (act) {
                case 'call':
                case 'callRequest':
                case 'callSignal':
                case 'callElsewhere': {
                  if (!tab) break
                  const id = String(++ids)
                  const s = tab.store.getSnapshot()
                  if (s.status === 'connected' && !getLedgerAuth(tab.store)) causes[t % tabCount] = (causes[t % tabCount] ?? 0) + 1
                  const call: Call = { tab: t % tabCount, sentFor: whose(s), switchedAt: tab.switchedAt, connected: s.status === 'connected', abort: new AbortController(), settled: false }
                  calls.set(id, call)
                  const path = act === 'callElsewhere' ? 'https://elsewhere.example/v2/x' : '/v2/state/active-contracts'
                  const sent =
                    act === 'callRequest'
                      ? tab.fetch(new Request(`${LEDGER}/v2/commands`, { method: 'POST', body: '{}', headers: { 'X-Call': id }, signal: call.abort.signal }))
                      : tab.fetch(path, { headers: { 'X-Call': id }, ...(act === 'callSignal' && { signal: call.abort.signal }) })
                  sent.then(
                    (value) => Object.assign(call, { settled: true, resolved: true, outcome: value }),
                    (error: unknown) => Object.assign(call, { settled: true, outcome: error }),
                  )
                  break
                }
                case 'abort':
                  ;[...calls.values()].filter((c) => !c.settled)[pick]?.abort.abort(new Error('aborted'))
                  break
                case 'rotate':
                  rotate()
                  break
                case 'rotateTold':
                  rotate()
                  tell()
                  break
                case 'switchPartyToldFirst':
                  // a wallet that tells the new party's token before it tells of the switch (C11)
                  rotate(other)
                  tell()
                  wallet.switchParty(other)
                  break
                case 'switchParty':
                  rotate(other)
                  wallet.switchParty(other)
                  break
                case 'switchPartyAndBack': {
                  const back = primary()
                  rotate(other)
                  wallet.switchParty(other)
                  rotate(back)
                  wallet.switchParty(back!)
                  break
                }
                case 'switchNetworkAndBack': {
                  const back = wallet.state().networkId
                  const next = NETWORKS.find((n) => n !== back)!
                  rotate(primary(), next)
                  wallet.switchNetwork(next)
                  rotate(primary(), back)
                  wallet.switchNetwork(back)
                  break
                }
                case 'switchNetwork': {
                  const next = NETWORKS.find((n) => n !== wallet.state().networkId)!
                  rotate(primary(), next)
                  wallet.switchNetwork(next)
                  break
                }
                case 'drop':
                  wallet.drop()
                  break
                case 'recover':
                  wallet.recover()
                  break
                case 'signOut':
                  void tab?.store.disconnect()
                  break
                case 'signIn':
                  void tab?.store.connect()
                  break
                case 'walletSignsOut':
                  wallet.disconnectFromWallet()
                  break
                case 'walletSignsIn':
                  wallet.connectFromWallet()
                  break
                case 'failStatus':
                  wallet.failNext('status', { code: 4900 })
                  break
                case 'hangStatus':
                  wallet.hangNext('status')
                  break
                case 'failAccounts':
                  wallet.failNext('listAccounts', { code: 4100 })
                  break
                case 'hangNetwork':
                  wallet.hangNext('getActiveNetwork')
                  break
                case 'hangAccounts':
                  wallet.hangNext('listAccounts')
                  break
                case 'destroy':
                  tab?.store.destroy()
                  abandon(t % tabCount)
                  if (tab) tabs[t % tabCount] = null
                  break
                case 'reopen':
                  if (!tab) await open(t % tabCount)
                  break
                case 'settle':
                  break
                case 'holdLock':
                  // another tab of the origin takes the token-refresh lock and goes silent
                  if (sync === 'locks' && !release) {
                    let free: (() => void) | undefined
                    let freed = false
                    // let go of also when asked before the lock came
                    release = () => {
                      freed = true
                      free?.()
                    }
                    void locks.request('sessionlayer.ledger::sessionlayer.session', () =>
                        new Promise<void>((resolve) => {
                          free = resolve
                          if (freed) resolve()
                        }),
                    )
                  }
                  break
                case 'sleep':
                  // a system sleep: the clock jumps, the timers wait (C12)
                  vi.setSystemTime(Date.now() + 50_000)
                  break
              }
              heardWhileReconnecting()
              check(`${act} at once`)
              await vi.advanceTimersByTimeAsync(waitMs)
              check(`${act} after ${waitMs} ms`)
            }
            // every call settles within a bound: the lock wait (4 × requestTimeoutMs), a status and
            // an account read, each twice, a reconnect schedule
            await vi.advanceTimersByTimeAsync(REQUEST_TIMEOUT * 12 + 1_000)
            // no status read without a cause: concurrent 401s share one (L2)
            for (let i = 0; i < tabCount; i++) {
              const count = statusReads[i] ?? 0
              if (count > (causes[i] ?? 0) + 1) problems.push(`L2: tab ${i} read status ${count} times for ${causes[i] ?? 0} causes`)
            }
            for (const [id, call] of calls) {
              if (!call.settled) problems.push(`L2, C17: call ${id} never settled`)
              else if (!call.resolved) {
                const error = call.outcome as { code?: unknown; message?: string }
                const aborted = call.abort.signal.aborted && call.outcome === call.abort.signal.reason
                if (!aborted && !(error instanceof SessionError && ([4100, 4900, 'DESTROYED', 'TIMEOUT'] as unknown[]).includes(error.code))) {
                  problems.push(`L2: call ${id} rejected with ${String(error.code)} ${String(error.message)}`)
                }
              }
            }
          } finally {
            release?.()
            for (const tab of tabs) tab?.store.destroy()
          }
          await vi.advanceTimersByTimeAsync(REQUEST_TIMEOUT * 12)
          for (const p of providers) if (p.listenerCount() !== 0) problems.push(`C14: ${p.listenerCount()} wallet listeners left`)
          if (vi.getTimerCount() !== 0) problems.push(`C14: ${vi.getTimerCount()} timers left`)
          const held = locks.query()
          if (held.held.length || held.pending.length) problems.push(`C14: locks left: ${held.held.length} held, ${held.pending.length} queued`)
          for (const [id, call] of calls) if (!call.settled) problems.push(`C14: call ${id} pending after destroy`)
          vi.useRealTimers()
          expect(problems).toEqual([])
        },
      ),
      { numRuns: runs, seed: Number(process.env.SESSIONLAYER_FUZZ_SEED ?? 20_261_205) },
    )
  })
})
