/**
 * The store works unchanged through the official `@canton-network/core-provider-dapp`
 * `DappSyncProvider` + `WindowTransport`, against a stand-in browser extension that speaks the
 * postMessage protocol (`SPLICE_WALLET_REQUEST` / `SPLICE_WALLET_RESPONSE`; events are
 * requests without an id), in Node with a minimal window; and it reads the results and events of the
 * official dApp API (`@canton-network` 1.8.0) as their types declare them.
 */
import { DappAsyncProvider, DappSyncProvider } from '@canton-network/core-provider-dapp'
import { WindowTransport } from '@canton-network/core-rpc-transport'
import { createChannelHub, createMockProvider, type MockProvider } from '@sessionlayer/session-testing'
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest'
import { createMemoryStorage } from './createMemoryStorage'
import { createSessionStore } from './createSessionStore'
import type { CIP0103Account, CIP0103ConnectResult, CIP0103Network, CIP0103Provider, CIP0103StatusEvent } from './cip0103'
import { getLedgerAuth } from './ledger'
import { WindowShim } from '../test/windowShim'

/**
 * The extension side: answers requests from a mock wallet and forwards its events. With a `target`
 * (its id), it announces itself to `canton:requestProvider`, handles only requests for it (or for no
 * one), and sends its events with that target, as an extension found by discovery does.
 */
function standInExtension(win: WindowShim, backend: MockProvider, target?: string) {
  if (target) {
    win.addEventListener('canton:requestProvider', () => {
      win.dispatchEvent(new CustomEvent('canton:announceProvider', { detail: { id: target, name: `Wallet ${target}`, target } }))
    })
  }
  win.addEventListener('message', (event) => {
    const data = (event as Event & { data: { type?: string; target?: string; request?: { id?: string; method: string; params?: unknown } } }).data
    if (data.type !== 'SPLICE_WALLET_REQUEST' || data.request?.id == null) return
    if (data.target && data.target !== target) return
    const { id, method, params } = data.request
    backend.request({ method, params }).then(
      (result) => {
        win.postMessage({ type: 'SPLICE_WALLET_RESPONSE', response: { jsonrpc: '2.0', id, result: result ?? null } })
      },
      (raw: unknown) => {
        const error = raw as { code?: number; message?: string }
        win.postMessage({ type: 'SPLICE_WALLET_RESPONSE', response: { jsonrpc: '2.0', id, error: { code: error.code ?? -32603, message: error.message ?? 'error' } } })
      },
    )
  })
  for (const method of ['statusChanged', 'accountsChanged', 'connected', 'txChanged']) {
    backend.on(method, (params: unknown) => {
      win.postMessage({ type: 'SPLICE_WALLET_REQUEST', request: { jsonrpc: '2.0', method, params }, ...(target && { target }) })
    })
  }
}

let win: WindowShim
beforeEach(() => {
  win = new WindowShim()
  vi.stubGlobal('window', win)
})
afterEach(() => {
  vi.unstubAllGlobals()
})

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5))
}

describe('through the official Canton dApp provider', () => {
  it('connects, follows a party switch, and disconnects', async () => {
    const backend = createMockProvider()
    standInExtension(win, backend)
    const provider: CIP0103Provider = new DappSyncProvider(new WindowTransport(window))
    const store = createSessionStore(provider, { storage: createMemoryStorage() })
    const state = await store.connect()
    expect(state).toMatchObject({ status: 'connected', networkId: 'canton:devnet' })
    expect(state.account?.partyId).toBe('alice::1220aa')
    backend.wallet.switchParty('bob::1220bb')
    await until(() => store.getSnapshot().account?.partyId === 'bob::1220bb')
    expect(store.getSnapshot().account?.partyId).toBe('bob::1220bb')
    await store.disconnect()
    expect(store.getSnapshot().status).toBe('disconnected')
    expect(backend.wallet.state().connected).toBe(false)
    store.destroy()
  })

  it('restores a live session silently and keeps wallet error codes', async () => {
    const backend = createMockProvider({ connected: true })
    standInExtension(win, backend)
    const store = createSessionStore(new DappSyncProvider(new WindowTransport(window)), { storage: createMemoryStorage() })
    expect((await store.restore()).status).toBe('connected')
    expect(backend.calls.map((c) => c.method)).not.toContain('connect')
    await store.disconnect()
    backend.wallet.setConnectMode('reject')
    const rejected = await store.connect()
    expect(rejected.status).toBe('disconnected')
    expect(rejected.lastError?.code).toBe(4001)
    store.destroy()
  })

  it('C9, C15, C17, C14: a reload restores over the same storage, chainChanged arrives, no token is persisted, a hung call times out, and destroy() leaves no store listener', async () => {
    const backend = createMockProvider()
    standInExtension(win, backend)
    const storage = createMemoryStorage()
    const store = createSessionStore(new DappSyncProvider(new WindowTransport(window)), { storage })
    await store.connect()
    store.destroy()
    const provider = new DappSyncProvider(new WindowTransport(window))
    const reloaded = createSessionStore(provider, { storage, requestTimeoutMs: 100 })
    const before = backend.calls.length
    expect(await reloaded.restore()).toMatchObject({ status: 'connected', account: { partyId: 'alice::1220aa' } })
    expect(backend.calls.slice(before).map((c) => c.method)).not.toContain('connect')
    // a JSON-RPC notification's params are an object or an array: the network as { networkId }
    win.postMessage({ type: 'SPLICE_WALLET_REQUEST', request: { jsonrpc: '2.0', method: 'chainChanged', params: { networkId: 'canton:testnet' } } })
    await until(() => reloaded.getSnapshot().networkId === 'canton:testnet')
    expect(reloaded.getSnapshot().networkId).toBe('canton:testnet')
    await new Promise((resolve) => setTimeout(resolve, 20))
    const persisted = String(await storage.getItem('sessionlayer.session'))
    expect(persisted).toContain('canton:testnet')
    expect(persisted).not.toContain(backend.wallet.state().accessToken)
    backend.wallet.hangNext('status')
    await reloaded.disconnect()
    expect(await reloaded.restore()).toMatchObject({ status: 'disconnected', lastError: { code: 'TIMEOUT' } })
    reloaded.destroy()
    expect(Object.values((provider as unknown as { listeners: Record<string, unknown[]> }).listeners).flat()).toEqual([])
  })

  it('C3, C11: a provider found by discovery (canton:requestProvider → canton:announceProvider): a WindowTransport bound to the announced target connects to that wallet and follows its events only', async () => {
    const mine = createMockProvider()
    const other = createMockProvider({ connected: true, accounts: [{ partyId: 'mallory::1220ff', primary: true }] })
    standInExtension(win, mine, 'ext-a')
    standInExtension(win, other, 'ext-b')
    const announced: { id: string; name: string; target: string }[] = []
    win.addEventListener('canton:announceProvider', (event) => announced.push((event as CustomEvent<{ id: string; name: string; target: string }>).detail))
    win.dispatchEvent(new Event('canton:requestProvider'))
    expect(announced.map((a) => a.id)).toEqual(['ext-a', 'ext-b'])
    const provider = new DappSyncProvider(new WindowTransport(window, { target: announced[0]?.target }))
    const store = createSessionStore(provider, { storage: createMemoryStorage() })
    expect(await store.connect()).toMatchObject({ status: 'connected', account: { partyId: 'alice::1220aa' } })
    expect(other.calls).toEqual([])
    // the other wallet's events are not this session's
    other.wallet.disconnectFromWallet()
    other.emit('accountsChanged', [{ partyId: 'mallory::1220ff', primary: true }])
    mine.wallet.switchParty('bob::1220bb')
    await until(() => store.getSnapshot().account?.partyId === 'bob::1220bb')
    expect(store.getSnapshot()).toMatchObject({ status: 'connected', account: { partyId: 'bob::1220bb' } })
    expect(store.getSnapshot().accounts.map((a) => a.partyId)).toEqual(['alice::1220aa', 'bob::1220bb'])
    store.destroy()
  })

  it('C4: a remote wallet behind an auth proxy: a 401 with a JSON body that is not JSON-RPC keeps its status and message', async () => {
    vi.stubGlobal('fetch', () => Promise.resolve(new Response('{"error":{"message":"jwt expired"}}', { status: 401, statusText: 'Unauthorized' })))
    const store = createSessionStore(new DappAsyncProvider('https://wallet.example/api/'), { storage: createMemoryStorage() })
    const state = await store.connect()
    expect(state.status).toBe('disconnected')
    expect(state.lastError).toMatchObject({ code: 401, message: 'jwt expired' })
    store.destroy()
  })

  it('C4: a wallet that drops the connection is a 4900 with the wallet’s own reason', async () => {
    const backend = createMockProvider()
    standInExtension(win, backend)
    const store = createSessionStore(new DappSyncProvider(new WindowTransport(window)), { storage: createMemoryStorage() })
    await store.connect()
    backend.wallet.drop()
    await until(() => store.getSnapshot().status === 'disconnected')
    expect(store.getSnapshot().lastError).toMatchObject({ code: 4900, message: 'wallet unreachable' })
    store.destroy()
  })

  it('C4: an empty reason is no reason: the 4900 still says what happened', async () => {
    const backend = createMockProvider()
    standInExtension(win, backend)
    const store = createSessionStore(new DappSyncProvider(new WindowTransport(window)), { storage: createMemoryStorage() })
    await store.connect()
    backend.emit('statusChanged', { connection: { isConnected: false, isNetworkConnected: true, reason: '' } })
    await until(() => store.getSnapshot().status === 'disconnected')
    expect(store.getSnapshot().lastError).toMatchObject({ code: 4900, message: 'The wallet disconnected' })
    store.destroy()
  })
})

// The official providers' dApp API (1.8.0), as their `request` declares each method's result: the
// browser extension's (DappSyncProvider) and the wallet gateway's (DappAsyncProvider), whose
// accounts also carry their `rights` and whose `connected` event is a StatusEvent.
type Sync<M extends 'status' | 'connect' | 'isConnected' | 'getActiveNetwork' | 'listAccounts' | 'getPrimaryAccount'> = Awaited<ReturnType<typeof DappSyncProvider.prototype.request<M>>>
type Remote<M extends 'status' | 'connect' | 'isConnected' | 'connected' | 'onStatusChanged' | 'getActiveNetwork' | 'listAccounts' | 'getPrimaryAccount' | 'accountsChanged'> = Awaited<ReturnType<typeof DappAsyncProvider.prototype.request<M>>>

describe('the official dApp API shapes (@canton-network 1.8.0)', () => {
  it('C3, C18: every result and event the official types declare is one the CIP-0103 types read, and window.canton is a provider the store takes (pnpm typecheck)', () => {
    expectTypeOf<Sync<'status'>>().not.toBeAny()
    expectTypeOf<Sync<'status'>>().toExtend<CIP0103StatusEvent>()
    expectTypeOf<Sync<'connect'>>().toExtend<CIP0103ConnectResult>()
    expectTypeOf<Sync<'isConnected'>>().toExtend<CIP0103ConnectResult>()
    expectTypeOf<Sync<'getActiveNetwork'>>().toExtend<CIP0103Network>()
    expectTypeOf<Sync<'listAccounts'>>().toExtend<readonly CIP0103Account[]>()
    expectTypeOf<Sync<'getPrimaryAccount'>>().toExtend<CIP0103Account>()
    expectTypeOf<Remote<'status'>>().toExtend<CIP0103StatusEvent>()
    expectTypeOf<Remote<'onStatusChanged'>>().toExtend<CIP0103StatusEvent>()
    expectTypeOf<Remote<'connected'>>().toExtend<CIP0103StatusEvent>()
    expectTypeOf<Remote<'connect'>>().toExtend<CIP0103ConnectResult>()
    expectTypeOf<Remote<'isConnected'>>().toExtend<CIP0103ConnectResult>()
    expectTypeOf<Remote<'getActiveNetwork'>>().toExtend<CIP0103Network>()
    expectTypeOf<Remote<'listAccounts'>>().toExtend<readonly CIP0103Account[]>()
    expectTypeOf<Remote<'accountsChanged'>>().toExtend<readonly CIP0103Account[]>()
    expectTypeOf<Remote<'getPrimaryAccount'>>().toExtend<CIP0103Account>()
    expectTypeOf<NonNullable<Window['canton']>>().not.toBeAny()
    expectTypeOf<NonNullable<Window['canton']>>().toExtend<CIP0103Provider>()
  })

  it('C3, C6, C15, C18, L1: the wallet gateway\'s answers, typed by the official types, connect the store with the account flagged primary and the status\'s network; its tokens, the accounts\' rights and topology transactions are neither persisted nor broadcast; its sign-out ends the session', async () => {
    const accessToken = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmVkLWJ5LXRoZS1pZHA'
    const provider: Remote<'status'>['provider'] = { id: 'remote-da', version: '1.8.0', providerType: 'remote', url: 'https://wallet.example/api/v0/dapp', userUrl: 'https://wallet.example/login/' }
    // connected to the wallet while its ledger is out of reach: still connected (C3)
    const status: Remote<'status'> = {
      provider,
      connection: { isConnected: true, reason: 'OK', isNetworkConnected: false, networkReason: 'ledger unreachable' },
      network: { networkId: 'canton:mainnet', ledgerApi: 'https://ledger.example', accessToken },
      session: { accessToken, userId: 'alice' },
    }
    const connect: Remote<'connect'> = { isConnected: true, reason: 'OK', isNetworkConnected: false, networkReason: 'ledger unreachable', userUrl: 'https://wallet.example/login/' }
    const account = (hint: string, primary: boolean): Remote<'listAccounts'>[number] => ({
      primary,
      partyId: `${hint}::1220ab`,
      status: 'allocated',
      hint,
      publicKey: `public-key-${hint}`,
      namespace: '1220ab',
      networkId: 'canton:mainnet',
      signingProviderId: 'participant',
      externalTxId: `external-tx-${hint}`,
      topologyTransactions: 'CjIKMAouCg==',
      disabled: primary,
      reason: 'no signing provider matched',
      rights: [{ kind: 'CanActAs', party: `${hint}::1220ab` }],
    })
    const accounts: Remote<'listAccounts'> = [account('alice', false), account('bob', true)]
    const network: Remote<'getActiveNetwork'> = { networkId: 'canton:mainnet', ledgerApi: 'https://ledger.example', accessToken }
    const signedOut: Remote<'onStatusChanged'> = { provider, connection: { isConnected: false, reason: 'disconnect', isNetworkConnected: false, networkReason: 'removed session' } }
    const answers: Record<string, unknown> = { status, connect, listAccounts: accounts, getActiveNetwork: network, disconnect: null }
    const listeners: Record<string, ((payload: unknown) => void)[]> = {}
    const wallet: CIP0103Provider = {
      request: ({ method }) => Promise.resolve(structuredClone(answers[method])),
      on: (event, listener) => (listeners[event] ??= []).push(listener),
      removeListener: (event, listener) => (listeners[event] = (listeners[event] ?? []).filter((l) => l !== listener)),
    }
    const storage = createMemoryStorage()
    const hub = createChannelHub()
    const store = createSessionStore(wallet, { storage, broadcast: { channelFactory: hub.channelFactory } })
    const state = await store.connect()
    expect(state).toMatchObject({ status: 'connected', networkId: 'canton:mainnet', lastError: null })
    expect(state.accounts.map((a) => a.partyId)).toEqual(['alice::1220ab', 'bob::1220ab'])
    // the account's own fields, as the wallet sent them: not its rights, external transaction or topology
    expect(state.account).toEqual({
      primary: true,
      partyId: 'bob::1220ab',
      status: 'allocated',
      hint: 'bob',
      publicKey: 'public-key-bob',
      namespace: '1220ab',
      networkId: 'canton:mainnet',
      signingProviderId: 'participant',
      disabled: true,
      reason: 'no signing provider matched',
    })
    expect(getLedgerAuth(store)).toMatchObject({ ledgerApi: 'https://ledger.example', accessToken })
    await new Promise((resolve) => setTimeout(resolve, 20))
    const persisted = String(await storage.getItem('sessionlayer.session'))
    expect(persisted).toContain('bob::1220ab')
    for (const secret of [accessToken, 'rights', 'CanActAs', 'topologyTransactions', 'externalTxId']) {
      expect(persisted).not.toContain(secret)
      expect(JSON.stringify(hub.sent)).not.toContain(secret)
    }
    // the user signs out in the wallet: a sign-out, no error (C6). The wallet told nothing of the
    // connection, so its first word after it may be older: its status, as it now answers, confirms it (C7)
    answers.status = signedOut
    for (const listener of listeners.statusChanged ?? []) listener(structuredClone(signedOut))
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(store.getSnapshot()).toMatchObject({ status: 'disconnected', account: null, accounts: [], lastError: null })
    expect(await storage.getItem('sessionlayer.session')).toBeNull()
    expect(getLedgerAuth(store)).toBeNull()
    store.destroy()
  })
})
