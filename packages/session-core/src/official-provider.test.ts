/**
 * The store works unchanged through the official `@canton-network/core-provider-dapp`
 * `DappSyncProvider` + `WindowTransport`, against a stand-in browser extension that speaks the
 * postMessage protocol (`SPLICE_WALLET_REQUEST` / `SPLICE_WALLET_RESPONSE`; events are
 * requests without an id), in Node with a minimal window.
 */
import { DappAsyncProvider, DappSyncProvider } from '@canton-network/core-provider-dapp'
import { WindowTransport } from '@canton-network/core-rpc-transport'
import { createMockProvider, type MockProvider } from '@sessionlayer/session-testing'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryStorage } from './createMemoryStorage'
import { createSessionStore } from './createSessionStore'
import type { CIP0103Provider } from './cip0103'
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
