import { createMockProvider, type MockWallet } from '@sessionlayer/session-testing'
import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMemoryStorage } from './createMemoryStorage'
import { createSessionStore } from './createSessionStore'
import { sameState } from './machine'
import type { SessionState, SessionStore } from './types'

// Random sequences of what the app and the wallet do, in any order and at any time (fake timers),
// checked against the rules every state and event must keep (C1, C2, C4, C5, C7, C9, C10).

const runs = Number(process.env.SESSIONLAYER_FUZZ_RUNS ?? 150)
const partyOf = (s: SessionState) => s.account?.partyId ?? null
const primaryOf = (accounts: readonly { partyId: string; primary?: boolean }[]) => (accounts.find((a) => a.primary) ?? accounts[0])?.partyId ?? null

type Act = (store: SessionStore, wallet: MockWallet, pick: number) => unknown
const ACTS: Record<string, Act> = {
  connect: (s) => s.connect(),
  disconnect: (s) => s.disconnect(),
  restore: (s) => s.restore(),
  cancelReconnect: (s) => s.cancelReconnect(),
  drop: (_, w) => w.drop(),
  recover: (_, w) => w.recover(),
  switchParty: (_, w, n) => w.switchParty(n % 2 ? 'bob::1220bb' : 'alice::1220aa'),
  switchNetwork: (_, w, n) => w.switchNetwork(n % 2 ? 'canton:testnet' : 'canton:devnet'),
  walletSignsOut: (_, w) => w.disconnectFromWallet(),
  walletSignsIn: (_, w) => w.connectFromWallet(),
  approve: (_, w) => w.approve(),
  reject: (_, w) => w.reject(4001),
  failStatus: (_, w, n) => w.failNext('status', { code: [4900, 4100, -32603][n % 3]! }),
  failAccounts: (_, w, n) => w.failNext('listAccounts', { code: [4900, 4100, -32603][n % 3]! }),
  failNetwork: (_, w, n) => w.failNext('getActiveNetwork', { code: [4900, 4200, -32603][n % 3]! }),
  failDisconnect: (_, w) => w.failNext('disconnect', { code: 4900 }),
  hangStatus: (_, w) => w.hangNext('status'),
  lateAccounts: (_, w) => w.answerLate('listAccounts', 700),
}
const step = fc.record({ act: fc.constantFrom(...Object.keys(ACTS)), pick: fc.nat(5), waitMs: fc.constantFrom(0, 0, 300, 600, 900) })

afterEach(() => {
  vi.useRealTimers()
})

describe('session invariants under random app and wallet sequences', { timeout: 60_000 }, () => {
  it('C1, C2, C4, C5, C7, C9, C10 (fuzz): frozen real changes only, no account while disconnected, settled calls, exact backoff, consistent ends and reloads', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom<'approve' | 'async' | 'manual'>('approve', 'async', 'manual'), fc.boolean(), fc.array(step, { maxLength: 30 }), async (connectMode, retry, steps) => {
        vi.useFakeTimers({ now: 0 })
        const problems: string[] = []
        const provider = createMockProvider({ connectMode })
        const wallet = provider.wallet
        const storage = createMemoryStorage()
        const store = createSessionStore(provider, { storage, reconnect: retry && { maxAttempts: 3 } })
        let scheduled = 0
        // whether the attempt scheduled last ran: one the wallet's return cancelled before it ran is scheduled again (C7, C8)
        let ran = false
        let changes = { party: '', network: '' }
        store.subscribe((state, previous) => {
          if (sameState(state, previous)) problems.push(`C2: a notification without a change (${state.status})`)
          if (!Object.isFrozen(state) || !Object.isFrozen(state.accounts) || !state.accounts.every((a) => Object.isFrozen(a))) problems.push('C1: a snapshot not frozen')
          if ((state.status === 'disconnected' || state.status === 'connecting') && (state.account || state.accounts.length)) problems.push(`C5: an account while ${state.status}`)
          if (partyOf(state) !== primaryOf(state.accounts)) problems.push('§2.1: account is not the primary, else the first')
          if (state.status === 'connected' && (previous.status === 'connected' || previous.status === 'reconnecting')) {
            if (partyOf(previous) !== null && partyOf(previous) !== partyOf(state)) changes.party = `${partyOf(previous)}->${partyOf(state)}`
            if (previous.networkId !== null && previous.networkId !== state.networkId) changes.network = `${previous.networkId}->${state.networkId}`
          }
        })
        store.on('party:changed', (e) => {
          if (e.previous === null || e.previous === e.current) problems.push('party:changed from no party, or to the same')
          changes.party = ''
        })
        store.on('network:changed', (e) => {
          if (e.previous === null || e.previous === e.current) problems.push('network:changed from no network, or to the same')
          changes.network = ''
        })
        store.on('reconnect:scheduled', (e) => {
          if (e.attempt !== 1 && e.attempt !== scheduled + 1 && (e.attempt !== scheduled || ran)) problems.push(`C7: attempt ${e.attempt} scheduled after ${scheduled}${ran ? '' : ' (not run)'}`)
          if (e.delayMs !== Math.min(500 * 2 ** (e.attempt - 1), 30_000)) problems.push(`C7: attempt ${e.attempt} after ${e.delayMs} ms`)
          scheduled = e.attempt
          ran = false
        })
        store.on('reconnect:attempt', (e) => {
          if (e.attempt !== scheduled) problems.push(`C7: attempt ${e.attempt} runs, ${scheduled} was scheduled`)
          ran = true
        })
        const settled = (what: string) => (state: SessionState) => {
          if (state.status !== 'connected' && state.status !== 'disconnected') problems.push(`C4, C9: ${what}() resolved ${state.status}`)
        }
        const rejected = (what: string) => (error: unknown) => problems.push(`C4: ${what}() rejected: ${String(error)}`)
        for (const { act, pick, waitMs } of steps) {
          const result = ACTS[act]!(store, wallet, pick)
          if (result instanceof Promise) void result.then(act === 'disconnect' ? undefined : settled(act), rejected(act))
          await vi.advanceTimersByTimeAsync(waitMs)
          if (changes.party || changes.network) problems.push(`a switch without its event: ${JSON.stringify(changes)}`)
          changes = { party: '', network: '' }
        }
        // the wallet back, every bound passed: nothing is left under way, and a connected store is the wallet's
        wallet.recover()
        await vi.advanceTimersByTimeAsync(310_000)
        const end = store.getSnapshot()
        const live = wallet.state()
        if (end.status === 'connecting' || end.status === 'reconnecting') problems.push(`C7, C17: still ${end.status}`)
        if (end.status === 'connected' && (!live.connected || partyOf(end) !== primaryOf(live.accounts) || end.networkId !== live.networkId)) problems.push('connected, but not as the wallet is')
        const persisted = await storage.getItem('sessionlayer.session')
        store.destroy()

        // a reload restores from the wallet alone, and reconciles against what was persisted (C9, C10)
        const reload = createSessionStore(createMockProvider({ wallet }), { storage })
        const restoreChanges: unknown[] = []
        reload.on('party:changed', (e) => restoreChanges.push(e))
        const restoring = reload.restore()
        await vi.advanceTimersByTimeAsync(20_000)
        const restored = await restoring
        const saved = persisted ? ((JSON.parse(persisted) as { account?: { partyId?: string } | null }).account?.partyId ?? null) : null
        if (restored.status === 'connected' && !wallet.state().connected) problems.push('C9: restored connected, the wallet is not')
        if (restored.status === 'disconnected' && wallet.state().connected && !restored.lastError) problems.push('C9: the wallet is connected, the restore ended disconnected without an error')
        if (restored.status === 'connected' && saved !== null && saved !== partyOf(restored) && !restoreChanges.some((e) => (e as { source: string }).source === 'restore')) problems.push('C10: no party:changed (restore)')
        if (restored.status === 'disconnected' && !restored.lastError && (await storage.getItem('sessionlayer.session')) !== null) problems.push('C9: the entry stays after the wallet said it is not connected')
        reload.destroy()
        vi.useRealTimers()
        expect(problems).toEqual([])
      }),
      { numRuns: runs, seed: Number(process.env.SESSIONLAYER_FUZZ_SEED ?? 20_261_205) },
    )
  })
})
